"""Disposition: red flags win, grading from findings, cautious raise with a stated reason."""

from __future__ import annotations

from typing import Any

import pytest

from media_host.intake_agent.assess import assess_text
from media_host.intake_agent.disposition import decide_disposition
from media_host.intake_agent.lexicon import load_lexicon
from media_host.intake_agent.models import (
    Demographics,
    Disposition,
    Finding,
    History,
    Level,
    Presence,
)
from media_host.intake_agent.safety import evaluate_red_flags


def _f(cid: str, **kw: Any) -> Finding:
    return Finding(concept_id=cid, label=load_lexicon().concept(cid).label, **kw)


def _decide(
    findings: list[Finding],
    demo: Demographics | None = None,
    hist: History | None = None,
    language: str = "en",
) -> Disposition:
    demo = demo or Demographics()
    hist = hist or History()
    flags = evaluate_red_flags(findings, demo, hist, language=language)
    return decide_disposition(findings, demo, hist, flags, language=language)


def test_highest_red_flag_wins_and_emergency_advice_says_call() -> None:
    d = _decide([_f("chest_pain", character="crushing"), _f("runny_nose")])
    assert d.level is Level.EMERGENCY
    assert "acs_chest_pain" in d.matched_rules
    assert "emergency number" in d.advice
    es = _decide([_f("chest_pain", character="crushing")], language="es")
    assert "emergencias" in es.advice


def test_self_care_grading() -> None:
    d = _decide([_f("runny_nose", duration_hours=48), _f("sneezing", duration_hours=48)])
    assert d.level is Level.SELF_CARE
    assert not d.cautious


def test_self_care_problem_lasting_too_long_needs_gp() -> None:
    d = _decide([_f("cough", duration_hours=24 * 35)])
    assert d.level is Level.NON_URGENT
    assert any("lasting" in r for r in d.rationale)


def test_severe_pain_is_urgent() -> None:
    d = _decide([_f("back_pain", severity=9, duration_hours=5)])
    assert d.level is Level.URGENT


def test_chronic_urgent_type_problem_without_red_flags_is_non_urgent() -> None:
    d = _decide([_f("chest_pain", duration_hours=24 * 90, character="sharp")])
    assert d.level is Level.NON_URGENT


def test_age_extremes_and_pregnancy_raise_self_care() -> None:
    findings = [_f("runny_nose", duration_hours=24)]
    assert _decide(findings, Demographics(age_years=0.2)).level is Level.NON_URGENT
    assert _decide(findings, Demographics(age_years=0.6)).level is Level.SELF_CARE
    assert _decide(findings, Demographics(age_years=85)).level is Level.NON_URGENT
    assert _decide(findings, Demographics(age_years=30)).level is Level.SELF_CARE
    # in pregnancy, a cold or heartburn alone is the pharmacist's (NICE CKS); anything else
    # gets the lower threshold
    assert _decide(findings, Demographics(pregnant=True)).level is Level.SELF_CARE
    itching = [_f("itching", duration_hours=24)]
    assert _decide(itching, Demographics(pregnant=True)).level is Level.NON_URGENT


def test_cautious_raise_when_nothing_identified() -> None:
    d = _decide([])
    assert d.cautious
    assert d.level is Level.NON_URGENT
    assert any("Cautious" in r for r in d.rationale)


def test_cautious_raise_for_lone_pain_without_details() -> None:
    d = _decide([_f("headache")])
    assert d.cautious and d.level is Level.NON_URGENT
    detailed = _decide([_f("headache", duration_hours=3, severity=3)])
    assert not detailed.cautious and detailed.level is Level.SELF_CARE


