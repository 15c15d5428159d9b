"""The pure parts of the benchmarks' tooling (bench/; not timed): the counting SMTP sink of bench/publish.py."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from smtp_sink import Counting  # bench/ is not a package: on the path above


def test_the_sink_counts_messages_per_recipient_and_per_message_id_so_a_repeat_shows() -> None:
    sink = Counting()
    sink.count(["A@example.no"], b"Message-ID: <outbox-1@x>\r\nSubject: a\r\n\r\nMessage-ID: <not-a-header>\r\n")
    sink.count(["a@example.no", "b@example.no"], b"Subject: b\r\nMessage-Id: <outbox-2@x>\r\n\r\nbody")
    sink.count(["b@example.no"], "Message-ID: <outbox-2@x>\n\nthe same again")
    figures = sink.snapshot(final=True)
    assert figures["messages"] == 3 and figures["first"] <= figures["last"]
    assert figures["recipient_counts"] == {"a@example.no": 2, "b@example.no": 2}
    assert figures["message_id_counts"] == {"<outbox-1@x>": 1, "<outbox-2@x>": 2}
    assert "recipient_counts" not in sink.snapshot(final=False)
