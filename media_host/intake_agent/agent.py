"""The public facade of the intake agent: what the media host calls, one method per event.

Every patient utterance becomes one run of the interview graph under ``thread_id = session_id``.
Guarantees:

* bad input never crashes and never changes state (empty → gentle re-prompt, huge → capped
  with a notice, bytes → decoded with replacement and a notice, wrong types → a clear
  :class:`~media_host.intake_agent.errors.InvalidUtteranceError`);
* a failure inside the graph never leaves a half-applied turn behind: the pre-turn checkpoint
  is restored and the patient is asked the same question again;
* turns of one session are serialised (one lock per session).

No patient text or finding is ever logged.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any, Literal, Protocol, cast, runtime_checkable

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver

from media_host.intake_agent import replies
from media_host.intake_agent.errors import (
    IntakeAgentError,
    InvalidUtteranceError,
    UnsupportedLanguageError,
)
from media_host.intake_agent.extraction.base import Extractor, primary_language
from media_host.intake_agent.graph import IntakeGraph, build_graph
from media_host.intake_agent.lexicon import Lexicon, load_lexicon
from media_host.intake_agent.models import (
    AgentReply,
    AgentTurn,
    IntakeSummary,
    Level,
)
from media_host.intake_agent.nodes import build_summary, decide_for, question_sentence, readback
from media_host.intake_agent.settings import AgentSettings
from media_host.intake_agent.state import IntakeState, intake_serializer

logger = logging.getLogger(__name__)

MAX_ID_CHARS = 256

RecoveryReason = Literal["not_caught", "line_dropped"]


class UnknownSessionError(IntakeAgentError, LookupError):
    """An utterance or finish() for a session that was never started."""


@runtime_checkable
class ReusesLatest(Protocol):
    """A checkpointer that can read a thread's latest checkpoint once per turn
    (:meth:`~media_host.intake_agent.checkpoint.TableStorageSaver.reuse_latest`), and keep it
    between turns while this process is the thread's only writer (``hold`` … ``release``)."""

    def reuse_latest(self, thread_id: str) -> AbstractContextManager[None]: ...

    def hold(self, thread_id: str) -> None: ...

    def release(self, thread_id: str) -> None: ...


