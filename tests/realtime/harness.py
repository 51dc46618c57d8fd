"""Feeds server events (our wire fixtures) to a SessionLogic and records what it commanded."""

from __future__ import annotations

import json
from typing import Any

from media_host.audio_io import PlaybackCut
from media_host.realtime.events import parse_server_event
from media_host.realtime.session_logic import (
    AskAgent,
    Command,
    EmitEvent,
    SendEvent,
    SessionLogic,
    StopPlayback,
)
from tests.realtime.fakes import LINE_DROPPED, NOT_CAUGHT, reply


class LogicHarness:
    """Runs a SessionLogic with a pretend playback: StopPlayback is answered with `cut`."""

    def __init__(self, **kwargs: Any) -> None:
        # The agent's recovery sentences, as the bridge passes them (see fakes.ScriptedAgent).
        kwargs.setdefault("not_caught", reply(NOT_CAUGHT))
        kwargs.setdefault("line_dropped", reply(LINE_DROPPED))
        self.logic = SessionLogic(**kwargs)
        self.now = 0.0
        self.playing = False
        self.cut = PlaybackCut(item_id=None, played_ms=0, received_ms=0)
        self.out: list[Command] = []

    def run(self, cmds: list[Command]) -> list[Command]:
        done: list[Command] = []
        for cmd in cmds:
            done.append(cmd)
            if isinstance(cmd, StopPlayback):
                was_playing, self.playing = self.playing, False
                done += self.run(
                    self.logic.on_playback_stopped(
                        self.cut, was_playing=was_playing, reason=cmd.reason, now=self.now
                    )
                )
        return done

    def feed(self, *events: dict[str, Any]) -> list[Command]:
        done: list[Command] = []
        for raw in events:
            parsed = parse_server_event(json.dumps(raw))
            done += self.run(self.logic.on_server_event(parsed, self.now))
        return done

    def connect(self) -> list[Command]:
        return self.run(self.logic.on_connected(self.now))

    def tick(self, *, playing: bool | None = None) -> list[Command]:
        if playing is not None:
            self.playing = playing
        return self.run(self.logic.on_tick(self.now, playing=self.playing))


def sent(cmds: list[Command], kind: str | None = None) -> list[dict[str, Any]]:
    events = [dict(c.event) for c in cmds if isinstance(c, SendEvent)]
    return [e for e in events if kind is None or e["type"] == kind]


def emitted(cmds: list[Command], cls: type | None = None) -> list[Any]:
    return [
        c.data
        for c in cmds
        if isinstance(c, EmitEvent) and (cls is None or isinstance(c.data, cls))
    ]


def asked(cmds: list[Command]) -> list[tuple[str, str]]:
    return [(c.item_id, c.text) for c in cmds if isinstance(c, AskAgent)]
