"""Metamorphic tests: the team's first-person cases told in the third person, by a relative and
as a clinical note must keep their disposition level; and the rewriter itself, on sentences."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from media_host.intake_agent.cli import main
from media_host.intake_agent.evaluation import parse_cases
from media_host.intake_agent.invariance import is_first_person_self_account, measure_invariance
from media_host.intake_agent.metamorphic import (
    HE,
    SHE,
    pick_person,
    relative_for,
    rewrite,
    third_person_singular,
    to_caregiver,
    to_note_style,
    to_third_person,
)

EVAL_DIR = Path(__file__).resolve().parents[2] / "eval"
# Floors a few points under the rates measured with the reading layer of main at 634dc1a
# (third person 99.5 %, caregiver 99.5 %, note 98.6 % of 370 cases; see eval/README.md).
MIN_INVARIANCE = {"third_person": 0.96, "caregiver": 0.96, "note": 0.95}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I have a headache.", "She has a headache."),
        ("I'm 34 and my chest hurts.", "She is 34 and her chest hurts."),
        ("im 34 and ive had a cough", "She is 34 and she has had a cough"),
        (
            "I feel dizzy and I don't think I can stand. It woke me up.",
            "She feels dizzy and she doesn't think she can stand. It woke her up.",
        ),
        (
            "I have a cough and feel hot, I try to rest.",
            "She has a cough and feels hot, she tries to rest.",
        ),
        ("I just fainted, I've cut myself.", "She just fainted, she has cut herself."),
        ("A fever and cough. The pain is mine.", "A fever and cough. The pain is hers."),
        ("i fainted, i.e. passed out", "She fainted, i.e. passed out"),
    ],
)
def test_third_person(text: str, expected: str) -> None:
    assert to_third_person(text, SHE) == expected


def test_third_person_male() -> None:
    assert to_third_person("I keep getting chest pain in my arm.", HE) == (
        "He keeps getting chest pain in his arm."
    )


@pytest.mark.parametrize(
    ("text", "relation", "expected"),
    [
        (
            "I've had chest pain for an hour and I'm sweating.",
            "husband",
            "My husband has had chest pain for an hour and he is sweating.",
        ),
        (
            "My tummy hurts and I've been sick.",
            "husband",
            "My husband's tummy hurts and he has been sick.",
        ),
        ("Since yesterday I feel awful.", "husband", "Since yesterday my husband feels awful."),
    ],
)
def test_caregiver(text: str, relation: str, expected: str) -> None:
    assert to_caregiver(text, HE, relation) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "I've had chest pain and shortness of breath for two days.",
            "CP and SOB x2 days.",
        ),
        (
            "I'm 45 and I've had nausea and vomiting since last night, I don't have a fever.",
            "45 y/o, N/V since last night, no fever.",
        ),
        ("I have a history of asthma and my temperature is 39.", "H/o asthma and temp is 39."),
        ("I feel faint. I've been sick twice.", "Feels faint. Been sick twice."),
        ("I'm a 60 year old man, I had a loss of consciousness.", "A 60 y/o man, had a LOC."),
        ("It woke me up and I wet myself.", "It woke pt up and wet self."),
        (
            "I haven't had any fever but I don't think I can walk.",
            "No fever but doesn't think can walk.",
        ),
        ("My knee is hot and I've got a temperature.", "Knee is hot and febrile."),
        ("My temperature was 39 for a week.", "Temp was 39 x1 week."),
    ],
)
def test_note_style(text: str, expected: str) -> None:
    assert to_note_style(text) == expected


@pytest.mark.parametrize(
    ("verb", "expected"),
    [("feel", "feels"), ("try", "tries"), ("wash", "washes"), ("go", "goes"), ("have", "has")],
)
def test_third_person_singular(verb: str, expected: str) -> None:
    assert third_person_singular(verb) == expected


def test_person_and_relative_choice() -> None:
    assert pick_person("I have a cough", "M", "a") is HE
    assert pick_person("I'm pregnant and bleeding", None, "a") is SHE
    assert pick_person("my testicle hurts", None, "a") is HE
    assert pick_person("cough", None, "x") is pick_person("cough", None, "x")  # deterministic
    assert {pick_person("cough", None, str(i)) for i in range(10)} == {SHE, HE}
    assert relative_for(SHE, 4) == "daughter" and relative_for(HE, 80) == "father"
    assert relative_for(HE, 30) == "husband" and relative_for(SHE, None) == "wife"
    assert rewrite("I'm 70 and I fell.", "caregiver", sex="F") == "My mother is 70 and she fell."
    with pytest.raises(ValueError, match="unknown rewrite kind"):
        rewrite("I fell", "poem")


@pytest.mark.parametrize(
    ("text", "first_person"),
    [
        ("I've had a cough for a week", True),
        ("my chest hurts", True),
        ("My son is 4 and I think he has croup", False),
        ("A 22-year-old has sunburn", False),
        ("my 14 year old keeps being sick", False),
        ("She has a fever", False),
        ("Fever and cough", False),
    ],
)
def test_first_person_self_accounts_are_selected(text: str, first_person: bool) -> None:
    assert is_first_person_self_account(text) is first_person


def test_team_cases_keep_their_disposition_when_rewritten() -> None:
    cases = [
        case
        for path in sorted(EVAL_DIR.glob("*.jsonl"))
        for case in parse_cases(path.read_text(encoding="utf-8").splitlines())
    ]
    results = measure_invariance(cases)
    for kind, floor in MIN_INVARIANCE.items():
        result = results[kind]
        assert result.n >= 300
        assert result.rate is not None and result.rate >= floor, (kind, result.changed)


def test_metamorphic_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.jsonl"
    lines = [
        {
            "id": "m1",
            "vignette": "I have crushing chest pain and I'm sweating",
            "gold_level": "emergency",
        },
        {"id": "m2", "vignette": "My son has a runny nose", "gold_level": "self_care"},
        {"id": "m3", "vignette": "I've had chest pain for an hour", "gold_level": "emergency"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    assert main(["metamorphic", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"third_person", "caregiver", "note"}
    assert all(result[kind]["n"] == 2 for kind in result)  # m2 is not a self account
    assert result["third_person"]["same"] == 2
    changed_note = {c["id"] for c in result["note"]["changed"]}
    assert changed_note <= {"m1", "m3"}
    assert main(["metamorphic", str(path)]) == 0
    out = capsys.readouterr().out
    assert "third_person  n=2" in out and "Changed level, note" in out
    assert "chest" not in out  # ids only, never the text


def test_metamorphic_command_rejects_repeated_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "a", "vignette": "I fell", "gold_level": "urgent"}) + "\n")
    assert main(["metamorphic", str(path), str(path)]) == 2
    assert "more than one file" in capsys.readouterr().err


def test_no_first_person_word_survives_a_rewrite() -> None:
    """Over every selected case: the third-person and caregiver rewrites keep no I/my/me, and the
    caregiver names the relative exactly once; the note keeps no I."""
    first_person = re.compile(r"\b(?:I|I['’]m|I['’]ve|my|me|myself|mine|im|ive)\b(?!\.\w)", re.I)
    relative = re.compile(r"\bmy (?:son|daughter|husband|wife|mother|father)\b", re.I)
    cases = [
        case
        for path in sorted(EVAL_DIR.glob("*.jsonl"))
        for case in parse_cases(path.read_text(encoding="utf-8").splitlines())
        if is_first_person_self_account(case.vignette)
    ]
    assert len(cases) >= 300
    for case in cases:
        third = rewrite(case.vignette, "third_person", sex=case.sex, case_id=case.id)
        assert not first_person.search(third), (case.id, third)
        carer = rewrite(case.vignette, "caregiver", sex=case.sex, age=case.age, case_id=case.id)
        assert len(relative.findall(carer)) == 1, (case.id, carer)
        assert not first_person.search(relative.sub("", carer)), (case.id, carer)
        note = rewrite(case.vignette, "note", sex=case.sex, case_id=case.id)
        assert not re.search(r"\bI\b(?!\.\w)", note, re.I), (case.id, note)
