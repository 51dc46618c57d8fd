"""TranscriptLog: conversation order, exactly-once finals, batching, give-up rules."""

from __future__ import annotations

from media_host.realtime.transcripts import TranscriptLog


def texts(released) -> list[tuple[str, str, bool]]:
    return [(c.item_id, c.text, c.final) for c in released.chunks]


def test_items_are_placed_after_their_previous_item() -> None:
    log = TranscriptLog(batch_ms=200, wait_s=10)
    log.register("u1", None, "patient", 0)
    log.register("u2", "a1", "patient", 0)  # predecessor not known yet: goes last
    log.register("a1", "u1", "agent", 0)  # slots in right after u1
    assert texts(log.final("u2", "patient", "second", 0)) == []
    assert texts(log.final("a1", "agent", "reply", 0)) == []
    released = log.final("u1", "patient", "first", 0)
    assert [c[0] for c in texts(released)] == ["u1", "a1", "u2"]
    assert released.patient_finals == (("u1", "first"), ("u2", "second"))


def test_a_pending_agent_item_is_never_given_up_on_by_time() -> None:
    log = TranscriptLog(batch_ms=200, wait_s=1)
    log.register("a1", None, "agent", 0)
    log.register("u1", "a1", "patient", 0)
    log.final("u1", "patient", "hello", 0)
    assert texts(log.tick(100)) == []  # still waiting for a1, whose response must end
    assert [c[0] for c in texts(log.final("a1", "agent", "hi", 100))] == ["a1", "u1"]


def test_items_without_text_do_not_hold_the_queue() -> None:
    log = TranscriptLog(batch_ms=200, wait_s=10)
    log.register("fc", None, None, 0)  # a function call item
    log.register("u1", "fc", "patient", 0)
    assert texts(log.final("u1", "patient", "ok", 0)) == [("u1", "ok", True)]


def test_flush_all_releases_held_finals_and_pending_deltas() -> None:
    log = TranscriptLog(batch_ms=200, wait_s=10)
    log.register("u1", None, "patient", 0)
    log.register("a1", "u1", "agent", 0)
    log.final("a1", "agent", "Go on.", 0)
    log.delta("u2", "patient", "I also", 0.05)
    assert texts(log.flush_all(0.1)) == [("a1", "Go on.", True), ("u2", "I also", False)]
    assert texts(log.flush_all(0.2)) == []
