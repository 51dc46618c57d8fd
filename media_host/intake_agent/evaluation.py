"""Batch evaluation of the one-shot assessment on JSONL vignette cases (``triage eval``).

One case per line:
``{"id", "vignette", "gold_level", "gold_level_accept"?: [...], "age"?, "sex"?, "language"?}``.
Blank lines are skipped. Gold levels are strict: emergency, urgent, non_urgent, self_care (no
synonyms are accepted). A prediction is correct when it is in ``gold_level_accept`` when given,
otherwise when it equals ``gold_level``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from media_host.intake_agent.assess import assess_text
from media_host.intake_agent.errors import IntakeAgentError
from media_host.intake_agent.models import Level

LEVELS = [lvl.value for lvl in Level]
MAX_VIGNETTE_CHARS = 20_000


class EvalInputError(IntakeAgentError, ValueError):
    """A malformed line in an evaluation file (the message names the line number)."""


@dataclass(frozen=True)
class EvalCase:
    id: str
    vignette: str
    gold_level: Level
    accept: frozenset[Level]
    age: float | None = None
    sex: str | None = None
    language: str = "en"


def parse_cases(lines: Iterable[str]) -> list[EvalCase]:
    """Parse and validate JSONL case lines.

    Raises:
        EvalInputError: bad JSON, missing/invalid fields or unknown level (names the line).
    """
    cases: list[EvalCase] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalInputError(f"{where}: invalid JSON ({exc.msg})") from None
        if not isinstance(raw, dict):
            raise EvalInputError(f"{where}: expected a JSON object")
        for key in ("id", "vignette", "gold_level"):
            if key not in raw:
                raise EvalInputError(f"{where}: missing field {key!r}")
        case_id = raw["id"]
        if not isinstance(case_id, str | int) or isinstance(case_id, bool):
            raise EvalInputError(f"{where}: 'id' must be a string or integer")
        case_id = str(case_id)
        if case_id in seen:
            raise EvalInputError(f"{where}: duplicate id {case_id!r}")
        seen.add(case_id)
        vignette = raw["vignette"]
        if not isinstance(vignette, str) or not vignette.strip():
            raise EvalInputError(f"{where}: 'vignette' must be a non-empty string")
        if len(vignette) > MAX_VIGNETTE_CHARS:
            raise EvalInputError(f"{where}: 'vignette' longer than {MAX_VIGNETTE_CHARS} characters")
        gold = _level(raw["gold_level"], where, "gold_level")
        accept_raw = raw.get("gold_level_accept")
        if accept_raw is None:
            accept = frozenset({gold})
        else:
            if not isinstance(accept_raw, list) or not accept_raw:
                raise EvalInputError(f"{where}: 'gold_level_accept' must be a non-empty list")
            accept = frozenset(_level(a, where, "gold_level_accept") for a in accept_raw)
        age = raw.get("age")
        if age is not None and (
            isinstance(age, bool) or not isinstance(age, int | float) or not 0 <= age <= 130
        ):
            raise EvalInputError(f"{where}: 'age' must be a number of years between 0 and 130")
        sex = raw.get("sex")
        if sex is not None and (
            not isinstance(sex, str) or sex.lower() not in ("f", "m", "female", "male", "other")
        ):
            raise EvalInputError(f"{where}: 'sex' must be F, M, female, male or other")
        language = raw.get("language", "en")
        if language not in ("en", "es"):
            raise EvalInputError(f"{where}: 'language' must be en or es")
        cases.append(EvalCase(case_id, vignette, gold, accept, age, sex, language))
    return cases


def _level(value: Any, where: str, key: str) -> Level:
    if not isinstance(value, str) or value not in LEVELS:
        raise EvalInputError(f"{where}: unknown {key} {value!r}; expected one of {LEVELS}")
    return Level(value)


@dataclass
class EvalResult:
    cases: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def run_eval(
    cases: list[EvalCase], *, progress: Callable[[int, int], None] | None = None
) -> EvalResult:
    """Assess every case and compute accuracy, sensitivity and triage-error rates."""
    result = EvalResult()
    confusion = {g: dict.fromkeys(LEVELS, 0) for g in LEVELS}
    for index, case in enumerate(cases, start=1):
        summary = assess_text(case.vignette, age=case.age, sex=case.sex, language=case.language)
        predicted = summary.disposition.level
        correct = predicted in case.accept
        confusion[case.gold_level.value][predicted.value] += 1
        result.cases.append(
            {
                "id": case.id,
                "predicted_level": predicted.value,
                "gold_level": case.gold_level.value,
                "correct": correct,
                "matched_rules": summary.disposition.matched_rules,
            }
        )
        if progress is not None:
            progress(index, len(cases))
    result.summary = summarise(cases, result.cases, confusion)
    return result


def summarise(
    cases: list[EvalCase], rows: list[dict[str, Any]], confusion: dict[str, dict[str, int]]
) -> dict[str, Any]:
    """Aggregate figures. Under-triage: predicted less urgent than every accepted level;
    over-triage: more urgent than every accepted level."""
    total = len(rows)
    correct = sum(r["correct"] for r in rows)
    per_level: dict[str, dict[str, Any]] = {}
    for level in LEVELS:
        level_rows = [r for r in rows if r["gold_level"] == level]
        n = len(level_rows)
        per_level[level] = {
            "n": n,
            "correct": sum(r["correct"] for r in level_rows),
            "accuracy": (sum(r["correct"] for r in level_rows) / n) if n else None,
        }
    under = over = 0
    for case, row in zip(cases, rows, strict=True):
        rank = Level(row["predicted_level"]).rank
        if row["correct"]:
            continue
        if rank > max(a.rank for a in case.accept):
            under += 1
        elif rank < min(a.rank for a in case.accept):
            over += 1
    emergencies = [r for r in rows if r["gold_level"] == Level.EMERGENCY.value]
    return {
        "total": total,
        "correct": correct,
        "accuracy": correct / total if total else None,
        "per_level": per_level,
        "emergency_sensitivity": (
            sum(r["predicted_level"] == Level.EMERGENCY.value for r in emergencies)
            / len(emergencies)
            if emergencies
            else None
        ),
        "under_triage_rate": under / total if total else None,
        "over_triage_rate": over / total if total else None,
        "confusion_matrix": confusion,
    }
