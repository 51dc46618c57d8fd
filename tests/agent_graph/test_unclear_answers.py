"""Replies that do not answer the question (speech-recognition garbles, "what do you mean?"):
never read as yes or no, asked once more in other words, then recorded as unknown — with a
cautious floor when the question was a red flag. Each case was heard in a real intake."""

from __future__ import annotations

from media_host.intake_agent.agent import IntakeAgent
from media_host.intake_agent.extraction.rules import RulesExtractor
from media_host.intake_agent.models import (
    AgentTurn,
    Answer,
    Extraction,
    Level,
    Presence,
    QuestionContext,
)
from tests.agent_graph.conftest import Interview

# "about a seven out of ten" as a browser's speech recogniser heard it
GARBLE = "It is about to stand without the pen"


async def _advance_to(interview: Interview, key: str, opening: str = "I have a headache") -> None:
    """Start an interview and answer plainly until ``key`` is the pending question."""
    await interview.start()
    await interview.say("yes")
    await interview.say(opening)
    await _answer_until(interview, key)


async def _answer_until(interview: Interview, key: str) -> None:
    """Answer "no" (a time or a score where one is asked) until ``key`` is pending."""
    for _ in range(40):
        pending = (await interview.values())["pending"]
        assert pending is not None, f"interview ended before {key} was asked"
        if pending["key"] == key:
            return
        attribute = pending["attribute"] or ""
        if attribute in ("onset", "duration_hours"):
            await interview.say("since yesterday")
        elif attribute == "severity":
            await interview.say("4")
        else:
            await interview.say("no")
    raise AssertionError(f"{key} was never asked")


async def _pending_key(interview: Interview) -> str | None:
    pending = (await interview.values())["pending"]
    return pending["key"] if pending else None


async def test_garbled_reply_is_not_a_yes_to_weakness(interview: Interview) -> None:
    await _advance_to(interview, "symptom:unilateral_weakness")
    first_wording = interview.turns[-1].reply.say
    turn = await interview.say(GARBLE)
    assert not turn.reply.end_of_interview, "a garble raised a red flag"
    assert turn.new_red_flags == []
    # asked once more, in other words
    assert await _pending_key(interview) == "symptom:unilateral_weakness"
    assert turn.reply.say != first_wording
    assert "yes, no, or not sure" in turn.reply.say
    turn = await interview.say(GARBLE)
    assert not turn.reply.end_of_interview and turn.new_red_flags == []
    values = await interview.values()
    assert await _pending_key(interview) != "symptom:unilateral_weakness"  # not a third time
    assert "symptom:unilateral_weakness" in values["unknown"]
    assert values["findings"]["unilateral_weakness"].presence == Presence.UNCERTAIN
    assert values["unresolved_red_flags"] == ["unilateral_weakness"]


async def test_unresolved_red_flag_question_sets_a_cautious_floor(interview: Interview) -> None:
    await _advance_to(interview, "symptom:unilateral_weakness")
    await interview.say(GARBLE)
    await interview.say(GARBLE)
    final = await interview.answer_until_end("no")
    summary = final.summary
    assert summary is not None
    assert summary.disposition.level == Level.URGENT
    assert summary.disposition.cautious
    assert any("not ruled out" in line for line in summary.disposition.rationale)
    assert not any(hit.rule_id.startswith("stroke") for hit in summary.red_flags)


async def test_a_later_clear_answer_resolves_the_red_flag_question(interview: Interview) -> None:
    await _advance_to(interview, "symptom:unilateral_weakness")
    await interview.say(GARBLE)
    await interview.say(GARBLE)
    await interview.say("I have no weakness on one side")
    final = await interview.answer_until_end("no")
    assert final.summary is not None
    assert not any("not ruled out" in line for line in final.summary.disposition.rationale)


async def test_it_is_what_it_is_is_not_a_yes_to_speech_difficulty(interview: Interview) -> None:
    await _advance_to(interview, "symptom:slurred_speech")
    turn = await interview.say("It is what it is.")
    assert not turn.reply.end_of_interview and turn.new_red_flags == []
    assert await _pending_key(interview) == "symptom:slurred_speech"
    assert "slurred_speech" not in (await interview.values())["findings"]


async def _not_sure_what_you_mean(interview: Interview, reply: str) -> AgentTurn:
    await _advance_to(interview, "symptom:unilateral_weakness")
    turn = await interview.say(reply)
    values = await interview.values()
    assert "unilateral_weakness" not in values["findings"], "read as an answer"
    assert await _pending_key(interview) == "symptom:unilateral_weakness"
    return turn


async def test_not_sure_what_you_mean_is_no_denial(interview: Interview) -> None:
    await _not_sure_what_you_mean(interview, "I am not sure what you mean")


async def test_contraction_does_not_change_the_reading(interview: Interview) -> None:
    await _not_sure_what_you_mean(interview, "I'm not sure what you mean")


