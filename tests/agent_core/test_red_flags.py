"""Every red-flag rule: a positive and a negative example, plus table validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from media_host.intake_agent.errors import RuleTableError
from media_host.intake_agent.extraction import RulesExtractor
from media_host.intake_agent.lexicon import load_lexicon, read_data_file
from media_host.intake_agent.models import (
    Demographics,
    Finding,
    History,
    Level,
    Presence,
)
from media_host.intake_agent.safety import evaluate_red_flags, load_rules, parse_rules

CASES: dict[str, dict[str, list[str]]] = yaml.safe_load(
    (Path(__file__).parent / "red_flag_cases.yaml").read_text(encoding="utf-8")
)
EXTRACTOR = RulesExtractor()


def _hits(text: str) -> set[str]:
    extraction = EXTRACTOR.extract(text, item_id="t", language="en")
    hits = evaluate_red_flags(extraction.findings, extraction.demographics, extraction.history)
    return {h.rule_id for h in hits}


def _examples(kind: str) -> list[Any]:
    return [
        pytest.param(rule_id, text, id=f"{rule_id}-{kind}-{i}")
        for rule_id, body in CASES.items()
        for i, text in enumerate(body[kind])
    ]


def test_every_rule_has_positive_and_negative_examples() -> None:
    rule_ids = {r.id for r in load_rules()}
    assert rule_ids == set(CASES)
    for body in CASES.values():
        assert body["positive"] and body["negative"]


@pytest.mark.parametrize(("rule_id", "text"), _examples("positive"))
def test_rule_fires_on_positive_example(rule_id: str, text: str) -> None:
    assert rule_id in _hits(text)


@pytest.mark.parametrize(("rule_id", "text"), _examples("negative"))
def test_rule_silent_on_negative_example(rule_id: str, text: str) -> None:
    assert rule_id not in _hits(text)


def _finding(cid: str, **kw: Any) -> Finding:
    concept = load_lexicon().concept(cid)
    return Finding(concept_id=cid, label=concept.label, **kw)


def test_hits_sorted_most_urgent_first_with_advice_in_language() -> None:
    findings = [_finding("chest_pain", character="crushing"), _finding("shortness_of_breath")]
    hits = evaluate_red_flags(findings, Demographics(), History(), language="es")
    assert hits[0].level is Level.EMERGENCY
    assert [h.level.rank for h in hits] == sorted(h.level.rank for h in hits)
    assert "emergencias" in hits[0].advice
    assert "chest_pain" in hits[0].evidence


def test_absent_and_uncertain_findings_never_trigger() -> None:
    for presence in (Presence.ABSENT, Presence.UNCERTAIN):
        findings = [_finding("hematemesis", presence=presence)]
        assert evaluate_red_flags(findings, Demographics(), History()) == []


def test_age_rule_needs_known_age() -> None:
    findings = [_finding("fever", value=38.5)]
    assert "infant_fever_under_3_months" not in {
        h.rule_id for h in evaluate_red_flags(findings, Demographics(), History())
    }
    infant = Demographics(age_years=0.1)
    assert "infant_fever_under_3_months" in {
        h.rule_id for h in evaluate_red_flags(findings, infant, History())
    }


def test_medication_class_condition() -> None:
    findings = [_finding("head_injury")]
    history = History(medications=["apixaban"])
    ids = {h.rule_id for h in evaluate_red_flags(findings, Demographics(), history)}
    assert "head_injury_high_risk" in ids


def _table_with(rule: dict[str, Any]) -> dict[str, Any]:
    raw = read_data_file("red_flags.yaml")
    return {"default_advice": raw["default_advice"], "rules": [rule]}


_BASE = {
    "id": "x_rule",
    "title": "X",
    "level": "urgent",
    "when": {"present": "fever"},
    "rationale": "r",
    "source": "s",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"when": {"present": "no_such_concept"}}, "unknown concept id 'no_such_concept'"),
        ({"when": {"presnt": "fever"}}, "unknown condition operator 'presnt'"),
        ({"when": {"present": "fever", "absent": "cough"}}, "exactly one operator"),
        ({"level": "self_care"}, "red flags are emergency or urgent"),
        ({"level": "soon"}, "unknown level"),
        ({"colour": "red"}, "unknown keys"),
        (
            {"when": {"finding": {"concept": "fever", "hotness_gte": 3}}},
            "unknown finding constraint",
        ),
        ({"when": {"age": {"gte": "old"}}}, "expected a number"),
        ({"when": {"condition": "martian_flu"}}, "unknown history condition"),
        ({"when": {"medication_class": "potion"}}, "unknown medication class"),
        ({"advice": {"en": "x"}}, "advice needs exactly the languages"),
    ],
)
def test_table_validation_names_the_rule(change: dict[str, Any], message: str) -> None:
    rule = {**_BASE, **change}
    with pytest.raises(RuleTableError) as info:
        parse_rules(_table_with(rule), load_lexicon())
    assert message in str(info.value)
    assert "x_rule" in str(info.value)


def test_duplicate_rule_ids_rejected() -> None:
    raw = read_data_file("red_flags.yaml")
    table = {"default_advice": raw["default_advice"], "rules": [_BASE, dict(_BASE)]}
    with pytest.raises(RuleTableError, match="duplicate id"):
        parse_rules(table, load_lexicon())


def test_docs_list_every_rule() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "red-flag-rules.md").read_text("utf-8")
    for rule in load_rules():
        assert f"`{rule.id}`" in docs, f"docs/red-flag-rules.md does not list {rule.id}"
