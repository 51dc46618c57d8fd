"""Coverage work measured on eval/blind_batches_3.jsonl: the generic mechanisms it added."""

from __future__ import annotations

from pathlib import Path

import pytest

from media_host.intake_agent.assess import assess_text
from media_host.intake_agent.models import Level


def _level(text: str) -> Level:
    return assess_text(text).disposition.level


def _present(text: str) -> set[str]:
    return {f.concept_id for f in assess_text(text).findings_present}


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("vomiting since this morning, no blood", "hematemesis"),
        ("diarrhoea for two days, no blood in it", "rectal_bleeding"),
        ("loose stools without blood", "rectal_bleeding"),
    ],
)
def test_a_negated_second_cue_does_not_compose(text: str, concept: str) -> None:
    """ "vomiting, no blood" is the reassuring negative; the pair must not assert haematemesis."""
    assert concept not in _present(text)


def test_an_unnegated_second_cue_still_composes() -> None:
    assert "rectal_bleeding" in _present("diarrhoea for three days and now there's blood in it")
    assert "hematemesis" in _present("I've been vomiting blood")


def test_thin_evidence_never_raises_to_emergency() -> None:
    """Without a chief complaint the cautious raise stops at urgent; emergencies need a rule."""
    summary = assess_text(
        "She has vomited everything including water and passed very little urine."
    )
    assert not summary.red_flags
    assert summary.disposition.level is Level.URGENT


def test_toddler_ingestion_is_poisoning_not_self_harm() -> None:
    summary = assess_text("My 2-year-old was found with my iron tablets, some are missing.")
    rules = {h.rule_id for h in summary.red_flags}
    assert "poisoning_or_hazard" in rules and "suicide_risk_high" not in rules
    assert summary.disposition.level is Level.EMERGENCY
    adult = {h.rule_id for h in assess_text("I took a whole packet of paracetamol.").red_flags}
    assert "suicide_risk_high" in adult


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("my toddler has croup, noisy breathing when he cries but fine at rest", Level.URGENT),
        ("my 4-year-old snores and stops breathing for a second at night", Level.NON_URGENT),
        ("my 3-year-old bumped his knee on the table, he's running around again", Level.SELF_CARE),
        ("my 6-year-old pushed a bead up his nose", Level.URGENT),
        ("my fingers go white in the cold and tingle, for the past two months", Level.NON_URGENT),
        ("painful red breast while breastfeeding with a temperature of 38.5", Level.URGENT),
    ],
)
def test_new_concepts_grade_sensibly(text: str, level: Level) -> None:
    assert _level(text) is level


@pytest.mark.parametrize(
    "text",
    [
        "I took 20 paracetamol an hour ago",
        "The whole family has headaches and the boiler is faulty",
        "after peanuts my throat is tight and I'm wheezy",
    ],
)
def test_checklist_emergencies(text: str) -> None:
    """Presentations from the eval/README.md checklist that first graded below emergency."""
    assert _level(text) is Level.EMERGENCY


def test_a_small_dose_of_a_named_medicine_is_not_an_overdose() -> None:
    assert "overdose" not in _present("I took 2 paracetamol for my headache")


@pytest.mark.parametrize(
    ("text", "age"),
    [("my nan is 86 and she's very sleepy", 86.0), ("my little boy is 3 and has a cough", 3.0)],
)
def test_age_of_a_named_relative(text: str, age: float) -> None:
    assert assess_text(text).demographics.age_years == age


def test_a_distance_is_not_an_age() -> None:
    assert assess_text("my dad is 2 hours away and has a cough").demographics.age_years is None


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("she wants help to cut down on drinking", "alcohol_misuse"),
        ("my ankles swell by the evening", "leg_swelling"),
        ("he was hit on the side of the head with a bottle", "head_injury"),
        ("he crushed his forearm under a machine", "major_trauma"),
        ("there's a black area on his big toe", "gangrene"),
        ("she bit into a laundry capsule", "overdose"),
        ("he was pulled from the pond after a minute under water", "drowning"),
        ("she suddenly cannot find her words", "slurred_speech"),
        ("he has been passing blood from his back passage", "rectal_bleeding"),
        ("I'm 12 days after a caesarean section", "postpartum"),
        ("she has cut her wrists", "self_harm"),
        ("he has projectile vomiting after feeds", "projectile_vomiting"),
        ("he has projectile vomiting after feeds", "vomiting"),
        ("my heart is beating 200 times a minute", "palpitations"),
        ("stiffness for an hour every morning", "morning_stiffness"),
        ("my heart is beating very slowly", "bradycardia"),
        ("he got hit in the testicles", "testicular_pain"),
    ],
)
def test_new_phrases(text: str, concept: str) -> None:
    assert concept in _present(text)


def test_cut_down_on_drinking_is_not_a_wound() -> None:
    assert "wound" not in _present("I want to cut down on drinking")


CHECKLIST = Path(__file__).resolve().parents[2] / "eval" / "coverage_checklist.txt"


def test_coverage_checklist() -> None:
    """~90 common presentations by body system: at least 88 graded within their accepted levels
    (the known exceptions are listed in eval/README.md)."""
    rows = [
        line.split("|")
        for line in CHECKLIST.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(rows) >= 90 and all(len(r) == 4 for r in rows)
    graded = [(r[1], _level(r[3]).value, r[2].split("/")) for r in rows]
    misses = [name for name, level, accepted in graded if level not in accepted]
    assert len(rows) - len(misses) >= 88, misses
    systems = {r[0] for r in rows}
    assert len(systems) >= 15


def test_a_blocked_ear_with_a_cold_is_self_care() -> None:
    assert (
        _level("I have a mild cold and a slightly blocked ear since yesterday") is Level.SELF_CARE
    )


def test_a_dog_bite_is_not_a_venomous_bite() -> None:
    rules = {h.rule_id for h in assess_text("A dog bit my hand and broke the skin").red_flags}
    assert "venomous_bite" not in rules and "serious_infection_urgent" in rules