def _check_id(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID_CHARS:
        raise InvalidUtteranceError(f"{what} must be a non-empty string of at most 256 chars")
    if any(ord(ch) < 32 for ch in value):
        raise InvalidUtteranceError(f"{what} must not contain control characters")
    return value


def make_extractor(settings: AgentSettings) -> Extractor:
    """The extraction backend the settings ask for (azure_openai always falls back to rules)."""
    from media_host.intake_agent.extraction import RulesExtractor

    rules = RulesExtractor(assertion=settings.assertion)
    if settings.extraction_backend == "azure_openai":
        from media_host.intake_agent.extraction.azure_openai import AzureOpenAIExtractor

        return AzureOpenAIExtractor.from_settings(settings, fallback=rules)
    return rules


class IntakeAgent:
    """Runs virtual-triage intake interviews, one LangGraph thread per session.

    Args:
        settings: Agent settings; defaults to :class:`AgentSettings` defaults (rules backend).
        checkpointer: Where interview state lives; defaults to an in-process ``InMemorySaver``.
            Use :class:`~media_host.intake_agent.checkpoint.TableStorageSaver` to survive
            restarts and move sessions between hosts.
        extractor: Extraction backend; defaults to the one ``settings`` selects.
    """

    def __init__(
        self,
        *,
        settings: AgentSettings | None = None,
        checkpointer: BaseCheckpointSaver[Any] | None = None,
        extractor: Extractor | None = None,
    ) -> None:
        self.settings = settings or AgentSettings()
        self.checkpointer = (
            checkpointer if checkpointer is not None else InMemorySaver(serde=intake_serializer())
        )
        self.extractor = extractor or make_extractor(self.settings)
        self.lexicon: Lexicon = load_lexicon()
        self.graph: IntakeGraph = build_graph(
            extractor=self.extractor, checkpointer=self.checkpointer, lexicon=self.lexicon
        )
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # the state a held session's last turn left (see _hold): the next turn's pre-turn state,
        # so a turn deserialises its checkpoint once (in the graph run), not twice
        self._kept: dict[str, IntakeState] = {}

    # --- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _config(session_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": session_id}}

    def _lock(self, session_id: str) -> asyncio.Lock:
        lock = self._locks.get(session_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[session_id] = lock
        return lock

    @asynccontextmanager
    async def _turn(self, session_id: str) -> AsyncIterator[None]:
        """One turn of a session: the session lock held and, since nothing else writes the
        session meanwhile, the pre-turn state the facade reads is the one the graph run starts
        from — a checkpointer that can (Table Storage) reads it from storage only once."""
        async with self._lock(session_id):
            reuse = (
                self.checkpointer.reuse_latest(session_id)
                if isinstance(self.checkpointer, ReusesLatest)
                else nullcontext()
            )
            with reuse:
                yield

    def _hold(self, session_id: str, held: bool) -> None:
        """While a session's call is live here (``start_session`` … ``finish``) this host is
        its only writer: the checkpointer may keep its latest checkpoint between turns, so a
        turn costs one storage write and no read. ``start_session`` drops what was kept
        first: a session resumed here after running on another host is read afresh."""
        if not held:
            self._kept.pop(session_id, None)
        if isinstance(self.checkpointer, ReusesLatest):
            if held:
                self.checkpointer.hold(session_id)
            else:
                self.checkpointer.release(session_id)

    def _keep(self, session_id: str, values: IntakeState) -> None:
        """Remember the state a held session's turn ended with (the graph's output is the
        thread's whole state: every channel of the state schema)."""
        self._kept[session_id] = values

    async def _state(self, session_id: str) -> tuple[IntakeState | None, RunnableConfig | None]:
        snapshot = await self.graph.aget_state(self._config(session_id))
        values: IntakeState = snapshot.values  # type: ignore[assignment]
        if not values or "phase" not in values:
            return None, None
        return values, snapshot.config

    def _language(self, language: object) -> str:
        primary = primary_language(language)  # type: ignore[arg-type]
        if primary not in self.settings.supported_languages:
            raise UnsupportedLanguageError(f"language {primary!r} is not enabled")
        return primary

    @staticmethod
    def _reply(values: IntakeState) -> AgentReply:
        return AgentReply(
            say=values["reply_say"],
            guidance=values["reply_guidance"],
            phase=values["phase"],
            end_of_interview=bool(values.get("ended")),
        )

    def _repeat(self, values: IntakeState, wrapper: str) -> AgentReply:
        """Re-ask the pending question (or repeat the closing), changing nothing."""
        language = values["language"]
        if values.get("ended"):
            return AgentReply(
                say=replies.text("already_ended", language),
                guidance=replies.guidance("closing", language),
                phase=values["phase"],
                end_of_interview=True,
            )
        return AgentReply(
            say=replies.text(wrapper, language, question=question_sentence(values, self.lexicon)),
            guidance=replies.guidance(
                "readback" if values["phase"] == "summary" else "question", language
            ),
            phase=values["phase"],
            end_of_interview=False,
        )

    # --- public API ---------------------------------------------------------------------------

    async def start_session(self, session_id: str, language: str) -> AgentReply:
        """Greet the patient, or — when the session already exists — repeat the pending question.

        Raises:
            UnsupportedLanguageError: ``language`` is not one of the supported languages.
            InvalidUtteranceError: ``session_id`` is empty, too long or has control characters.
        """
        _check_id(session_id, "session_id")
        lang = self._language(language)
        async with self._lock(session_id):
            self._hold(session_id, False)
        async with self._turn(session_id):
            values, _ = await self._state(session_id)
            if values is not None:
                if values.get("ended"):
                    return self._repeat(values, "resume")
                self._hold(session_id, True)
                self._keep(session_id, values)
                if values.get("turn", 0) == 0:
                    return self._reply(values)  # nothing answered yet: the greeting again
                return self._repeat(values, "resume")
            result = cast(
                IntakeState,
                await self.graph.ainvoke(
                    {"session_id": session_id, "language": lang, "turn_input": {"kind": "start"}},
                    self._config(session_id),
                    durability="exit",
                ),
            )
            self._hold(session_id, True)
            self._keep(session_id, result)
            return self._reply(result)

    def _clean_text(self, text: object, notices: list[str]) -> str:
        if isinstance(text, bytes | bytearray):
            decoded = bytes(text).decode("utf-8", errors="replace")
            if "\ufffd" in decoded:
                notices.append("utterance was not valid UTF-8; undecodable bytes replaced")
            text = decoded
        if not isinstance(text, str):
            raise InvalidUtteranceError("utterance text must be str or UTF-8 bytes")
        # Control characters carry no speech; keep newlines and tabs as spaces.
        cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
        limit = self.settings.max_utterance_chars
        if len(cleaned) > limit:
            notices.append(f"utterance truncated to {limit} chars")
            cleaned = cleaned[:limit]
        return cleaned

    async def handle_utterance(self, session_id: str, *, item_id: str, text: str) -> AgentTurn:
        """Process one patient utterance and return what to say next.

        Raises:
            UnknownSessionError: the session was never started.
            InvalidUtteranceError: ``item_id`` or ``text`` has the wrong type or form.
        """
        _check_id(session_id, "session_id")
        _check_id(item_id, "item_id")
        notices: list[str] = []
        cleaned = self._clean_text(text, notices)
        async with self._turn(session_id):
            kept = self._kept.get(session_id)
            values: IntakeState | None
            config: RunnableConfig | None
            if kept is not None:
                values, config = kept, self._config(session_id)
            else:
                values, config = await self._state(session_id)
            if values is None or config is None:
                raise UnknownSessionError("no such session; call start_session first")
            if values.get("ended"):
                return AgentTurn(reply=self._repeat(values, "resume"), notices=notices)
            if not cleaned.strip():
                return AgentTurn(reply=self._repeat(values, "empty"), notices=notices)
            if any(ref.item_id == item_id for ref in values.get("transcript_refs", [])):
                # Redelivered item (e.g. after a reconnect): answering it twice would double
                # count it, so repeat the current reply instead.
                notices.append("duplicate item_id ignored")
                return AgentTurn(reply=self._reply(values), notices=notices)
            try:
                result = cast(
                    IntakeState,
                    await self.graph.ainvoke(
                        {"turn_input": {"kind": "utterance", "item_id": item_id, "text": cleaned}},
                        self._config(session_id),
                        durability="exit",
                    ),
                )
            except Exception as exc:
                logger.error("intake turn failed (%s); state restored", type(exc).__name__)
                await self._restore(config, values)
                notices.append("internal error while processing the utterance; state kept")
                return AgentTurn(reply=self._repeat(values, "retry"), notices=notices, failed=True)
            if kept is not None:
                self._keep(session_id, result)
        ended_now = bool(result.get("ended"))
        return AgentTurn(
            reply=self._reply(result),
            new_red_flags=list(result.get("new_red_flags", [])),
            summary=result.get("summary") if ended_now else None,
            notices=notices,
        )

    async def _restore(self, config: RunnableConfig, values: IntakeState) -> None:
        """Make the pre-turn state the thread's latest checkpoint again.

        If even that fails (e.g. storage unreachable), the failed run most likely did not
        persist either; the caller still answers with a re-prompt instead of crashing.
        """
        try:
            await self.graph.aupdate_state(config, dict(values), as_node="turn")
        except Exception as exc:
            logger.error("restoring the pre-turn checkpoint failed (%s)", type(exc).__name__)

    def end_call(self, session_id: str) -> None:
        """The session's call on this host is over: stop keeping its state between turns (a
        later ``start_session`` here reads it afresh). No I/O, never fails."""
        self._hold(session_id, False)

    def recovery_reply(self, language: str, reason: RecoveryReason) -> AgentReply:
        """A sentence for when the line, not the interview, went wrong; needs no session state
        (storage may be what failed).

        ``not_caught``: ask the patient to say it again. ``line_dropped``: the connection to the
        speech model dropped (the caller follows it with the pending question).
        """
        try:
            lang = self._language(language)
        except UnsupportedLanguageError:
            lang = "en"
        return AgentReply(
            say=replies.text(reason, lang),
            guidance=replies.guidance("question", lang),
            phase="recovery",
        )

    async def realtime_instructions(self, session_id: str) -> str:
        """System instructions for a realtime voice model, with a compact recap of the session.

        Raises:
            UnknownSessionError: the session was never started.
        """
        _check_id(session_id, "session_id")
        values, _ = await self._state(session_id)
        if values is None:
            raise UnknownSessionError("no such session; call start_session first")
        language = values["language"]
        ended = bool(values.get("ended"))
        return replies.realtime_instructions(
            language=language,
            phase=values["phase"],
            recap=readback(values, self.lexicon),
            next_sentence=values["reply_say"] if ended else question_sentence(values, self.lexicon),
            ended=ended,
        )

    async def get_summary(self, session_id: str) -> IntakeSummary | None:
        """The summary of a finished interview; None while it is running or unknown."""
        _check_id(session_id, "session_id")
        values, _ = await self._state(session_id)
        if values is None:
            return None
        return values.get("summary")

    async def finish(self, session_id: str) -> IntakeSummary:
        """The patient hung up: decide with what we have, cautiously, and end the interview.

        Raises:
            UnknownSessionError: the session was never started.
        """
        _check_id(session_id, "session_id")
        async with self._lock(session_id):
            try:
                return await self._finish(session_id)
            finally:
                self._hold(session_id, False)

    async def _finish(self, session_id: str) -> IntakeSummary:
        values, config = await self._state(session_id)
        if values is None or config is None:
            raise UnknownSessionError("no such session; call start_session first")
        summary = values.get("summary")
        if values.get("ended") and summary is not None:
            return summary
        disposition = decide_for(values)
        if disposition.level == Level.SELF_CARE:
            # Interrupted before the read-back: too little evidence for self-care advice.
            disposition = disposition.model_copy(
                update={
                    "level": Level.NON_URGENT,
                    "cautious": True,
                    "rationale": [
                        *disposition.rationale,
                        "Interview ended early; self-care raised to a routine appointment.",
                    ],
                }
            )
        summary = build_summary(values, disposition).model_copy(
            update={"completed_at": datetime.now(UTC)}
        )
        await self.graph.aupdate_state(
            config,
            {
                "phase": "disposition",
                "pending": None,
                "disposition": disposition,
                "summary": summary,
                "ended": True,
                "reply_say": replies.text("closing", values["language"], advice=disposition.advice),
                "reply_guidance": replies.guidance("closing", values["language"]),
            },
            as_node="conclude",
        )
        return summary
