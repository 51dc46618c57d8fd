"""Whole interviews driven turn by turn through the graph (rules backend, InMemorySaver)."""

from __future__ import annotations

from media_host.intake_agent.models import Level, Presence
from media_host.intake_agent.state import PHASES_ENDED
from tests.agent_graph.conftest import Interview

PHASE_ORDER = [
    "greeting",
    "chief_complaint",
    "hpi",
    "associated",
    "red_flag_screen",
    "history",
    "summary",
    "disposition",
]


def _phase_rank(phase: str) -> int:
    return PHASE_ORDER.index(phase)


async def test_standard_interview_walks_the_phases_in_order(interview: Interview) -> None:
    greeting = await interview.start()
    assert "virtual triage assistant" in greeting and "emergency number" in greeting
    turn = await interview.say("yes")
    assert turn.reply.phase == "chief_complaint"
    turn = await interview.say("I've had a headache since yesterday")
    assert turn.reply.phase in {"hpi", "associated", "red_flag_screen", "history"}
    final = await interview.answer_until_end("no")

    phases = [t.reply.phase for t in interview.turns]
    ranks = [_phase_rank(p) for p in phases]
    assert ranks == sorted(ranks), phases  # phases never go backwards
    assert "history" in phases and "summary" in phases
    assert final.reply.phase == "disposition" and final.reply.end_of_interview
    summary = final.summary
    assert summary is not None
    assert summary.chief_complaint == "headache"
    assert summary.disposition.advice and summary.disposition.advice in final.reply.say
    assert [r.item_id for r in summary.transcript_refs] == [
        f"{interview.session_id}-item-{n}" for n in range(1, len(interview.turns) + 1)
    ]
    assert interview.repeated_questions() == []
    for turn in interview.turns:
        assert turn.reply.say and turn.reply.guidance


async def test_patient_who_volunteers_everything_is_not_asked_again(interview: Interview) -> None:
    await interview.start()
    first = await interview.say(
        "Yes. I'm a 45 year old woman. I've had a headache since yesterday morning, it's 6 out "
        "of 10 and throbbing. No fever and no vomiting. I have asthma and I take salbutamol. "
        "No allergies."
    )
    values = await interview.values()
    assert values["chief_complaint"] == "headache"
    headache = values["findings"]["headache"]
    assert headache.severity == 6
    assert values["demographics"].age_years == 45 and values["demographics"].sex == "female"
    assert values["findings"]["fever"].presence == Presence.ABSENT
    assert first.reply.phase != "chief_complaint"

    await interview.answer_until_end("no")
    values = await interview.values()
    asked = set(values["asked"])
    volunteered = {
        "complaint",
        "attr:headache:severity",
        "attr:headache:character",
        "attr:headache:onset",
        "symptom:fever",
        "symptom:vomiting",
        "demo:age_years",
        "demo:sex",
        "history:conditions",
        "history:medications",
        "history:allergies",
    }
    assert asked & volunteered == set()
    assert interview.repeated_questions() == []


async def test_dont_know_is_recorded_as_uncertain_and_never_reasked(interview: Interview) -> None:
    await interview.start()
    await interview.say("yes")
    await interview.say("I have a cough")
    final = await interview.answer_until_end("I don't know")
    values = await interview.values()
    assert values["unknown"], "no question recorded as don't-know"
    symptom_keys = [k for k in values["unknown"] if k.startswith("symptom:")]
    assert symptom_keys
    for key in symptom_keys:
        concept = key.split(":", 1)[1]
        assert values["findings"][concept].presence == Presence.UNCERTAIN
    assert interview.repeated_questions() == []
    assert final.summary is not None and final.summary.findings_uncertain


async def test_patient_changes_their_answer(interview: Interview) -> None:
    await interview.start()
    await interview.say("yes")
    await interview.say("I have a sore throat. It started 3 days ago. I don't have a fever.")
    values = await interview.values()
    assert values["findings"]["fever"].presence == Presence.ABSENT
    await interview.say("No wait, I do have a fever actually")
    values = await interview.values()
    assert values["findings"]["fever"].presence == Presence.PRESENT
    assert len(values["findings"]["fever"].provenance) >= 2  # both statements kept
    before = values["findings"][values["chief_complaint"]].duration_hours
    await interview.say("actually the sore throat started yesterday")
    after = (await interview.values())["findings"][values["chief_complaint"]].duration_hours
    assert before is not None and after is not None and after < before
    final = await interview.answer_until_end("no")
    assert final.summary is not None
    assert "fever" in {f.concept_id for f in final.summary.findings_present}