def test_only_absent_findings_are_cautious() -> None:
    d = _decide([_f("fever", presence=Presence.ABSENT)])
    assert d.cautious and d.level is not Level.SELF_CARE


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("I have a runny nose and sneezing since yesterday, no fever.", Level.SELF_CARE),
        ("I've had a rash on my arm for three weeks.", Level.NON_URGENT),
        ("I twisted my ankle and can't put any weight on it.", Level.URGENT),
        ("My face is drooping and my arm is weak.", Level.EMERGENCY),
    ],
)
def test_all_levels_reachable_from_text(text: str, level: Level) -> None:
    assert assess_text(text).disposition.level is level


def test_assess_summary_fields() -> None:
    s = assess_text(
        "A 45-year-old man with diabetes has crushing chest pain and sweating. Denies fever.",
        session_id="s1",
    )
    assert s.session_id == "s1" and s.language == "en"
    assert s.chief_complaint == "chest_pain" and s.chief_complaint_label == "chest pain"
    assert {f.concept_id for f in s.findings_absent} == {"fever"}
    assert s.demographics.age_years == 45 and s.history.conditions == ["diabetes"]
    assert s.red_flags and s.disposition.level is Level.EMERGENCY


def test_assess_overrides_and_spanish() -> None:
    s = assess_text("Tengo fiebre.", age=0.1, sex="F", language="es-ES")
    assert s.demographics.age_years == 0.1 and s.demographics.sex == "female"
    assert s.disposition.level is Level.EMERGENCY
    assert s.chief_complaint_label == "fiebre"


BENIGN = [
    "I can't breathe through my nose because of my cold.",
    "I had a few drinks last night and have a hangover headache.",
    "I get heartburn in my chest after big meals.",
    "I bumped my head on the cupboard door, no headache, feel fine.",
    "I have a mild cough at night for 3 days, no fever, no breathing problems.",
    "My son fell over at the park and grazed his knee, he's running around fine.",
    "I'm confused about how to use my new inhaler, my asthma is fine.",
    "I'm a little short of breath after running up the stairs, which is normal for me.",
    "I have period pain like usual, paracetamol helps.",
    "My heart skips a beat occasionally when I drink coffee, otherwise fine.",
]


@pytest.mark.parametrize("text", BENIGN)
def test_benign_accounts_are_not_escalated(text: str) -> None:
    level = assess_text(text).disposition.level
    assert level in (Level.SELF_CARE, Level.NON_URGENT), text


LAY_EMERGENCIES = [
    "My dad's arm suddenly went dead and his face looks funny.",
    "I feel like there's an elephant on my chest.",
    "My son has a temperature and a rash that looks like bruises.",
    "My throat is swelling up after I ate nuts.",
    "My daughter is having a fit and it won't stop.",
    "My 2 year old swallowed a battery from the remote.",
    "There's so much blood, the cut on my leg is spurting.",
    "My stomach is really swollen and I've been throwing up green stuff.",
    "My leg is cold and white and I can't feel my foot.",
    "My friend says he is going to kill himself tonight.",
    "I've had the worst headache ever, came on in a second.",
    "Sudden agony in my testicle and I've been sick.",
]


@pytest.mark.parametrize("text", LAY_EMERGENCIES)
def test_lay_emergencies_are_recognised(text: str) -> None:
    assert assess_text(text).disposition.level is Level.EMERGENCY, text


@pytest.mark.parametrize(
    ("text", "level"),
    [
        (
            "Tengo un dolor muy fuerte en el pecho que se va al brazo izquierdo y estoy sudando.",
            Level.EMERGENCY,
        ),
        ("Mi bebé de un mes tiene fiebre de 38,5.", Level.EMERGENCY),
        ("Me torcí el tobillo y no puedo apoyar el pie.", Level.URGENT),
        ("Me duele la rodilla desde hace tres meses.", Level.NON_URGENT),
        ("Tengo mocos y estornudos desde ayer, sin fiebre.", Level.SELF_CARE),
    ],
)
def test_spanish_accounts(text: str, level: Level) -> None:
    summary = assess_text(text, language="es")
    assert summary.disposition.level is level
    assert summary.language == "es"
