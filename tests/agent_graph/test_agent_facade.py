"""The IntakeAgent facade: bad input, failure isolation, resume, instructions, early finish."""

from __future__ import annotations

import pytest

from media_host.intake_agent.agent import IntakeAgent, UnknownSessionError
from media_host.intake_agent.errors import InvalidUtteranceError, UnsupportedLanguageError
from media_host.intake_agent.extraction import RulesExtractor
from media_host.intake_agent.models import Extraction, Level, QuestionContext
from media_host.intake_agent.settings import AgentSettings
from tests.agent_graph.conftest import Interview

FAIL_MARKER = "trigger-extractor-failure"


class FlakyExtractor:
    """The real rules extractor, except that it raises on a marker utterance."""

    name = "flaky-rules"

    def __init__(self) -> None:
        self.inner = RulesExtractor()
        self.calls = 0

    def extract(
        self, text: str, *, item_id: str, language: str, context: QuestionContext | None = None
    ) -> Extraction:
        self.calls += 1
        if FAIL_MARKER in text:
            raise RuntimeError("extractor exploded")
        return self.inner.extract(text, item_id=item_id, language=language, context=context)


async def test_empty_and_whitespace_utterances_reprompt_without_state_change(
    interview: Interview,
) -> None:
    await interview.start()
    await interview.say("yes")
    before = await interview.values()
    for text in ("", "   \n\t "):
        turn = await interview.say(text)
        assert turn.reply.say.startswith("Sorry, I didn't hear anything.")
        assert not turn.reply.end_of_interview
    assert await interview.values() == before


async def test_huge_utterance_is_capped_with_notice() -> None:
    agent = IntakeAgent(settings=AgentSettings(max_utterance_chars=200))
    await agent.start_session("huge", "en")
    text = "I have a headache. " + "blah " * 10_000
    turn = await agent.handle_utterance("huge", item_id="i1", text=text)
    assert turn.notices == ["utterance truncated to 200 chars"]
    state = (await agent.graph.aget_state({"configurable": {"thread_id": "huge"}})).values
    assert len(state["turn_input"]["text"]) == 200
    assert "headache" in state["findings"]


async def test_invalid_utf8_bytes_are_decoded_with_notice(agent: IntakeAgent) -> None:
    await agent.start_session("bytes", "en")
    turn = await agent.handle_utterance("bytes", item_id="i1", text=b"yes \xff\xfe ok")  # type: ignore[arg-type]
    assert any("not valid UTF-8" in n for n in turn.notices)
    assert turn.reply.phase != "greeting"


async def test_wrong_types_and_unknown_sessions_raise_clear_errors(agent: IntakeAgent) -> None:
    with pytest.raises(UnsupportedLanguageError):
        await agent.start_session("x", "fr")
    with pytest.raises(InvalidUtteranceError):
        await agent.start_session("", "en")
    await agent.start_session("types", "en")
    with pytest.raises(InvalidUtteranceError):
        await agent.handle_utterance("types", item_id="i1", text=42)  # type: ignore[arg-type]
    with pytest.raises(InvalidUtteranceError):
        await agent.handle_utterance("types", item_id="", text="hello")
    with pytest.raises(UnknownSessionError):
        await agent.handle_utterance("never-started", item_id="i1", text="hello")
    with pytest.raises(UnknownSessionError):
        await agent.finish("never-started")
    assert await agent.get_summary("never-started") is None


async def test_spanish_disabled_by_settings_is_unsupported() -> None:
    agent = IntakeAgent(settings=AgentSettings(supported_languages=("en",)))
    with pytest.raises(UnsupportedLanguageError):
        await agent.start_session("es-off", "es-MX")


async def test_exception_inside_a_node_keeps_the_checkpoint_intact() -> None:
    flaky = FlakyExtractor()
    agent = IntakeAgent(extractor=flaky)
    interview = Interview(agent=agent, session_id="flaky")
    await interview.start()
    await interview.say("yes")
    await interview.say("I have had a headache since yesterday")
    before = await interview.values()

    turn = await interview.say(f"it is 5 out of 10 {FAIL_MARKER}")
    assert turn.notices == ["internal error while processing the utterance; state kept"]
    assert turn.reply.say.startswith("Sorry, I had a problem with that answer.")
    assert await interview.values() == before  # nothing of the failed turn persisted

    # The interview goes on from exactly where it was.
    turn = await interview.say("it is 5 out of 10")
    after = await interview.values()
    assert after["turn"] == before["turn"] + 1
    assert after["findings"]["headache"].severity == 5
    assert turn.reply.phase in {"hpi", "associated", "red_flag_screen", "history"}


async def test_start_session_on_existing_session_repeats_pending_question(
    interview: Interview,
) -> None:
    greeting = await interview.start()
    again = await interview.agent.start_session(interview.session_id, "en")
    assert again.say == greeting  # nothing answered yet: greeting again, no restart
    await interview.say("yes")
    await interview.say("I have a headache")
    before = await interview.values()
    resumed = await interview.agent.start_session(interview.session_id, "en")
    assert resumed.say.startswith("Welcome back.")
    assert resumed.phase == before["phase"]
    assert await interview.values() == before


async def test_realtime_instructions_carry_rules_language_and_recap(interview: Interview) -> None:
    await interview.start("es")
    await interview.say("sí")
    await interview.say("me duele la cabeza desde ayer")
    text = await interview.agent.realtime_instructions(interview.session_id)
    assert "nunca diagnostique" in text
    assert "dolor de cabeza" in text.lower() or "cefalea" in text.lower()
    assert "desde ayer" not in text  # structured recap only, not the patient's own words
    assert "La siguiente frase del agente:" in text


async def test_finish_early_is_cautious_and_ends_the_session(interview: Interview) -> None:
    await interview.start()
    await interview.say("yes")
    await interview.say("I have a mild sore throat")
    assert await interview.agent.get_summary(interview.session_id) is None
    summary = await interview.agent.finish(interview.session_id)
    assert summary.disposition.level != Level.SELF_CARE
    assert summary.chief_complaint is not None
    assert await interview.agent.get_summary(interview.session_id) == summary
    assert await interview.agent.finish(interview.session_id) == summary  # idempotent
    turn = await interview.say("hello? one more thing")
    assert turn.reply.end_of_interview
    assert turn.reply.say.startswith("Our interview is already complete.")


async def test_redelivered_item_id_is_not_processed_twice(interview: Interview) -> None:
    await interview.start()
    await interview.agent.handle_utterance(interview.session_id, item_id="dup-1", text="yes")
    before = await interview.values()
    turn = await interview.agent.handle_utterance(interview.session_id, item_id="dup-1", text="yes")
    assert turn.notices == ["duplicate item_id ignored"]
    assert turn.reply.say == before["reply_say"]
    assert await interview.values() == before
