"""Answers relative to the last question (QuestionContext)."""

from __future__ import annotations

import pytest

from media_host.intake_agent.models import Answer, Presence, QuestionContext
from tests.agent_core.conftest import Extract, finding

SOB = QuestionContext(kind="symptom", concept_id="shortness_of_breath")


@pytest.mark.parametrize(
    ("text", "answer", "presence", "language"),
    [
        ("yes", Answer.YES, Presence.PRESENT, "en"),
        ("Yeah.", Answer.YES, Presence.PRESENT, "en"),
        ("sí", Answer.YES, Presence.PRESENT, "es"),
        ("no", Answer.NO, Presence.ABSENT, "en"),
        ("Nope.", Answer.NO, Presence.ABSENT, "en"),
        ("I don't know", Answer.DONT_KNOW, Presence.UNCERTAIN, "en"),
        ("not sure", Answer.DONT_KNOW, Presence.UNCERTAIN, "en"),
        ("no sé", Answer.DONT_KNOW, Presence.UNCERTAIN, "es"),
    ],
)
def test_bare_answers_to_symptom_question(
    extract: Extract, text: str, answer: Answer, presence: Presence, language: str
) -> None:
    e = extract(text, language, context=SOB)
    assert e.answer is answer
    assert finding(e, "shortness_of_breath").presence is presence


def test_bare_yes_without_context_invents_nothing(extract: Extract) -> None:
    e = extract("yes")
    assert e.findings == []
    assert e.answer is None
    e = extract("yes", context=QuestionContext(kind="free"))
    assert e.findings == []


def test_yes_with_extra_details_attaches_them(extract: Extract) -> None:
    e = extract("Yes, since yesterday.", context=SOB)
    f = finding(e, "shortness_of_breath")
    assert f.presence is Presence.PRESENT and f.duration_hours == 24


def test_explicit_statement_wins_over_bare_answer(extract: Extract) -> None:
    e = extract("No, but I do have chest pain.", context=SOB)
    assert finding(e, "shortness_of_breath").presence is Presence.ABSENT
    assert finding(e, "chest_pain").presence is Presence.PRESENT


@pytest.mark.parametrize(
    ("attribute", "text", "field", "value"),
    [
        ("severity", "about a 7", "severity", 7),
        ("severity", "8/10", "severity", 8),
        ("severity", "severe", "severity", 8),
        ("duration_hours", "two days", "duration_hours", 48),
        ("onset", "since yesterday", "duration_hours", 24),
        ("onset", "it came on suddenly", "onset", "sudden"),
        ("character", "kind of crushing", "character", "crushing"),
        ("radiation", "into my left arm", "radiation", "left arm"),
        ("timing", "it comes and goes", "timing", "intermittent"),
        ("site", "lower right side of my belly", "site", "lower right abdomen"),
    ],
)
def test_attribute_answers(
    extract: Extract, attribute: str, text: str, field: str, value: object
) -> None:
    ctx = QuestionContext(kind="attribute", concept_id="abdominal_pain", attribute=attribute)
    f = finding(extract(text, context=ctx), "abdominal_pain")
    assert getattr(f, field) == value
    assert f.presence is Presence.PRESENT


def test_history_lists(extract: Extract) -> None:
    meds = QuestionContext(kind="history", attribute="medications")
    e = extract("ibuprofen and metformin", context=meds)
    assert e.history.medications == ["ibuprofen", "metformin"]
    e = extract("just my blue inhaler and some vitamin d", context=meds)
    assert "vitamin d" in e.history.medications
    allergies = QuestionContext(kind="history", attribute="allergies")
    assert extract("none", context=allergies).history.no_known_allergies is True
    assert extract("no allergies", context=allergies).history.no_known_allergies is True
    assert extract("penicillin", context=allergies).history.allergies == ["penicillin"]
    conditions = QuestionContext(kind="history", attribute="conditions")
    assert (
        "asthma" in extract("asthma and high blood pressure", context=conditions).history.conditions
    )


@pytest.mark.parametrize("text", ["No, I am healthy.", "I'm healthy", "nothing, I'm fit and well"])
def test_being_healthy_is_no_condition(extract: Extract, text: str) -> None:
    conditions = QuestionContext(kind="history", attribute="conditions")
    assert extract(text, context=conditions).history.conditions == []


def test_taking_a_medicine_is_not_an_allergy(extract: Extract) -> None:
    # Heard in a spoken intake: the patient answered the allergy question about a medicine.
    allergies = QuestionContext(kind="history", attribute="allergies")
    history = extract("I took some ibuprofen.", context=allergies).history
    assert history.allergies == []
    assert history.medications == ["ibuprofen"]
    assert extract("ibuprofen", context=allergies).history.allergies == ["ibuprofen"]


@pytest.mark.parametrize(("text", "age"), [("I'm 34", 34), ("34", 34), ("tengo 40 años", 40)])
def test_age_answer(extract: Extract, text: str, age: float) -> None:
    ctx = QuestionContext(kind="demographic", attribute="age_years")
    language = "es" if text.startswith("tengo") else "en"
    assert extract(text, language, context=ctx).demographics.age_years == age


def test_pregnancy_answer(extract: Extract) -> None:
    ctx = QuestionContext(kind="demographic", attribute="pregnant")
    assert extract("yes", context=ctx).demographics.pregnant is True
    assert extract("no", context=ctx).demographics.pregnant is False


def test_consent_and_confirmation(extract: Extract) -> None:
    consent = QuestionContext(kind="consent")
    assert extract("yes, go ahead", context=consent).consent is True
    assert extract("no thanks", context=consent).consent is False
    confirm = QuestionContext(kind="confirmation")
    assert extract("yes that's right", context=confirm).confirmation is True
    assert extract("no, that's wrong", context=confirm).confirmation is False
    assert extract("claro que sí", "es", context=confirm).confirmation is True
