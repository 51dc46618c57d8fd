"""DataChannelMirror: events out, bounded and validated typed text in."""

from __future__ import annotations

import json

import pytest
from pyee import EventEmitter

from media_host.webrtc.datachannel import DataChannelMirror, Refusal
from shared.events import Event, NewEvent, SessionStatus, StatusUpdate


class FakeChannel(EventEmitter):
    """An in-memory stand-in for RTCDataChannel (readyState, send, close, message events)."""

    def __init__(self) -> None:
        super().__init__()
        self.readyState = "open"
        self.sent: list[str] = []

    def send(self, data: str) -> None:
        self.sent.append(data)

    def close(self) -> None:
        self.readyState = "closed"


@pytest.fixture
def wired():
    channel = FakeChannel()
    texts: list[str] = []
    refusals: list[Refusal] = []
    mirror = DataChannelMirror(
        channel,
        on_text=texts.append,
        on_refusal=refusals.append,
        max_message_bytes=256,
        max_text_chars=50,
    )
    return channel, mirror, texts, refusals


def test_typed_text_is_accepted(wired) -> None:
    channel, _, texts, refusals = wired
    channel.emit("message", json.dumps({"type": "text", "text": "  my chest hurts "}))
    assert texts == ["my chest hurts"] and refusals == [] and channel.sent == []


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("x" * 300, "message_too_large"),
        (json.dumps({"type": "text", "text": "é" * 200}), "message_too_large"),  # bytes, not chars
        (b"\x00\x01", "invalid_message"),
        ("not json", "invalid_message"),
        (json.dumps(["text"]), "invalid_message"),
        (json.dumps({"type": "audio", "text": "hi"}), "invalid_message"),
        (json.dumps({"type": "text", "text": "   "}), "invalid_text"),
        (json.dumps({"type": "text", "text": 5}), "invalid_text"),
        (json.dumps({"type": "text", "text": "y" * 51}), "invalid_text"),
    ],
)
def test_bad_messages_are_refused_on_the_channel_and_reported(wired, message, code) -> None:
    channel, _, texts, refusals = wired
    channel.emit("message", message)
    assert texts == []
    assert [r.code for r in refusals] == [code]
    (reply,) = [json.loads(m) for m in channel.sent]
    assert reply["type"] == "error" and reply["code"] == code
    assert "y" * 10 not in reply["message"]  # the refused text is never echoed


def test_events_are_mirrored_in_client_form(wired) -> None:
    channel, mirror, _, _ = wired
    event = Event.from_new(
        NewEvent(data=StatusUpdate(status=SessionStatus.CONNECTED)), seq=3, session_id="s1"
    )
    mirror.send_event(event)
    (body,) = [json.loads(m) for m in channel.sent]
    assert body["seq"] == 3 and body["type"] == "status_update"
    assert body["data"] == {"status": "connected", "detail": ""}
    assert Event.from_wire(body) == event


def test_nothing_is_sent_on_a_closed_channel(wired) -> None:
    channel, mirror, _, _ = wired
    mirror.close()
    assert channel.readyState == "closed"
    connected = NewEvent(data=StatusUpdate(status=SessionStatus.CONNECTED))
    event = Event.from_new(connected, seq=1, session_id="s")
    mirror.send_event(event)
    channel.emit("message", "x" * 1000)  # listeners are gone after close
    assert channel.sent == []
