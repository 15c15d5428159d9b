"""The bulk import of ``enheter_alle.json.gz`` (or its unpacked ``.json``): one JSON array of about
1.17 million main units, read as a stream with ijson, in bounded memory.

A batch ends after ``batch_size`` relevant units (those the portal stores) or ``scan_limit`` units
read, whichever comes first. Each batch is written in its own transaction together with the file's
checkpoint (how many units of the file are done), so an import killed at any point
leaves the database as it was after the last whole batch, and the next run of the same file resumes
after it: no partial batch, no duplicates. A finished file is not imported again unless asked.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import ijson
from django.db import transaction
from django.utils import timezone

from enhetsregisteret.apply import Applier
from enhetsregisteret.models import ImportCheckpoint
from enhetsregisteret.records import parse_unit

DEFAULT_BATCH_SIZE = 5000  # relevant units written per transaction
DEFAULT_SCAN_LIMIT = 100_000  # units read at most before a batch is written (the checkpoint's step)
_IDENTITY_BYTES = 1 << 20


def ijson_backend() -> Any:
    """The C backend (yajl2_c) when it is built, else the best ijson found."""
    try:
        return ijson.get_backend("yajl2_c")
    except Exception:
        return ijson


class ImportFileError(Exception):
    """The file cannot be read as the register's JSON array; the message says why."""


def file_identity(path: Path) -> str:
    """Name, size and a hash of the first MiB: the same file resumes, a new night's file starts over."""
    stat = path.stat()
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        digest.update(handle.read(_IDENTITY_BYTES))
    return f"{path.name[:60]}:{stat.st_size}:{digest.hexdigest()[:40]}"


class _Counting(io.RawIOBase):
    """Counts the (compressed) bytes read, for the progress bar."""

    def __init__(self, raw: BinaryIO, on_read: Callable[[int], None]) -> None:
        self.raw, self.on_read = raw, on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        if n:
            self.on_read(n)
        return n or 0


@contextlib.contextmanager
def open_register(path: Path, on_read: Callable[[int], None] | None = None) -> Iterator[BinaryIO]:
    """The file's JSON text as a binary stream, unpacked when gzipped (told by its magic bytes, not its
    name). Raises ImportFileError unless the text starts a JSON array."""
    with path.open("rb") as raw:
        gzipped = raw.peek(2)[:2] == b"\x1f\x8b"
        stream: Any = raw
        if on_read is not None:
            stream = io.BufferedReader(_Counting(raw, on_read), buffer_size=1 << 16)
        if gzipped:
            stream = gzip.GzipFile(fileobj=stream, mode="rb")
        if stream.peek(64).lstrip()[:1] != b"[":
            raise ImportFileError(f"{path.name}: not a JSON array of units (enheter_alle.json[.gz])")
        yield stream


def iter_units(handle: BinaryIO) -> Iterator[dict[str, Any]]:
    """The elements of the top-level array, one dict at a time."""
    backend = ijson_backend()
    return backend.items(handle, "item", use_float=True)


@dataclass
class ImportReport:
    units: int = 0
    skipped: int = 0
    created: int = 0
    updated: int = 0
    follow_ups: int = 0
    batches: int = 0
    resumed_from: int = 0
    already_done: bool = False


def import_file(
    path: Path,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    scan_limit: int = DEFAULT_SCAN_LIMIT,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
    after_batch: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import ``path``. ``progress`` receives compressed bytes read; ``after_batch`` the number of units
    done after each committed batch (tests use it to kill an import mid-file)."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    key = file_identity(path)
    now = timezone.now()
    checkpoint, _created = ImportCheckpoint.objects.get_or_create(
        file_key=key, defaults={"file_name": path.name[:255], "started_at": now, "updated_at": now}
    )
    report = ImportReport()
    if checkpoint.finished_at and not force:
        report.already_done = True
        report.units = checkpoint.units_done
        return report
    if checkpoint.finished_at and force:
        ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(
            units_done=0, batches_done=0, created=0, updated=0, finished_at=None, started_at=now, updated_at=now
        )
        checkpoint.refresh_from_db()
    start = checkpoint.units_done
    report.resumed_from = start
    applier = Applier()
    index = 0
    batch: list[dict[str, Any]] = []

    def flush(done: int) -> None:
        digests = {}
        for raw in batch:
            number = raw.get("organisasjonsnummer")
            if isinstance(number, str):
                digests[number] = hashlib.blake2b(repr(raw).encode(), digest_size=16).hexdigest()
        stored = applier.stored_hashes(list(digests))
        changed = [
            raw
            for raw in batch
            if stored.get(raw.get("organisasjonsnummer"), "-") != digests.get(raw.get("organisasjonsnummer"))
        ]
        units = [unit for raw in changed if (unit := parse_unit(raw)) is not None]
        report.skipped += len(changed) - len(units)
        with transaction.atomic():
            result = applier.apply(units, hashes=digests)
            ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(
                units_done=done,
                batches_done=checkpoint.batches_done + report.batches + 1,
                created=checkpoint.created + report.created + result.created,
                updated=checkpoint.updated + report.updated + result.updated,
                updated_at=timezone.now(),
            )
        report.created += result.created
        report.updated += result.updated
        report.follow_ups += result.follow_ups
        report.batches += 1
        batch.clear()
        if after_batch is not None:
            after_batch(done)

    try:
        with open_register(path, progress) as handle:
            pending = 0
            for raw in iter_units(handle):
                index += 1
                if index <= start:
                    continue
                pending += 1
                if isinstance(raw, dict) and applier.relevant(raw):
                    batch.append(raw)
                if len(batch) >= batch_size or pending >= scan_limit:
                    flush(index)
                    pending = 0
            if pending or batch:
                flush(index)
    except (ijson.JSONError, ijson.IncompleteJSONError, OSError, EOFError) as exc:
        raise ImportFileError(f"{path.name}: not a readable register file after unit {index}: {exc}") from None
    report.units = index
    with transaction.atomic():
        ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(
            units_done=index, finished_at=timezone.now(), updated_at=timezone.now()
        )
    return report
