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
import fcntl
import hashlib
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction
from django.utils import timezone

from enhetsregisteret.apply import Applier
from enhetsregisteret.models import ImportCheckpoint
from enhetsregisteret.reader import BATCH, END, ERROR, ImportFileError, Selection
from enhetsregisteret.records import parse_unit

__all__ = ["DEFAULT_BATCH_SIZE", "DEFAULT_SCAN_LIMIT", "ImportFileError", "ImportReport", "import_file"]

DEFAULT_BATCH_SIZE = 5000  # relevant units written per transaction
DEFAULT_SCAN_LIMIT = 100_000  # units read at most before a batch is written (the checkpoint's step)
_IDENTITY_BYTES = 1 << 20
PIPE_BYTES = 1 << 20
LOOKAHEAD = 4  # messages read ahead of the writer: about two batches, with the progress messages between


class ReaderProcess:
    """``python -m enhetsregisteret.reader`` as a child process, and its messages as an iterator: the
    file is unpacked and parsed on one core while this process writes the previous batch (and the
    database works) on the other. The child is stopped on the way out, whatever happened."""

    def __init__(self, path: Path, start: int, selection: Selection, batch_size: int, scan_limit: int) -> None:
        self.parameters = (str(path), start, selection, batch_size, scan_limit)

    def __enter__(self) -> Iterator[tuple[str, int, Any, int]]:
        root = str(Path(__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "enhetsregisteret.reader"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            bufsize=PIPE_BYTES,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        # A pipe of 1 MiB instead of 64 KiB: the receiving thread needs the GIL back after every read,
        # and while this process is busy writing it gets it only every few milliseconds; with a small
        # pipe the child then waits, with a large one it goes on parsing.
        with contextlib.suppress(AttributeError, OSError):  # not Linux, or a lower system limit
            fcntl.fcntl(self.process.stdout.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        pickle.dump(self.parameters, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        self.process.stdin.close()
        # A thread reads the child's messages ahead into a short queue, so that the child goes on
        # parsing while this thread writes (even the widened pipe holds less than a batch).
        self.queue: queue.Queue[tuple[str, int, Any, int] | None] = queue.Queue(maxsize=LOOKAHEAD)
        self.receiver = threading.Thread(target=self._receive, args=(self.process.stdout,), daemon=True)
        self.receiver.start()
        return self._messages()

    def _receive(self, stream: BinaryIO) -> None:
        try:
            while True:
                try:
                    message = pickle.load(stream)  # noqa: S301 - our own child's pipe
                except (EOFError, OSError, pickle.UnpicklingError):  # the child ended, whole or mid-message
                    return
                self.queue.put(message)
        finally:
            self.queue.put(None)

    def _messages(self) -> Iterator[tuple[str, int, Any, int]]:
        while (message := self.queue.get()) is not None:
            yield message

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        while self.receiver.is_alive():  # unblock a receiver waiting for room in the queue
            with contextlib.suppress(queue.Empty):
                self.queue.get(timeout=0.05)
        self.receiver.join()
        if self.process.stdout is not None:
            self.process.stdout.close()


def file_identity(path: Path) -> str:
    """Name, size and a hash of the first MiB: the same file resumes, a new night's file starts over."""
    stat = path.stat()
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        digest.update(handle.read(_IDENTITY_BYTES))
    return f"{path.name[:60]}:{stat.st_size}:{digest.hexdigest()[:40]}"


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


def _checkpoint(path: Path, *, force: bool) -> ImportCheckpoint:
    """The file's checkpoint (made on the first run); ``force`` starts a finished file over."""
    now = timezone.now()
    checkpoint, _created = ImportCheckpoint.objects.get_or_create(
        file_key=file_identity(path), defaults={"file_name": path.name[:255], "started_at": now, "updated_at": now}
    )
    if checkpoint.finished_at and force:
        ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(
            units_done=0, batches_done=0, created=0, updated=0, finished_at=None, started_at=now, updated_at=now
        )
        checkpoint.refresh_from_db()
    return checkpoint


def _changed_records(applier: Applier, batch: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The raw records whose digest differs from the one stored with their unit, and every digest."""
    digests = {}
    for raw in batch:
        number = raw.get("organisasjonsnummer")
        if isinstance(number, str):
            digests[number] = hashlib.blake2b(repr(raw).encode(), digest_size=16).hexdigest()
    stored = applier.stored_hashes(list(digests))
    changed = [
        raw
        for raw in batch
        if stored.get(raw.get("organisasjonsnummer"), "-") != digests.get(raw.get("organisasjonsnummer"))  # type: ignore[arg-type]  # a record without a number matches nothing stored
    ]
    return changed, digests


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
    checkpoint = _checkpoint(path, force=force)
    report = ImportReport()
    if checkpoint.finished_at:
        report.already_done = True
        report.units = checkpoint.units_done
        return report
    start = checkpoint.units_done
    report.resumed_from = start
    applier = Applier()
    index = start
    sent = 0

    def flush(done: int, batch: list[dict[str, Any]]) -> None:
        changed, digests = _changed_records(applier, batch)
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
        if after_batch is not None:
            after_batch(done)

    with ReaderProcess(path, start, applier.selection(), batch_size, scan_limit) as messages:
        for kind, done, payload, read in messages:
            if progress is not None and read > sent:
                progress(read - sent)
                sent = read
            if kind == ERROR:
                raise ImportFileError(payload)
            if kind == BATCH or (kind == END and payload is not None):
                flush(done, payload)
            if kind in (BATCH, END):
                index = done
            if kind == END:
                break
        else:
            raise ImportFileError(f"{path.name}: the reader stopped after unit {index}")
    report.units = index
    with transaction.atomic():
        ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(
            units_done=index, finished_at=timezone.now(), updated_at=timezone.now()
        )
    return report
