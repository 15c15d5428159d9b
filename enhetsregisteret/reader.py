"""Reading the register's bulk file (``enheter_alle.json.gz`` or its unpacked ``.json``) and picking
out the units the portal stores. No Django here: the bulk import runs this in a child process of its
own (``read_batches``), so that unpacking and parsing 1.17 million units on one core overlaps the
database work of the previous batch on the other.

The child (``python -m enhetsregisteret.reader``, a fresh interpreter that shares no database
connection, lock or thread with its parent) sends the parent a stream of pickled messages on its
standard output:

* ``(PROGRESS, None, None, bytes_read)`` now and then, for the progress bar;
* ``(BATCH, index, raws, bytes_read)`` after ``batch_size`` relevant units or ``scan_limit`` units
  read, whichever comes first: ``index`` is the number of units of the file read so far (the
  checkpoint the parent stores with the batch), ``raws`` the relevant units as parsed;
* ``(END, index, raws, bytes_read)`` at the end of the array, with what is left;
* ``(ERROR, index, message, bytes_read)`` when the file cannot be read further.

Writing to the pipe blocks while the parent is busy with earlier batches, so only a few batches are
in flight: memory stays bounded whatever the file's size.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import pickle
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import ijson

PUBLIC_FORMS = frozenset({"KOMM", "FYLK"})
CODE_KEYS = ("naeringskode1", "naeringskode2", "naeringskode3")

PROGRESS, BATCH, END, ERROR = "progress", "batch", "end", "error"
PROGRESS_EVERY = 50_000  # units between progress messages


class ImportFileError(Exception):
    """The file cannot be read as the register's JSON array; the message says why."""


def ijson_backend() -> Any:
    """The C backend (yajl2_c) when it is built, else the best ijson found."""
    try:
        return ijson.get_backend("yajl2_c")
    except Exception:
        return ijson


class _Counting(io.RawIOBase):
    """Counts the (compressed) bytes read, for the progress bar."""

    def __init__(self, raw: BinaryIO, on_read: Callable[[int], None]) -> None:
        self.raw, self.on_read = raw, on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer)  # type: ignore[attr-defined]  # raw is a binary file object (readinto), typed as IO
        if n:
            self.on_read(n)
        return n or 0


@contextlib.contextmanager
def open_register(path: Path, on_read: Callable[[int], None] | None = None) -> Iterator[BinaryIO]:
    """The file's JSON text as a binary stream, unpacked when gzipped (told by its magic bytes, not its
    name). Raises ImportFileError unless the text starts a JSON array."""
    with Path(path).open("rb") as raw:
        gzipped = raw.peek(2)[:2] == b"\x1f\x8b"
        stream: Any = raw
        if on_read is not None:
            stream = io.BufferedReader(_Counting(raw, on_read), buffer_size=1 << 16)
        if gzipped:
            stream = gzip.GzipFile(fileobj=stream, mode="rb")
        if stream.peek(64).lstrip()[:1] != b"[":
            raise ImportFileError(f"{Path(path).name}: not a JSON array of units (enheter_alle.json[.gz])")
        yield stream


def iter_units(handle: BinaryIO) -> Iterator[Any]:
    """The elements of the top-level array, one at a time."""
    return ijson_backend().items(handle, "item", use_float=True)


@dataclass(frozen=True)
class Selection:
    """Which raw units the portal stores: municipalities and county authorities, every organisation
    it already knows, and every unit an active membership rule selects (``prefixes`` per form; a form
    in ``any_industry`` is selected whatever its industry). Plain data, so it can be sent to the
    reader process."""

    known: frozenset[str]
    any_industry: frozenset[str]
    prefixes: dict[str, tuple[str, ...]]

    def relevant(self, raw: Any) -> bool:
        """Called for every unit of the bulk file, so it does as little as it can."""
        if raw.__class__ is not dict:
            return False
        if raw.get("organisasjonsnummer") in self.known:
            return True
        form = raw.get("organisasjonsform")
        if form.__class__ is not dict or "slettedato" in raw:
            return False  # a deleted unit the portal never knew is of no interest
        form = form.get("kode")
        if form in PUBLIC_FORMS or form in self.any_industry:
            return True
        prefixes = self.prefixes.get(form)  # type: ignore[arg-type]  # no form finds no prefixes
        if not prefixes:
            return False
        for key in CODE_KEYS:
            item = raw.get(key)
            code = item.get("kode") if item.__class__ is dict else None
            if code.__class__ is str and code.startswith(prefixes):
                return True
        return False


def read_batches(
    path: str, start: int, selection: Selection, batch_size: int, scan_limit: int, send: Callable[[Any], None]
) -> None:
    """The reader: every unit of ``path`` after the first ``start``, in batches as described above.
    Runs in the child process (``send`` is its end of the pipe); also callable in-process."""
    read = [0]

    def on_read(n: int) -> None:
        read[0] += n

    index = pending = 0
    batch: list[dict[str, Any]] = []
    relevant = selection.relevant
    try:
        with open_register(Path(path), on_read) as handle:
            for raw in iter_units(handle):
                index += 1
                if index <= start:
                    if not index % PROGRESS_EVERY:
                        send((PROGRESS, None, None, read[0]))
                    continue
                pending += 1
                if relevant(raw):
                    batch.append(raw)
                if len(batch) >= batch_size or pending >= scan_limit:
                    send((BATCH, index, batch, read[0]))
                    batch, pending = [], 0
                elif not pending % PROGRESS_EVERY:
                    send((PROGRESS, None, None, read[0]))
        send((END, index, batch if (batch or pending) else None, read[0]))
    except ImportFileError as exc:
        send((ERROR, index, str(exc), read[0]))
    except (ijson.JSONError, ijson.IncompleteJSONError, OSError, EOFError) as exc:
        send((ERROR, index, f"{Path(path).name}: not a readable register file after unit {index}: {exc}", read[0]))


def main() -> None:
    """The child process (``python -m enhetsregisteret.reader``): its parameters come pickled on
    stdin, its messages go pickled to stdout (nothing else may be written there)."""
    out = sys.stdout.buffer
    path, start, selection, batch_size, scan_limit = pickle.load(sys.stdin.buffer)  # noqa: S301 - our parent's pipe

    def send(message: Any) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    # BrokenPipeError: the parent stopped listening (it failed or was stopped): nothing left to do.
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):
        read_batches(path, start, selection, batch_size, scan_limit, send)


if __name__ == "__main__":
    main()
