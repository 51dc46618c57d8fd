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
    assert _decide(findings, Demographics(pregnant=True)).level is Level.NON_URGENT
    assert _decide(findings, Demographics(age_years=30)).level is Level.SELF_CARE


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
