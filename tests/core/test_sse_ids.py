"""`Last-Event-ID` as clients send it: ours are 64-bit integers; anything else restarts, never a 500."""

from __future__ import annotations

from jarvis.core.sse import last_event_id


def test_last_event_id_parses_ours_and_ignores_the_rest() -> None:
    assert last_event_id("42") == 42
    assert last_event_id(" 7 ") == 7
    assert last_event_id(None) is None
    assert last_event_id("abc") is None
    assert last_event_id("9" * 5000) is None  # int() refuses 4,300+ digits: this was a 500 on both streams
