"""Every question the interview can ask is in plain language (en / es), to the caller or about
the person they call for: no clinical term a caller may not understand."""

from __future__ import annotations

import re

import pytest

from media_host.intake_agent import protocols, replies
from media_host.intake_agent.models import Demographics, Finding, History, Presence
from media_host.intake_agent.state import Subject
from media_host.intake_agent.textnorm import normalise

# Clinical terms that must not reach a caller (accent-folded, matched as word prefixes).
JARGON = {
    "en": [
        "stridor",
        "facial droop",
        "photophobia",
        "dysuria",
        "haematemesis",
        "hematemesis",
        "melena",
        "melaena",
        "syncope",
        "diaphoresis",
        "peritonism",
        "hemoptysis",
        "haemoptysis",
        "cyanosis",
        "saddle",
        "anesthesia",
        "anaesthesia",
        "urinary",
        "urination",
        "bilious",
        "non-blanching",
        "blanch",
        "palpitation",
        "dyspnea",
        "dyspnoea",
        "edema",
        "oedema",
        "hematuria",
        "haematuria",
        "rectal",
        "flank",
        "abdominal",
        "abdomen",
        "unilateral",
        "bilateral",
        "incontinence",
        "nuchal",
        "meningism",
        "lymph",
        "febrile",
        "emesis",
        "pleuritic",
        "pruritus",
        "rhinorrh",
        "micturition",
        "lethargy",
        "drowsiness",
        "diarrhea",
    ],
    "es": [
        "estridor",
        "fotofobia",
        "disuria",
        "hematemesis",
        "melena",
        "sincope",
        "diaforesis",
        "peritonismo",
        "hemoptisis",
        "cianosis",
        "disnea",
        "edema",
        "hematuria",
        "incontinencia",
        "somnolencia",
        "retencion urinaria",
        "bilioso",
        "palpitaciones",
        "rigidez de nuca",
        "silla de montar",
        "abdominal",
        "rectal",
        "unilateral",
    ],
}
SUBJECTS: list[Subject | None] = [
    None,
    {"relation": "son", "pronoun": None},
    {"relation": "baby", "pronoun": None},
    {"relation": None, "pronoun": "she"},
]
HISTORY_KEYS = [
    "history:conditions",
    "history:medications",
    "history:allergies",
    "demo:age_years",
    "demo:sex",
    "demo:pregnant",
]


def jargon_in(text: str, language: str) -> list[str]:
    folded = normalise(text)
    return [term for term in JARGON[language] if re.search(r"\b" + re.escape(term), folded)]


def _complaints() -> list[str]:
    _generic, complaints = protocols._table()
    return [*complaints, "toothache"]  # toothache: a complaint with the generic protocol


def every_question(language: str, subject: Subject | None) -> list[str]:
    """Every sentence the planner can ask, first time and again in other words."""
    out: list[str] = []
    for chief in _complaints():
        protocol = protocols.complaint_protocol(chief)
        for attribute in protocol.hpi_attributes:
            field = {"duration": "duration_hours"}.get(attribute, attribute)
            for again in (False, True):
                out.append(
                    protocols.attribute_question(chief, field, language, subject, again=again)
                )
        for concept in (*protocol.associated, *protocol.red_flag_screen):
            out.append(protocols.question_text(concept, language, subject))
            out.append(protocols.question_again(concept, language, subject))
    for key in HISTORY_KEYS:
        for again in (False, True):
            out.append(replies.question(key, language, subject, again=again))
    return out


def every_readback(language: str, subject: Subject | None) -> str:
    """A read-back in which every askable concept is denied."""
    absent = [
        (
            Finding(concept_id=cid, label=cid, presence=Presence.ABSENT),
            protocols.short_label(cid, language),
        )
        for cid in protocols.asked_concepts()
    ]
    return replies.readback_summary(
        language=language,
        complaint_label=protocols.short_label("abdominal_pain", language),
        present=[],
        absent=absent,
        demographics=Demographics(age_years=0.4),
        history=History(),
        subject=subject,
    )


def test_the_jargon_check_catches_the_old_wording() -> None:
    # What the interview used to ask: the check must flag it, or it proves nothing.
    assert jargon_in("Do you have any stridor?", "en") == ["stridor"]
    assert jargon_in("Do you have any facial droop?", "en") == ["facial droop"]
    assert jargon_in("¿Tiene estridor?", "es") == ["estridor"]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("subject", SUBJECTS, ids=["caller", "son", "baby", "she"])
def test_no_question_uses_clinical_jargon(language: str, subject: Subject | None) -> None:
    questions = every_question(language, subject)
    assert len(questions) > 300
    found = {q: jargon_in(q, language) for q in questions if jargon_in(q, language)}
    assert found == {}
    readback = every_readback(language, subject)
    assert jargon_in(readback, language) == []


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("subject", SUBJECTS, ids=["caller", "son", "baby", "she"])
def test_questions_are_well_formed(language: str, subject: Subject | None) -> None:
    for question in every_question(language, subject):
        assert "{" not in question and "}" not in question, question
        assert "  " not in question, question
        assert question[0].isupper() or question[0] == "¿", question
        assert "?" in question, question
        if subject is not None:
            # speaking about someone else: never "Do you have…" about their symptoms
            assert not re.search(r"\b(?:Do|Are|Have) you\b", question), question


@pytest.mark.parametrize("concept", ["stridor", "facial_droop", "photophobia", "syncope"])
def test_plain_wording_examples(concept: str) -> None:
    son: Subject = {"relation": "son", "pronoun": None}
    assert "your son" in protocols.question_text(concept, "en", son).lower()
    assert "su hijo" in protocols.question_text(concept, "es", son)


def test_plain_wording_named_in_the_issue() -> None:
    assert "noisy, high-pitched" in protocols.question_text("stridor", "en")
    assert "one side of your face drooping" in protocols.question_text("facial_droop", "en")
    she: Subject = {"relation": None, "pronoun": "she"}
    assert protocols.question_text("fever", "en", she).startswith("Does she ")
