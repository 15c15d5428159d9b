"""A real SMTP server on loopback that counts what it receives, for bench/publish.py (test tooling, not product).

    .venv/bin/python bench/smtp_sink.py --port 2525 --status /tmp/sink.json

aiosmtpd (a development dependency) speaks SMTP; each message is counted per recipient and per Message-ID,
and the time of the first and the last one is kept. Every half second, and once more when the process is
told to stop (SIGTERM), the figures go to ``--status`` as JSON (written to a temporary file and renamed, so a
reader never sees half of it): ``messages``, ``first``, ``last`` (Unix time), ``recipients`` and
``message_ids`` (counts; the full tables only in the final write, with ``final: true``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class Counting:
    """The aiosmtpd handler: accepts every message and counts it."""

    def __init__(self) -> None:
        self.recipients: Counter[str] = Counter()
        self.message_ids: Counter[str] = Counter()
        self.messages = 0
        self.first: float | None = None
        self.last: float | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        self.count(envelope.rcpt_tos, envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"

    def count(self, recipients: list[str], content: bytes | str) -> None:
        now = time.time()
        self.first = self.first or now
        self.last = now
        self.messages += 1
        for address in recipients:
            self.recipients[address.lower()] += 1
        raw = content.encode() if isinstance(content, str) else content
        head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        found = MESSAGE_ID.search(head)
        self.message_ids[found.group(1).decode() if found else f"<none-{self.messages}>"] += 1

    def snapshot(self, *, final: bool) -> dict[str, Any]:
        figures: dict[str, Any] = {
            "messages": self.messages,
            "first": self.first,
            "last": self.last,
            "recipients": len(self.recipients),
            "message_ids": len(self.message_ids),
            "final": final,
        }
        if final:
            figures["recipient_counts"] = dict(self.recipients)
            figures["message_id_counts"] = dict(self.message_ids)
        return figures


def write(path: Path, figures: dict[str, Any]) -> None:
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(figures))
    os.replace(partial, path)


async def serve(port: int, status: Path) -> None:
    from aiosmtpd.smtp import SMTP

    handler = Counting()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.bench", enable_SMTPUTF8=True, data_size_limit=0, timeout=300),
        "127.0.0.1",
        port,
    )
    stopped = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopped.set)
    loop.add_signal_handler(signal.SIGINT, stopped.set)
    write(status, handler.snapshot(final=False))
    print(f"listening on {port}", flush=True)
    while not stopped.is_set():
        try:
            await asyncio.wait_for(stopped.wait(), 0.5)
        except TimeoutError:
            write(status, handler.snapshot(final=False))
    server.close()
    write(status, handler.snapshot(final=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--status", type=Path, required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.status))


if __name__ == "__main__":
    main()