async def test_severity_lost_to_noise_is_asked_again(interview: Interview) -> None:
    await _advance_to(interview, "attr:headache:severity")
    turn = await interview.say(GARBLE)
    assert await _pending_key(interview) == "attr:headache:severity"
    assert "0 to 10" in turn.reply.say
    await interview.say("about a seven")
    values = await interview.values()
    assert values["findings"]["headache"].severity == 7
    assert await _pending_key(interview) != "attr:headache:severity"


async def test_onset_lost_to_noise_is_asked_again(interview: Interview) -> None:
    await _advance_to(interview, "attr:headache:onset")
    await interview.say(GARBLE)
    assert await _pending_key(interview) == "attr:headache:onset"
    await interview.say("yesterday morning")
    headache = (await interview.values())["findings"]["headache"]
    assert headache.onset is not None or headache.duration_hours is not None


async def test_unclear_twice_on_a_plain_question_moves_on_without_floor(
    interview: Interview,
) -> None:
    await _advance_to(interview, "attr:headache:severity")
    await interview.say(GARBLE)
    await interview.say(GARBLE)
    values = await interview.values()
    assert "attr:headache:severity" in values["unknown"]
    assert values["findings"]["headache"].severity is None
    assert values["unresolved_red_flags"] == []


async def test_nothing_regularly_is_not_a_medicine(interview: Interview) -> None:
    await _advance_to(interview, "history:medications")
    await interview.say("No, nothing regularly.")
    values = await interview.values()
    assert values["history"].medications == []
    assert await _pending_key(interview) != "history:medications"


async def test_yeah_yeah_is_not_a_condition(interview: Interview) -> None:
    await _advance_to(interview, "history:conditions")
    turn = await interview.say("Yeah, yeah.")
    values = await interview.values()
    assert values["history"].conditions == []
    # "yes" without saying which: asked again, in other words
    assert await _pending_key(interview) == "history:conditions"
    assert "which one" in turn.reply.say
    await interview.say("asthma")
    assert (await interview.values())["history"].conditions == ["asthma"]


async def test_yes_to_keeping_fluids_down_is_no_warning_sign(interview: Interview) -> None:
    # The old wording "Are you able to keep fluids down?" turned "yes" into the warning sign.
    await _advance_to(interview, "symptom:unable_to_keep_fluids", opening="I keep vomiting")
    question = interview.turns[-1].reply.say
    assert "unable" in question
    await interview.say("no")
    values = await interview.values()
    assert values["findings"]["unable_to_keep_fluids"].presence == Presence.ABSENT


async def test_okay_agrees_to_go_on_but_affirms_no_symptom(interview: Interview) -> None:
    await interview.start()
    turn = await interview.say("okay")
    assert turn.reply.phase == "chief_complaint"
    await interview.say("I have a headache")
    await _answer_until(interview, "symptom:unilateral_weakness")
    turn = await interview.say("okay")
    assert turn.new_red_flags == [] and not turn.reply.end_of_interview
    assert "unilateral_weakness" not in (await interview.values())["findings"]


class YesSayingExtractor:
    """The rules extractor, except that it reads every reply that gives no answer as "yes" (as
    a language model backend might read a garble)."""

    name = "yes-sayer"

    def __init__(self) -> None:
        self._rules = RulesExtractor()

    def extract(
        self,
        text: str,
        *,
        item_id: str,
        language: str,
        context: QuestionContext | None = None,
    ) -> Extraction:
        found = self._rules.extract(text, item_id=item_id, language=language, context=context)
        if context is None or found.answer is not None:
            return found
        return found.model_copy(update={"answer": Answer.YES})


async def test_a_backends_yes_needs_words_that_say_yes() -> None:
    interview = Interview(agent=IntakeAgent(extractor=YesSayingExtractor()), session_id="yes")
    await _advance_to(interview, "symptom:unilateral_weakness")
    turn = await interview.say("It is what it is.")
    assert turn.new_red_flags == [] and not turn.reply.end_of_interview
    assert "unilateral_weakness" not in (await interview.values())["findings"]
    assert await _pending_key(interview) == "symptom:unilateral_weakness"


async def test_spanish_unclear_reply_is_asked_again_about_the_child(interview: Interview) -> None:
    await interview.start("es")
    await interview.say("sí")
    await interview.say("mi hija tiene tos desde ayer")
    for _ in range(10):
        pending = (await interview.values())["pending"]
        assert pending is not None
        if pending["kind"] == "symptom":
            break
        await interview.say("tiene 7 años" if pending["attribute"] == "age_years" else "desde ayer")
    else:
        raise AssertionError("no symptom question asked")
    key = pending["key"]
    turn = await interview.say("no entiendo lo que me dice")
    assert await _pending_key(interview) == key
    assert turn.reply.say.startswith("Perdone, no le he entendido.")
    assert "a su hija" in turn.reply.say
    assert pending["concept_id"] not in (await interview.values())["findings"]
