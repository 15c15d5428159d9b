"""The bulk import of ``enheter_alle.json.gz`` (or its unpacked ``.json``): one JSON array of about
1.17 million main units, read as a stream with ijson, in bounded memory.

All or nothing, and still resumable. The file is read in batches: a batch ends after ``batch_size``
relevant units (those the portal stores) or ``scan_limit`` units read, whichever comes first. Each
batch's changed units are *staged* (``StagedUnit``) in their own transaction together with the file's
checkpoint (how many units of the file are done), so an import killed at any point resumes after the
last whole batch: no partial batch, no duplicates. Only when the whole file was read are the staged
units applied to the register, in one transaction with the checkpoint's end: a truncated or broken
file, or a crash while applying, leaves the register exactly as it was. A finished file is not
imported again unless asked.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
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

from django.db import connection, transaction
from django.utils import timezone

from enhetsregisteret.apply import Applier
from enhetsregisteret.models import ImportCheckpoint, StagedUnit
from enhetsregisteret.reader import BATCH, END, ERROR, ImportFileError, Selection
from enhetsregisteret.records import parse_unit

__all__ = ["DEFAULT_BATCH_SIZE", "DEFAULT_SCAN_LIMIT", "ImportFileError", "ImportReport", "import_file", "stage_batch"]

DEFAULT_BATCH_SIZE = 5000  # relevant units written per transaction
DEFAULT_SCAN_LIMIT = 100_000  # units read at most before a batch is written (the checkpoint's step)
_IDENTITY_BYTES = 1 << 20
PIPE_BYTES = 1 << 20
CHILD_EXIT_SECONDS = 10  # how long a reader that sent the whole file may take to end before it is killed
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

    def __exit__(self, exc_type: object, *exc: object) -> None:
        # After the whole file the child is ending on its own (it may still be closing its pipe): let it. On an
        # error (or an import stopped mid-file) it is killed at once.
        if exc_type is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=CHILD_EXIT_SECONDS)
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


def stage_batch(checkpoint_id: int, position: int, rows: list[tuple[str, dict[str, Any]]]) -> None:
    """Stage a batch's changed units (their record hash and the record as read); the caller owns the
    transaction. COPY on PostgreSQL, one multi-row insert per few hundred rows elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(StagedUnit._meta.db_table)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} (checkpoint_id, position, record_hash, raw) FROM STDIN") as copy,
        ):
            for digest, raw in rows:
                copy.write_row([checkpoint_id, position, digest, json.dumps(raw)])
        return
    StagedUnit.objects.bulk_create(
        [StagedUnit(checkpoint_id=checkpoint_id, position=position, record_hash=h, raw=raw) for h, raw in rows],
        batch_size=500,
    )


def _discard_staged(checkpoint_ids: list[int]) -> None:
    """Forget what was staged from files that will not be finished (a newer file came, or a forced run):
    their checkpoints start from the beginning again."""
    if not checkpoint_ids:
        return
    with transaction.atomic():
        StagedUnit.objects.filter(checkpoint_id__in=checkpoint_ids).delete()
        ImportCheckpoint.objects.filter(pk__in=checkpoint_ids).update(units_done=0, batches_done=0)


def _apply_staged(checkpoint: ImportCheckpoint, applier: Applier, batch_size: int, report: ImportReport) -> None:
    """Apply every staged unit of the file, in file order, in chunks (the caller's one transaction)."""
    last = 0
    while True:
        rows = list(
            StagedUnit.objects.filter(checkpoint=checkpoint, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "record_hash", "raw")[:batch_size]
        )
        if not rows:
            return
        last = rows[-1][0]
        hashes = {raw["organisasjonsnummer"]: digest for _pk, digest, raw in rows if isinstance(raw, dict)}
        units = [unit for _pk, _digest, raw in rows if (unit := parse_unit(raw)) is not None]
        report.skipped += len(rows) - len(units)
        result = applier.apply(units, hashes=hashes)
        report.created += result.created
        report.updated += result.updated
        report.follow_ups += result.follow_ups


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
    done after each committed (staged) batch (tests use it to kill an import mid-file)."""
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
    # Another file left half-read will not be finished: its staged units go (this file supersedes it).
    abandoned = list(
        ImportCheckpoint.objects.filter(finished_at=None).exclude(pk=checkpoint.pk).values_list("pk", flat=True)
    )
    if checkpoint.finished_at and force:
        abandoned.append(checkpoint.pk)
        ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(
            created=0, updated=0, finished_at=None, started_at=now, updated_at=now
        )
    _discard_staged(abandoned)
    checkpoint.refresh_from_db()
    start = checkpoint.units_done
    report.resumed_from = start
    applier = Applier()
    index = start
    sent = 0

    def flush(done: int, batch: list[dict[str, Any]]) -> None:
        digests = {}
        for raw in batch:
            number = raw.get("organisasjonsnummer")
            if isinstance(number, str):
                digests[number] = hashlib.blake2b(repr(raw).encode(), digest_size=16).hexdigest()
        stored = applier.stored_hashes(list(digests))
        changed = [
            (digests[number], raw)
            for raw in batch
            if isinstance(number := raw.get("organisasjonsnummer"), str) and stored.get(number, "-") != digests[number]
        ]
        report.skipped += sum(1 for raw in batch if not isinstance(raw.get("organisasjonsnummer"), str))
        with transaction.atomic():
            stage_batch(checkpoint.pk, done, changed)
            ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(
                units_done=done,
                batches_done=checkpoint.batches_done + report.batches + 1,
                updated_at=timezone.now(),
            )
        report.batches += 1
        if after_batch is not None:
            after_batch(done)

    with ReaderProcess(path, start, applier.selection(), batch_size, scan_limit) as messages:
        for kind, done, payload, read in messages:
            if progress is not None and read > sent:
                progress(read - sent)
                sent = read
            if kind == ERROR:
                raise ImportFileError(f"{payload}. {UNCHANGED}")
            if kind == BATCH or (kind == END and payload is not None):
                flush(done, payload)
            if kind in (BATCH, END):
                index = done
            if kind == END:
                break
        else:
            raise ImportFileError(f"{path.name}: the reader stopped after unit {index}. {UNCHANGED}")
    report.units = index
    # The whole file was read: the register moves to its new state in one transaction.
    with transaction.atomic():
        _apply_staged(checkpoint, applier, batch_size, report)
        ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(
            units_done=index,
            created=report.created,
            updated=report.updated,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        StagedUnit.objects.filter(checkpoint=checkpoint).delete()
    return report


UNCHANGED = (
    "The register is unchanged: nothing of a file is applied until the whole file has been read "
    "(the next run of the same file resumes where this one stopped)"
)
