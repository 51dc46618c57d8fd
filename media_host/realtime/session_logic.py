"""The realtime session as a pure state machine: inputs in, commands out, no I/O.

Inputs are parsed server events (:mod:`media_host.realtime.events`) and local happenings (agent
turn ready, playback interrupted, clock tick, connection up/down). Outputs are
:data:`Command` values the bridge executes in order. :class:`StopPlayback` is the one command
that must jump ahead of queued audio: the bridge runs it at once and reports the
:class:`~media_host.audio_io.PlaybackCut` back through :meth:`SessionLogic.on_playback_stopped`.

Rules this logic relies on (see docs/realtime-bridge.md): ``response.done`` always arrives and
is the only thing that frees the response slot; only one response may be active; a barge-in
truncates the assistant item at the milliseconds actually played (item-relative, clamped to what
was received); fatal errors are followed by a close frame.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any, Literal

from media_host.audio_io import PlaybackCut, pcm16_24k_ms
from media_host.intake_agent import replies
from media_host.intake_agent.models import AgentReply, AgentTurn
from media_host.realtime import events as ev
from media_host.realtime.errors import ErrorKind
from media_host.realtime.transcripts import Released, Speaker, TranscriptLog
from shared.events import (
    BargeIn,
    ErrorEvent,
    EventData,
    RedFlag,
    SessionStatus,
    StatusUpdate,
    SymptomComplete,
)

# --- commands ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendEvent:
    """Send a client event to the model (dropped by the bridge while disconnected)."""

    event: Any  # one of the client event params built in events.py


@dataclass(frozen=True)
class PlayAudio:
    item_id: str
    pcm16_24k: bytes


@dataclass(frozen=True)
class EmitEvent:
    data: EventData


@dataclass(frozen=True)
class AskAgent:
    """Give a final patient utterance to the intake agent (in conversation order)."""

    item_id: str
    text: str


@dataclass(frozen=True)
class FetchSummary:
    """The interview ended without a summary in the turn: ask the agent to finish."""


@dataclass(frozen=True)
class StopPlayback:
    """Jumps the queue: stop playback now, drop buffered audio, report the cut."""

    reason: Literal["barge_in", "red_flag", "reconnect"]


@dataclass(frozen=True)
class EndSession:
    status: SessionStatus


Command = SendEvent | PlayAudio | EmitEvent | AskAgent | FetchSummary | StopPlayback | EndSession

Purpose = Literal["greeting", "answer", "red_flag", "repeat"]


@dataclass
class Reply:
    """Something the agent wants said: its exact sentence plus guidance for the model."""

    say: str
    guidance: str
    purpose: Purpose
    closing: bool = False
    attempts: int = 0
    not_before: float = 0.0


@dataclass
class _Response:
    response_id: str
    reply: Reply | None
    cancel_sent: bool = False
    muted: bool = False  # after barge-in / preemption: its remaining audio is not played
    item_ids: set[str] = field(default_factory=set)


_RED_FLAG_GUIDANCE = (
    "Safety advice that cannot wait. Speak calmly, clearly and at once; do not soften or "
    "shorten it."
)
_MAX_PROTOCOL_ERRORS_REPORTED = 5


class SessionLogic:
    """State of one realtime session across reconnects (one instance per call)."""

    def __init__(
        self,
        *,
        transcript_batch_ms: int = 200,
        transcript_wait_s: float = 10.0,
        max_reply_attempts: int = 3,
        retry_delay_s: float = 2.0,
        not_caught: AgentReply | None = None,
        line_dropped: AgentReply | None = None,
    ) -> None:
        # The agent's own sentences for failures of the line (never our instructions: a model
        # without language understanding speaks whatever it is given).
        self._not_caught = not_caught or _recovery("not_caught")
        self._line_dropped = line_dropped or _recovery("line_dropped")
        self._log = TranscriptLog(batch_ms=transcript_batch_ms, wait_s=transcript_wait_s)
        self._max_attempts = max_reply_attempts
        self._retry_delay_s = retry_delay_s
        self._connected = False
        self._queue: deque[Reply] = deque()
        self._requested: Reply | None = None  # response.create sent, response.created not yet
        self._cancel_requested_on_create = False
        self._active: _Response | None = None
        self._received: OrderedDict[str, int] = OrderedDict()  # item id → bytes received
        self._audio_out = False  # we pushed audio that may still be playing
        self._patient_speaking = False
        self._status: SessionStatus | None = None
        self._closing_generated = False
        self._summary: dict[str, Any] | None = None
        self._summary_requested = False
        self._barged_reply: Reply | None = None  # what a barge-in cut off, until answered
        self._protocol_errors = 0
        self._agent_pending = 0  # utterances handed to the agent and not answered yet
        self._last_question: Reply | None = None  # the last agent sentence asked for
        self._reask_on_connect = False  # the connection dropped: the call must not go silent
        self.unprocessed: list[str] = []  # patient item ids the agent never processed
        self.finished = False
        self.rate_limits: tuple[ev.RateLimit, ...] = ()

    # --- queries ------------------------------------------------------------------------------

    @property
    def is_quiet(self) -> bool:
        """Nothing in flight: a good moment to rotate the connection."""
        return (
            self._active is None
            and self._requested is None
            and not self._queue
            and not self._audio_out
            and not self._patient_speaking
        )

    @property
    def has_active_response(self) -> bool:
        return self._active is not None

    # --- connection ---------------------------------------------------------------------------

    def on_connected(self, now: float) -> list[Command]:
        """A (new) model session is configured; re-issue a reply the old one did not finish.

        After an unexpected drop with nothing left to say and nothing for the agent to answer
        (the patient's answer was lost with the old session, or they were waiting), the last
        question is asked again after an apology, so the call never sits silent.
        """
        self._connected = True
        reask, self._reask_on_connect = self._reask_on_connect, False
        last = self._last_question
        if (
            reask
            and last is not None
            and not self.finished
            and not self._closing_generated
            and not self._queue
            and self._agent_pending == 0
        ):
            say = f"{self._line_dropped.say} {last.say}".strip()
            self._queue.append(Reply(say, last.guidance, "repeat"))
        return self._pump(now)

    def on_disconnected(self, now: float, *, unexpected: bool) -> list[Command]:
        """The model connection is gone (dropped, or closed by us to rotate)."""
        self._connected = False
        self._patient_speaking = False
        cmds: list[Command] = []
        interrupted = self._active.reply if self._active and not self._active.muted else None
        if self._requested is not None:
            interrupted = self._requested
        if self._active is not None and not self._active.muted and self._audio_out:
            cmds.append(StopPlayback("reconnect"))  # the reply is said again from its start
        self._active = None
        self._requested = None
        self._cancel_requested_on_create = False
        if interrupted is not None:
            self._queue.appendleft(interrupted)
        cmds += self._released(self._log.drop_pending(now), now)
        if unexpected:
            self._reask_on_connect = True
            cmds.append(_error("model_connection_lost", "reconnecting to the model", True))
        return cmds

    def on_failed(self, code: str, message: str) -> list[Command]:
        """The model cannot be reached any more: the session fails."""
        if self.finished:
            return []
        return [_error(code, message, False), *self._end(SessionStatus.FAILED, message)]

    def on_close(self, now: float) -> list[Command]:
        """The call is over: release every transcript still held for ordering (no agent calls)."""
        released = self._log.flush_all(now)
        return [EmitEvent(chunk) for chunk in released.chunks]

    # --- local inputs -------------------------------------------------------------------------

    def on_greeting(self, reply: AgentReply, now: float) -> list[Command]:
        self._queue.append(_reply(reply, "greeting"))
        return self._pump(now)

    def on_typed_text(self, item_id: str, text: str, now: float) -> list[Command]:
        """Typed patient input: into the conversation, and to the agent like an utterance."""
        cmds: list[Command] = []
        if self._connected:
            cmds.append(SendEvent(ev.user_text(item_id=item_id, text=text)))
        self._log.register(item_id, None, "patient", now)
        cmds += self._released(self._log.final(item_id, "patient", text, now), now)
        return cmds

    def on_agent_turn(self, turn: AgentTurn, now: float) -> list[Command]:
        self._agent_pending = max(0, self._agent_pending - 1)
        if self.finished:
            return []
        cmds: list[Command] = [
            EmitEvent(
                RedFlag(
                    rule_id=f.rule_id[:64],
                    level=f.level.value,
                    title=f.title[:200],
                    advice=f.advice[:1000],
                )
            )
            for f in turn.new_red_flags
        ]
        if turn.summary is not None:
            self._summary = turn.summary.model_dump(mode="json")
        reply = _reply(turn.reply, "answer")
        reply.closing = reply.closing or turn.summary is not None
        if not turn.new_red_flags:
            # A newer answer supersedes answers not yet spoken (the patient said more since).
            stale = [r for r in self._queue if r.purpose in ("answer", "repeat")]
            for old in stale:
                self._queue.remove(old)
            self._queue.append(reply)
            return cmds + self._pump(now)
        # A red flag preempts whatever is being said or waiting to be said.
        advice = " ".join(dict.fromkeys(f.advice.strip() for f in turn.new_red_flags))
        say = advice if not reply.say or advice in reply.say else f"{advice} {reply.say}"
        self._queue.clear()
        self._queue.append(Reply(say, _RED_FLAG_GUIDANCE, "red_flag", closing=reply.closing))
        if (self._active is not None and not self._active.muted) or self._audio_out:
            cmds.append(StopPlayback("red_flag"))
        elif self._requested is not None:
            self._cancel_requested_on_create = True
        return cmds + self._pump(now)

    def on_agent_failed(self, item_id: str, now: float) -> list[Command]:
        """The agent could not process an utterance even after retries: the summary marks it
        as unprocessed and the patient is asked to say it again."""
        self._agent_pending = max(0, self._agent_pending - 1)
        if item_id not in self.unprocessed:
            self.unprocessed.append(item_id)
        cmds: list[Command] = [
            _error("agent_error", "the intake agent could not process an utterance", True)
        ]
        if self.finished:
            return cmds
        return cmds + self._ask_to_repeat(now)

    def on_summary(self, summary: dict[str, Any], now: float) -> list[Command]:
        self._summary = summary
        return self.on_tick(now, playing=False)

    def on_playback_stopped(
        self, cut: PlaybackCut, *, was_playing: bool, reason: str, now: float
    ) -> list[Command]:
        """The bridge executed :class:`StopPlayback`; truncate what the patient did not hear."""
        cmds: list[Command] = []
        active = self._active
        if reason == "barge_in" and active is not None and not active.muted:
            self._barged_reply = active.reply
        if active is not None:
            if not active.cancel_sent and self._connected and reason != "reconnect":
                # Only while our view says a response is active; a race with the server's own
                # turn_detected cancellation yields a benign response_cancel_not_active.
                cmds.append(SendEvent(ev.response_cancel()))
                active.cancel_sent = True
            active.muted = True
        item_id = cut.item_id
        if item_id is not None and (
            was_playing or (active is not None and item_id in active.item_ids)
        ):
            ours = self._received.get(item_id)
            received_ms = pcm16_24k_ms(ours) if ours is not None else cut.received_ms
            end_ms = max(0, min(cut.played_ms, cut.received_ms, received_ms))
            if self._connected and reason != "reconnect":
                cmds.append(SendEvent(ev.truncate(item_id=item_id, audio_end_ms=end_ms)))
                # Items queued behind the one playing were dropped unheard: the model must
                # not believe it said them.
                order = list(self._received)
                if item_id in order:
                    for unheard in order[order.index(item_id) + 1 :]:
                        cmds.append(SendEvent(ev.truncate(item_id=unheard, audio_end_ms=0)))
            if reason == "barge_in":
                cmds.append(EmitEvent(BargeIn(item_id=item_id, played_ms=end_ms)))
        self._audio_out = False
        if reason == "barge_in":
            cmds += self._set_status(SessionStatus.LISTENING)
        return cmds

    def on_tick(self, now: float, *, playing: bool) -> list[Command]:
        """Periodic: flush transcript batches, notice playback end, finish, retry replies."""
        cmds = self._released(self._log.tick(now), now)
        if self.finished:
            return cmds
        speaking_done = self._active is None or self._active.muted
        if self._audio_out and not playing and speaking_done:
            self._audio_out = False
            cmds += self._set_status(SessionStatus.LISTENING)
        if self._closing_generated and not self._audio_out and self._active is None:
            if self._summary is None:
                if not self._summary_requested:
                    self._summary_requested = True
                    cmds.append(FetchSummary())
                return cmds
            cmds.append(EmitEvent(SymptomComplete(summary=self._marked_summary(self._summary))))
            cmds += self._released(self._log.flush_all(now), now)
            cmds += self._end(SessionStatus.COMPLETED, "intake summary written")
            return cmds
        return cmds + self._pump(now)

    # --- server events ------------------------------------------------------------------------

    def on_server_event(self, event: ev.ServerEvent, now: float) -> list[Command]:
        if self.finished:
            return []
        match event:
            case ev.SpeechStarted():
                self._patient_speaking = True
                if self._audio_out or (self._active is not None and not self._active.muted):
                    return [StopPlayback("barge_in")]
            case ev.SpeechStopped():
                self._patient_speaking = False
            case ev.ItemAdded():
                return self._on_item(event, now)
            case ev.InputTranscriptDelta():
                return self._released(
                    self._log.delta(event.item_id, "patient", event.delta, now), now
                )
            case ev.InputTranscriptDone():
                return self._released(
                    self._log.final(event.item_id, "patient", event.transcript, now), now
                )
            case ev.InputTranscriptFailed():
                cmds = self._released(self._log.resolve_without_text(event.item_id, now), now)
                return cmds + self._ask_to_repeat(now)
            case ev.ResponseCreated():
                return self._on_response_created(event)
            case ev.OutputItemAdded():
                if self._active is not None and self._active.response_id == event.response_id:
                    self._active.item_ids.add(event.item_id)
            case ev.AudioDelta():
                return self._on_audio(event)
            case ev.OutputTranscriptDelta():
                if self._is_audible(event.response_id):
                    return self._released(
                        self._log.delta(event.item_id, "agent", event.delta, now), now
                    )
            case ev.OutputTranscriptDone():
                return self._released(
                    self._log.final(event.item_id, "agent", event.transcript, now), now
                )
            case ev.ResponseDone():
                return self._on_response_done(event, now)
            case ev.RateLimitsUpdated():
                self.rate_limits = event.limits
            case ev.ServerError():
                return self._on_error(event, now)
            case ev.ProtocolViolation():
                self._protocol_errors += 1
                if self._protocol_errors <= _MAX_PROTOCOL_ERRORS_REPORTED:
                    return [_error("model_protocol_error", event.reason, True)]
        return []

    def _on_item(self, item: ev.ItemAdded, now: float) -> list[Command]:
        role: Speaker | None = None
        if item.item_type == "message" and item.role == "user":
            role = "patient"
        elif item.item_type == "message" and item.role == "assistant":
            role = "agent"
        cmds = self._released(
            self._log.register(item.item_id, item.previous_item_id, role, now), now
        )
        if role == "patient" and "input_text" in item.content_types and item.transcript:
            cmds += self._released(
                self._log.final(item.item_id, "patient", item.transcript, now), now
            )
        return cmds

    def _on_response_created(self, event: ev.ResponseCreated) -> list[Command]:
        reply, self._requested = self._requested, None
        self._active = _Response(event.response_id, reply)
        if self._cancel_requested_on_create:
            self._cancel_requested_on_create = False
            self._active.cancel_sent = self._active.muted = True
            return [SendEvent(ev.response_cancel())]
        return []

    def _is_audible(self, response_id: str) -> bool:
        active = self._active
        return active is not None and active.response_id == response_id and not active.muted

    def _on_audio(self, delta: ev.AudioDelta) -> list[Command]:
        if not self._is_audible(delta.response_id) or not delta.pcm16_24k:
            return []  # a cancelled or stale response: the patient must not hear it
        assert self._active is not None
        self._active.item_ids.add(delta.item_id)
        self._received[delta.item_id] = self._received.get(delta.item_id, 0) + len(delta.pcm16_24k)
        self._received.move_to_end(delta.item_id)
        while len(self._received) > 16:
            self._received.popitem(last=False)
        self._audio_out = True
        return [
            *self._set_status(SessionStatus.AGENT_SPEAKING),
            PlayAudio(delta.item_id, delta.pcm16_24k),
        ]

    def _on_response_done(self, done: ev.ResponseDone, now: float) -> list[Command]:
        active = self._active
        if active is None or active.response_id != done.response_id:
            return []  # not ours (already cleared by a reconnect)
        self._active = None
        cmds: list[Command] = []
        for item_id in (*done.output_item_ids, *active.item_ids):
            if not self._log.is_finalized(item_id):
                cmds += self._released(self._log.resolve_without_text(item_id, now), now)
        reply = active.reply
        if done.status == "failed" and done.error_kind is not None:
            kind = done.error_kind
            code = f"response_failed_{done.error_code or 'unknown'}"[:64]
            if kind.is_permanent:
                return cmds + self.on_failed(code, "the model refused to respond")
            cmds.append(_error(code, "a model response failed", kind.retryable))
            if reply is not None and reply.attempts + 1 < self._max_attempts:
                reply.attempts += 1
                reply.not_before = now + self._retry_delay_s * reply.attempts
                self._queue.appendleft(reply)
        elif reply is not None and reply.closing:
            self._closing_generated = True
        return cmds + self._pump(now)

    def _on_error(self, error: ev.ServerError, now: float) -> list[Command]:
        if error.code == "conversation_already_has_active_response" and self._requested:
            self._queue.appendleft(self._requested)  # wait for the slot, then ask again
            self._requested = None
            return []
        match error.kind:
            case ErrorKind.BENIGN:
                return []
            case ErrorKind.PERMANENT:
                return self.on_failed(_code(error), "the model rejected the session")
            case _:
                return [_error(_code(error), "the model rejected a request", error.kind.retryable)]

    # --- helpers ------------------------------------------------------------------------------

    def _pump(self, now: float) -> list[Command]:
        if (
            not self._connected
            or self.finished
            or self._requested is not None
            or self._active is not None
            or not self._queue
            or self._queue[0].not_before > now
        ):
            return []
        reply = self._requested = self._queue.popleft()
        if reply.purpose != "repeat":
            self._last_question = reply
        instructions = ev.speak_instructions(guidance=reply.guidance, say=reply.say)
        return [SendEvent(ev.response_create(instructions=instructions, purpose=reply.purpose))]

    def _released(self, released: Released, now: float) -> list[Command]:
        cmds: list[Command] = [EmitEvent(chunk) for chunk in released.chunks]
        for item_id, text in released.patient_finals:
            if text.strip():
                self._barged_reply = None
                self._agent_pending += 1
                cmds.append(AskAgent(item_id, text))
            elif self._barged_reply is not None:
                # A cough or noise cut the agent off: ask its question again.
                self._queue.append(self._barged_reply)
                self._barged_reply = None
                cmds += self._pump(now)
        return cmds

    def _ask_to_repeat(self, now: float) -> list[Command]:
        if not any(r.purpose == "repeat" for r in self._queue):
            self._queue.append(_reply(self._not_caught, "repeat"))
        return self._pump(now)

    def _marked_summary(self, summary: dict[str, Any]) -> dict[str, Any]:
        """The summary with the gap marked: what the agent never processed is listed, and a
        read-back confirmation does not count for content the agent never heard."""
        if not self.unprocessed:
            return summary
        return {
            **summary,
            "unprocessed_utterances": list(self.unprocessed),
            "confirmed_by_patient": None,
        }

    def _set_status(self, status: SessionStatus) -> list[Command]:
        if self._status == status:
            return []
        self._status = status
        return [EmitEvent(StatusUpdate(status=status))]

    def _end(self, status: SessionStatus, detail: str) -> list[Command]:
        self.finished = True
        self._status = status
        return [EmitEvent(StatusUpdate(status=status, detail=detail[:1000])), EndSession(status)]


def _recovery(key: str) -> AgentReply:
    """The agent's recovery sentence in English (used when the bridge passes none)."""
    return AgentReply(
        say=replies.text(key, "en"), guidance=replies.guidance("question", "en"), phase="recovery"
    )


def _reply(reply: AgentReply, purpose: Purpose) -> Reply:
    return Reply(reply.say, reply.guidance, purpose, closing=reply.end_of_interview)


def _code(error: ev.ServerError) -> str:
    return f"model_{error.code or error.error_type or 'error'}"[:64]


def _error(code: str, message: str, retryable: bool) -> EmitEvent:
    return EmitEvent(ErrorEvent(code=code[:64], message=message[:1000], retryable=retryable))
