"""Red-flag safety rules: deterministic, data-driven (``data/red_flags.yaml``), pure.

:func:`evaluate_red_flags` runs on every utterance with everything known so far and returns the
matching rules, most urgent first. Nothing here is decided by a language model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from media_host.intake_agent.conditions import Check, Facts, compile_condition
from media_host.intake_agent.errors import RuleTableError
from media_host.intake_agent.lexicon import Lexicon, load_lexicon, read_data_file
from media_host.intake_agent.models import Demographics, Finding, History, Level, RedFlagHit
from media_host.intake_agent.physiology import physiology_flags

_RULE_KEYS = frozenset({"id", "title", "level", "when", "advice", "rationale", "source"})
_REQUIRED = ("id", "title", "level", "when", "rationale", "source")
_LANGS = ("en", "es")


@dataclass(frozen=True)
class RedFlagRule:
    """One validated red-flag rule."""

    id: str
    title: str
    level: Level
    check: Check
    advice: dict[str, str]
    rationale: str
    source: str


def _advice(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or set(raw) != set(_LANGS):
        raise RuleTableError(f"{where}: advice needs exactly the languages {list(_LANGS)}")
    if not all(isinstance(v, str) and v.strip() for v in raw.values()):
        raise RuleTableError(f"{where}: advice texts must be non-empty strings")
    return {k: v.strip() for k, v in raw.items()}


def parse_rules(raw: Any, lexicon: Lexicon) -> list[RedFlagRule]:
    """Validate a parsed red-flag table and compile its conditions.

    Raises:
        RuleTableError: the table is malformed; the message names the rule.
    """
    if not isinstance(raw, dict) or set(raw) - {"default_advice", "rules"}:
        raise RuleTableError("red_flags: top level must have 'default_advice' and 'rules'")
    defaults_raw = raw.get("default_advice")
    if not isinstance(defaults_raw, dict) or set(defaults_raw) != {"emergency", "urgent"}:
        raise RuleTableError("red_flags: default_advice needs 'emergency' and 'urgent'")
    defaults = {
        Level(k): _advice(v, f"red_flags.default_advice.{k}") for k, v in defaults_raw.items()
    }
    rules_raw = raw.get("rules")
    if not isinstance(rules_raw, list) or not rules_raw:
        raise RuleTableError("red_flags: 'rules' must be a non-empty list")
    rules: list[RedFlagRule] = []
    seen: set[str] = set()
    for index, entry in enumerate(rules_raw):
        name = entry.get("id") if isinstance(entry, dict) else None
        where = f"red_flags rule {name!r}" if name else f"red_flags rule #{index}"
        if not isinstance(entry, dict):
            raise RuleTableError(f"{where}: must be a mapping")
        unknown = set(entry) - _RULE_KEYS
        if unknown:
            raise RuleTableError(f"{where}: unknown keys {sorted(unknown)}")
        missing = [k for k in _REQUIRED if not entry.get(k)]
        if missing:
            raise RuleTableError(f"{where}: missing {missing}")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise RuleTableError(f"{where}: id must be snake_case")
        if name in seen:
            raise RuleTableError(f"{where}: duplicate id")
        seen.add(name)
        try:
            level = Level(entry["level"])
        except ValueError:
            raise RuleTableError(f"{where}: unknown level {entry['level']!r}") from None
        if level not in defaults:
            raise RuleTableError(f"{where}: red flags are emergency or urgent, not {level.value}")
        advice = _advice(entry["advice"], where) if "advice" in entry else defaults[level]
        rules.append(
            RedFlagRule(
                id=name,
                title=str(entry["title"]),
                level=level,
                check=compile_condition(entry["when"], f"{where}.when", lexicon),
                advice=advice,
                rationale=" ".join(str(entry["rationale"]).split()),
                source=str(entry["source"]),
            )
        )
    return rules


@lru_cache(maxsize=1)
def default_advice() -> dict[Level, dict[str, str]]:
    """The table's default patient advice for emergency and urgent hits, per language."""
    raw = read_data_file("red_flags.yaml")["default_advice"]
    return {Level(k): _advice(v, f"red_flags.default_advice.{k}") for k, v in raw.items()}


@lru_cache(maxsize=1)
def load_rules() -> tuple[RedFlagRule, ...]:
    """The packaged red-flag rules, validated once per process."""
    return tuple(parse_rules(read_data_file("red_flags.yaml"), load_lexicon()))


def evaluate_red_flags(
    findings: Sequence[Finding],
    demographics: Demographics,
    history: History,
    *,
    language: str = "en",
    rules: Sequence[RedFlagRule] | None = None,
) -> list[RedFlagHit]:
    """All red-flag rules that match, most urgent first (table order within a level).

    Args:
        findings: everything extracted so far (only PRESENT findings can trigger a rule).
        demographics: age / sex / pregnancy known so far.
        history: conditions, medications, allergies.
        language: session language for the patient-facing advice ("en" or "es").
        rules: an alternative rule set (tests); defaults to the packaged table.
    """
    lang = "es" if language.lower().startswith("es") else "en"
    facts = Facts.build(findings, demographics, history)
    hits: list[RedFlagHit] = []
    for rule in rules if rules is not None else load_rules():
        ok, evidence = rule.check(facts)
        if not ok:
            continue
        hits.append(
            RedFlagHit(
                rule_id=rule.id,
                level=rule.level,
                title=rule.title,
                advice=rule.advice[lang],
                rationale=rule.rationale,
                source=rule.source,
                evidence=tuple(dict.fromkeys(evidence)),
            )
        )
    # measured vital signs set a floor of their own (NEWS2, NICE NG143, BTS/SIGN peak flow)
    measured = physiology_flags(findings, demographics.age_years) if rules is None else []
    for flag in measured:
        hits.append(
            RedFlagHit(
                rule_id=flag.rule_id,
                level=flag.level,
                title=flag.title,
                advice=default_advice()[flag.level][lang],
                rationale=flag.rationale,
                source=flag.source,
                evidence=flag.evidence,
            )
        )
    hits.sort(key=lambda h: h.level.rank)
    return hits