async def test_emergency_mid_interview_ends_at_once(interview: Interview) -> None:
    await interview.start()
    await interview.say("yes")
    turn = await interview.say("I have chest pain")
    assert not turn.reply.end_of_interview
    turn = await interview.say(
        "it's crushing, it spreads to my left arm and jaw, and I'm sweating and short of breath"
    )
    assert turn.reply.end_of_interview
    assert turn.reply.phase == "emergency"
    assert turn.new_red_flags and any(h.level == Level.EMERGENCY for h in turn.new_red_flags)
    assert "emergency number" in turn.reply.say
    assert turn.summary is not None
    assert turn.summary.disposition.level == Level.EMERGENCY
    assert {h.rule_id for h in turn.new_red_flags} <= {h.rule_id for h in turn.summary.red_flags}
    # Nothing more is asked; later utterances get the closing reply and change nothing.
    before = await interview.values()
    after_turn = await interview.say("hello?")
    assert after_turn.reply.end_of_interview and after_turn.new_red_flags == []
    assert await interview.values() == before


async def test_emergency_in_the_very_first_utterance(interview: Interview) -> None:
    await interview.start()
    turn = await interview.say("My face is drooping on one side and I can't move my left arm")
    assert turn.reply.end_of_interview and turn.reply.phase == "emergency"
    assert turn.new_red_flags
    assert turn.summary is not None and turn.summary.disposition.level == Level.EMERGENCY


async def test_red_flag_hits_are_reported_once(interview: Interview) -> None:
    await interview.start()
    await interview.say("yes")
    turns = [await interview.say("I have a headache and a fever and a stiff neck")]
    turns.append(await interview.say("yes I still have the stiff neck"))
    reported = [h.rule_id for t in turns for h in t.new_red_flags]
    assert len(reported) == len(set(reported))


async def test_spanish_interview_basics(interview: Interview) -> None:
    greeting = await interview.start("es")
    assert greeting.startswith("Hola")
    turn = await interview.say("sí")
    assert turn.reply.phase == "chief_complaint"
    assert turn.reply.say.startswith("¿")
    turn = await interview.say("me duele la cabeza desde ayer")
    values = await interview.values()
    assert values["chief_complaint"] == "headache"
    assert values["language"] == "es"
    assert turn.reply.say.strip().endswith("?")
    assert "¿" in turn.reply.say
    assert "Haga exactamente esta pregunta" in turn.reply.guidance
    final = await interview.answer_until_end("no")
    assert final.reply.phase in PHASES_ENDED
    assert final.summary is not None and final.summary.language == "es"
    assert "Gracias" in final.reply.say


async def test_readback_correction_round(interview: Interview) -> None:
    await interview.start()
    await interview.say("yes")
    await interview.say("I have a headache")
    for _ in range(40):
        turn = await interview.say("no")
        if turn.reply.phase == "summary":
            break
    assert turn.reply.say.startswith("Let me read back what I have.")
    fix = await interview.say("no, that's wrong")
    assert fix.reply.phase == "summary"
    assert fix.reply.say == "Thank you. Please tell me what I should correct."
    again = await interview.say("I also have a fever")
    assert again.reply.say.startswith("Let me read back what I have.")
    assert "fever" in again.reply.say
    final = await interview.say("yes, that's right")
    assert final.reply.end_of_interview
    assert final.summary is not None and final.summary.confirmed_by_patient is True


async def test_declining_consent_closes_politely(interview: Interview) -> None:
    await interview.start()
    turn = await interview.say("no, I don't want to do this")
    assert turn.reply.end_of_interview and turn.reply.phase == "closed"
    assert "Goodbye" in turn.reply.say


async def test_words_the_reading_cannot_interpret_reach_the_summary(interview: Interview) -> None:
    """Safety by construction in the live interview: an uninterpreted clinical word is listed
    for the clinician and the intake never ends in self-care."""
    await interview.start()
    await interview.say("yes")
    await interview.say("I have a runny nose, and the doctor mentioned splenomegaly last week")
    turn = await interview.answer_until_end("no")
    assert turn.summary is not None
    assert "splenomegaly" in turn.summary.not_interpreted
    assert turn.summary.disposition.level.value != "self_care"
