"""A caller speaking for someone else (a baby, a child, an older parent): the interview speaks
about that person and skips the questions that cannot apply to them."""

from __future__ import annotations

import re

import pytest

from media_host.intake_agent.caller import detect_subject, explicit_subject
from media_host.intake_agent.state import Subject
from media_host.intake_agent.textnorm import normalise
from tests.agent_graph.conftest import Interview

SECOND_PERSON = re.compile(r"\b(?:[Dd]o|[Aa]re|[Hh]ave|[Ww]ere) you\b|\byour (?!baby|son|mother)")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My 5-month-old has had a fever since yesterday", {"relation": "baby", "pronoun": None}),
        ("my son has a really bad headache", {"relation": "son", "pronoun": None}),
        (
            "I'm calling about my mother, she has chest pain",
            {"relation": "mother", "pronoun": None},
        ),
        ("She's 5 months and has had a fever", {"relation": None, "pronoun": "she"}),
        ("He keeps throwing up", {"relation": None, "pronoun": "he"}),
        ("Mi hijo tiene fiebre desde ayer", {"relation": "son", "pronoun": None}),
        ("mi bebé de 5 meses tiene fiebre", {"relation": "baby", "pronoun": None}),
        ("I have a baby with a fever", {"relation": "baby", "pronoun": None}),
    ],
)
def test_someone_else_is_recognised(text: str, expected: Subject) -> None:
    assert detect_subject(normalise(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I have chest pain and my father had a heart attack at 50",
        "I've had a headache since yesterday",
        "me duele la cabeza y mi madre tiene migrañas",
        "I am worried, I feel dizzy",
    ],
)
def test_the_callers_own_account_stays_about_the_caller(text: str) -> None:
    assert detect_subject(normalise(text)) is None


def test_explicit_calling_about_counts_any_time() -> None:
    assert explicit_subject(normalise("sorry, I'm calling for my grandmother")) == {
        "relation": "grandmother",
        "pronoun": None,
    }
    assert explicit_subject(normalise("my grandmother had a stroke years ago")) is None


async def _run(interview: Interview, opening: str, language: str = "en") -> list[str]:
    """The agent's sentences from the opening account to the end, answering "no" (a number or
    a time where one is asked)."""
    await interview.start(language)
    await interview.say("sí" if language == "es" else "yes")
    said = [(await interview.say(opening)).reply.say]
    for _ in range(60):
        values = await interview.values()
        pending = values["pending"]
        if values.get("ended") or pending is None:
            return said
        attribute = pending["attribute"] or ""
        if attribute == "age_years":
            reply = "tiene 70 años" if language == "es" else "she is 70"
        elif attribute in ("onset", "duration_hours"):
            reply = "desde ayer" if language == "es" else "since yesterday"
        elif attribute == "severity":
            reply = "6"
        else:
            reply = "no"
        turn = await interview.say(reply)
        said.append(turn.reply.say)
        if turn.reply.end_of_interview:
            return said
    raise AssertionError("interview did not end")


async def test_baby_interview_speaks_about_the_baby(interview: Interview) -> None:
    said = await _run(interview, "My 5-month-old has had a fever since yesterday")
    values = await interview.values()
    assert values["subject"] == {"relation": "baby", "pronoun": None}
    questions = said[:-1]  # the closing advice speaks to the caller
    assert any(q.startswith("Does your baby") for q in questions)
    offenders = [q for q in questions if SECOND_PERSON.search(q) and "Let me read" not in q]
    assert offenders == []
    asked = values["asked"]
    # cannot apply to a baby: self-reported symptoms, pregnancy
    assert "symptom:dysuria" not in asked
    assert "demo:pregnant" not in asked
    readback = next(q for q in said if q.startswith("Let me read back"))
    assert "Your baby's main problem is" in readback
    assert "5 months old" in readback


async def test_calling_about_an_older_parent(interview: Interview) -> None:
    said = await _run(interview, "I'm calling about my mother. She has had a bad headache")
    values = await interview.values()
    assert values["subject"] == {"relation": "mother", "pronoun": None}
    assert values["demographics"].sex == "female"  # "my mother": never asked
    asked = values["asked"]
    assert asked.index("demo:age_years") < min(
        asked.index(k) for k in asked if k.startswith("symptom:")
    ), "the person's age decides which questions apply: asked first"
    assert "demo:sex" not in asked
    assert "How old is your mother?" in said
    assert any("your mother's face drooping" in q for q in said)
    assert not any(SECOND_PERSON.search(q) for q in said[:-1] if "Let me read" not in q)


async def test_pronoun_only_account(interview: Interview) -> None:
    said = await _run(interview, "She's 5 months and she has had a fever since this morning")
    values = await interview.values()
    assert values["subject"] == {"relation": None, "pronoun": "she"}
    assert any(q.startswith("Does she ") or q.startswith("Is she ") for q in said)
    assert "symptom:dysuria" not in values["asked"]


async def test_spanish_caregiver_interview(interview: Interview) -> None:
    said = await _run(interview, "Mi hijo tiene fiebre desde ayer", language="es")
    values = await interview.values()
    assert values["subject"] == {"relation": "son", "pronoun": None}
    assert "¿Qué edad tiene su hijo?" in said
    assert any("su hijo" in q for q in said if q.startswith("¿Tiene"))


async def test_own_account_keeps_speaking_to_the_caller(interview: Interview) -> None:
    said = await _run(interview, "I have a headache and my father had a stroke")
    values = await interview.values()
    assert values.get("subject") is None
    assert "How old are you?" in said


async def test_free_answers_are_read_like_accounts(interview: Interview) -> None:
    await interview.start()
    await interview.say("yes")
    turn = await interview.say("my daughter has a cough")
    assert turn.reply.say == "How old is your daughter?"
    await interview.say("she's 5 months")
    values = await interview.values()
    assert values["demographics"].age_years == pytest.approx(5 / 12, abs=0.01)
    for _ in range(20):
        pending = (await interview.values())["pending"]
        assert pending is not None
        if pending["key"] == "symptom:fever":
            break
        await interview.say("since yesterday" if pending["kind"] == "attribute" else "no")
    else:
        raise AssertionError("fever never asked")
    await interview.say("temp was 39.4")
    values = await interview.values()
    fever = values["findings"]["fever"]
    assert fever.value == pytest.approx(39.4)
    assert values["pending"]["key"] != "symptom:fever"  # answered: not asked again
    # a sore throat is only reported by the person who has it: not asked about a baby
    assert "symptom:sore_throat" not in values["asked"]
