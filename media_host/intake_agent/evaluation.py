"""Batch evaluation of the one-shot assessment on JSONL vignette cases (``triage eval``).

One case per line:
``{"id", "vignette", "gold_level", "gold_level_accept"?: [...], "age"?, "age_text"?, "sex"?,
"language"?, "style"?}``; other fields are ignored. ``age`` is years or text ("18 months",
"6 weeks", "3 semanas"); ``age_text`` is read only when ``age`` is absent. Blank lines are
skipped. Gold levels are strict: emergency, urgent, non_urgent, self_care (no synonyms are
accepted). A prediction is correct when it is in ``gold_level_accept`` when given,
otherwise when it equals ``gold_level``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from media_host.intake_agent.age_text import AgeTextError, parse_age_text
from media_host.intake_agent.assess import assess_text
from media_host.intake_agent.errors import IntakeAgentError
from media_host.intake_agent.models import IntakeSummary, Level

LEVELS = [lvl.value for lvl in Level]
MAX_VIGNETTE_CHARS = 20_000
MAX_STYLE_CHARS = 64
SPLITS = ("dev", "blind")
_TRAILING_NUMBER = re.compile(r"\d+$")


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
    style: str | None = None

    @property
    def split(self) -> str:
        """``blind`` when the id's trailing number is divisible by 3, else ``dev``."""
        return split_of(self.id)


def split_of(case_id: str) -> str:
    """The project's blind-split convention: ids whose trailing number is divisible by 3 are the
    blind third (``dev-003``, ``c2ur03``); every other id, and an id without a trailing
    number, is development."""
    match = _TRAILING_NUMBER.search(case_id)
    return "blind" if match and int(match.group()) % 3 == 0 else "dev"


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
        age = _age(raw, where)
        sex = raw.get("sex")
        if sex is not None and (
            not isinstance(sex, str) or sex.lower() not in ("f", "m", "female", "male", "other")
        ):
            raise EvalInputError(f"{where}: 'sex' must be F, M, female, male or other")
        language = raw.get("language", "en")
        if not isinstance(language, str) or _primary(language) not in ("en", "es"):
            raise EvalInputError(f"{where}: 'language' must be en or es")
        style = raw.get("style")
        if style is not None and (
            not isinstance(style, str) or not style.strip() or len(style) > MAX_STYLE_CHARS
        ):
            raise EvalInputError(
                f"{where}: 'style' must be a non-empty string of at most "
                f"{MAX_STYLE_CHARS} characters"
            )
        cases.append(
            EvalCase(
                case_id,
                vignette,
                gold,
                accept,
                age,
                sex,
                _primary(language),
                style and style.strip(),
            )
        )
    return cases


def _age(raw: dict[str, Any], where: str) -> float | None:
    """``age`` as years or as text ("18 months", "3 semanas"); ``age_text`` when ``age`` is
    absent."""
    key = "age" if raw.get("age") is not None else "age_text"
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return parse_age_text(value)
        except AgeTextError as exc:
            raise EvalInputError(f"{where}: {key!r} not read as an age: {exc}") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 130:
        raise EvalInputError(
            f"{where}: {key!r} must be a number of years between 0 and 130 or text such as "
            "'18 months'"
        )
    return float(value)


def _primary(language: str) -> str:
    return language.strip().replace("_", "-").split("-", 1)[0].lower()


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
    for index, case in enumerate(cases, start=1):
        summary = assess_text(case.vignette, age=case.age, sex=case.sex, language=case.language)
        result.cases.append(score_case(case, summary.disposition.level, summary))
        if progress is not None:
            progress(index, len(cases))
    result.summary = summarise(result.cases)
    return result


def score_case(case: EvalCase, predicted: Level, summary: IntakeSummary) -> dict[str, Any]:
    """One result row: the prediction, whether it is accepted and which way a miss went."""
    correct = predicted in case.accept
    error: str | None = None
    if not correct:
        # Under-triage: less urgent than every accepted level; over-triage: more urgent.
        error = "under" if predicted.rank > max(a.rank for a in case.accept) else "over"
    return {
        "id": case.id,
        "predicted_level": predicted.value,
        "gold_level": case.gold_level.value,
        "accepted_levels": [lvl.value for lvl in Level if lvl in case.accept],
        "correct": correct,
        "triage_error": error,
        "style": case.style,
        "language": case.language,
        "split": case.split,
        "matched_rules": summary.disposition.matched_rules,
    }


def select_split(rows: list[dict[str, Any]], split: str) -> list[dict[str, Any]]:
    """The rows of one split (``dev`` or ``blind``); ``all`` keeps every row."""
    if split == "all":
        return list(rows)
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}")
    return [r for r in rows if r["split"] == split]


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate figures over result rows (see :func:`score_case`).

    ``per_style`` groups by the case's ``style`` (cases without one under ``"-"``);
    ``self_care_to_emergency_rate`` is the share of gold self-care cases predicted emergency;
    ``under_triaged`` lists the under-triaged cases (id, levels, style; never the text).
    """
    total = len(rows)
    correct = sum(r["correct"] for r in rows)
    confusion = {g: dict.fromkeys(LEVELS, 0) for g in LEVELS}
    for row in rows:
        confusion[row["gold_level"]][row["predicted_level"]] += 1
    emergencies = [r for r in rows if r["gold_level"] == Level.EMERGENCY.value]
    self_care = [r for r in rows if r["gold_level"] == Level.SELF_CARE.value]
    under = sum(r["triage_error"] == "under" for r in rows)
    over = sum(r["triage_error"] == "over" for r in rows)
    return {
        "total": total,
        "correct": correct,
        "accuracy": _rate(correct, total),
        "per_level": {
            level: _group([r for r in rows if r["gold_level"] == level]) for level in LEVELS
        },
        "per_style": _grouped(rows, "style"),
        "per_language": _grouped(rows, "language"),
        "emergency_sensitivity": _rate(
            sum(r["predicted_level"] == Level.EMERGENCY.value for r in emergencies),
            len(emergencies),
        ),
        "under_triage_rate": _rate(under, total),
        "over_triage_rate": _rate(over, total),
        "under_triaged_n": under,
        "over_triaged_n": over,
        "self_care_to_emergency": sum(
            r["predicted_level"] == Level.EMERGENCY.value for r in self_care
        ),
        "self_care_to_emergency_rate": _rate(
            sum(r["predicted_level"] == Level.EMERGENCY.value for r in self_care), len(self_care)
        ),
        "confusion_matrix": confusion,
        "under_triaged": [
            {
                "id": r["id"],
                "gold_level": r["gold_level"],
                "predicted_level": r["predicted_level"],
                "style": r["style"],
                "split": r["split"],
            }
            for r in rows
            if r["triage_error"] == "under"
        ],
    }


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _group(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows)
    correct = sum(r["correct"] for r in rows)
    emergencies = [r for r in rows if r["gold_level"] == Level.EMERGENCY.value]
    return {
        "n": n,
        "correct": correct,
        "accuracy": _rate(correct, n),
        "emergency_sensitivity": _rate(
            sum(r["predicted_level"] == Level.EMERGENCY.value for r in emergencies),
            len(emergencies),
        ),
        "under": sum(r["triage_error"] == "under" for r in rows),
        "over": sum(r["triage_error"] == "over" for r in rows),
        "self_care_to_emergency": sum(
            r["gold_level"] == Level.SELF_CARE.value
            and r["predicted_level"] == Level.EMERGENCY.value
            for r in rows
        ),
    }


def _grouped(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    names = sorted({r[key] or "-" for r in rows})
    return {name: _group([r for r in rows if (r[key] or "-") == name]) for name in names}
