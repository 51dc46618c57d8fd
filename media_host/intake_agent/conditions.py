"""The small condition language of the clinical rule tables (red flags, triage grading).

A condition is a YAML mapping with exactly one operator key::

    all: [cond, ...]          every sub-condition holds
    any: [cond, ...]          at least one holds
    not: cond                 the sub-condition does not hold
    present: id | [ids]       any of these concepts is PRESENT
    absent: id | [ids]        any of these concepts was explicitly denied
    count: {of: [ids], at_least: N}   at least N of these concepts are PRESENT
    finding: {concept: id | [ids], <constraints>}
                              a PRESENT finding of one of these concepts meets every constraint:
                              severity_gte / severity_lte, duration_hours_gte / duration_hours_lte,
                              value_gte / value_lt, onset: [..], timing: [..], character: [..],
                              qualifier: [..], laterality: [..], radiation_has: [words],
                              site_has: [words], aggravating: [..]
    age: {gte: N, lt: N}      age in years is known and in range (either bound optional)
    sex: female | male
    pregnant: true | false    stated pregnancy status
    condition: id | [ids]     any of these history conditions
    medication_class: c | [c] any medication of these classes (e.g. anticoagulant)

Conditions are parsed and validated once (unknown keys, concept ids or operators raise
:class:`RuleTableError` naming the rule) and evaluated without ``eval``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from media_host.intake_agent.errors import RuleTableError
from media_host.intake_agent.extraction.history import CONDITIONS, DRUGS, drug_class
from media_host.intake_agent.lexicon import Lexicon
from media_host.intake_agent.models import Demographics, Finding, History, Presence

_FINDING_LIST_KEYS = {"onset", "timing", "character", "qualifier", "laterality", "aggravating"}
_FINDING_WORD_KEYS = {"radiation_has", "site_has"}
_FINDING_NUM_KEYS = {
    "severity_gte",
    "severity_lte",
    "duration_hours_gte",
    "duration_hours_lte",
    "value_gte",
    "value_lt",
}
DRUG_CLASSES = frozenset(DRUGS.values())


@dataclass
class Facts:
    """What a rule can look at: the findings and patient facts of one intake."""

    present: dict[str, Finding]
    absent: set[str]
    demographics: Demographics
    history: History
    medication_classes: set[str]

    @classmethod
    def build(
        cls, findings: Sequence[Finding], demographics: Demographics, history: History
    ) -> Facts:
        present = {f.concept_id: f for f in findings if f.presence is Presence.PRESENT}
        absent = {f.concept_id for f in findings if f.presence is Presence.ABSENT} - set(present)
        classes = {c for m in history.medications if (c := drug_class(m))}
        return cls(present, absent, demographics, history, classes)


# A compiled condition: facts → (holds, evidence)
Check = Callable[[Facts], tuple[bool, tuple[str, ...]]]


def _ids(value: Any, where: str, lexicon: Lexicon) -> tuple[str, ...]:
    ids = (value,) if isinstance(value, str) else value
    if not isinstance(ids, list | tuple) or not ids or not all(isinstance(i, str) for i in ids):
        raise RuleTableError(f"{where}: expected a concept id or a list of concept ids")
    for cid in ids:
        if cid not in lexicon:
            raise RuleTableError(f"{where}: unknown concept id {cid!r}")
    return tuple(ids)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else value
    if (
        not isinstance(items, list | tuple)
        or not items
        or not all(isinstance(i, str) for i in items)
    ):
        raise RuleTableError(f"{where}: expected a string or a list of strings")
    return tuple(items)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleTableError(f"{where}: expected a number, got {value!r}")
    return float(value)


def compile_condition(node: Any, where: str, lexicon: Lexicon) -> Check:
    """Validate a condition node and turn it into a :data:`Check`."""
    if not isinstance(node, dict) or len(node) != 1:
        raise RuleTableError(f"{where}: a condition must be a mapping with exactly one operator")
    ((op, arg),) = node.items()
    here = f"{where}.{op}"
    if op in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            raise RuleTableError(f"{here}: expected a non-empty list of conditions")
        subs = [compile_condition(a, f"{here}[{i}]", lexicon) for i, a in enumerate(arg)]
        if op == "all":

            def check_all(facts: Facts) -> tuple[bool, tuple[str, ...]]:
                evidence: list[str] = []
                for sub in subs:
                    ok, ev = sub(facts)
                    if not ok:
                        return False, ()
                    evidence.extend(ev)
                return True, tuple(evidence)

            return check_all

        def check_any(facts: Facts) -> tuple[bool, tuple[str, ...]]:
            hit = False
            evidence: list[str] = []
            for sub in subs:
                ok, ev = sub(facts)
                if ok:
                    hit = True
                    evidence.extend(ev)
            return hit, tuple(evidence)

        return check_any
    if op == "not":
        sub = compile_condition(arg, here, lexicon)
        return lambda facts: (not sub(facts)[0], ())
    if op == "present":
        ids = _ids(arg, here, lexicon)
        return lambda facts: _present(facts, ids)
    if op == "absent":
        ids = _ids(arg, here, lexicon)

        def check_absent(facts: Facts) -> tuple[bool, tuple[str, ...]]:
            hits = tuple(f"no {i}" for i in ids if i in facts.absent)
            return bool(hits), hits

        return check_absent
    if op == "count":
        if not isinstance(arg, dict) or set(arg) != {"of", "at_least"}:
            raise RuleTableError(f"{here}: expected {{of: [ids], at_least: N}}")
        ids = _ids(arg["of"], f"{here}.of", lexicon)
        need = int(_number(arg["at_least"], f"{here}.at_least"))

        def check_count(facts: Facts) -> tuple[bool, tuple[str, ...]]:
            hits = tuple(i for i in ids if i in facts.present)
            return len(hits) >= need, hits

        return check_count
    if op == "finding":
        return _compile_finding(arg, here, lexicon)
    if op == "age":
        if not isinstance(arg, dict) or not arg or set(arg) - {"gte", "lt"}:
            raise RuleTableError(f"{here}: expected {{gte: N, lt: N}}")
        lo = _number(arg["gte"], f"{here}.gte") if "gte" in arg else None
        hi = _number(arg["lt"], f"{here}.lt") if "lt" in arg else None

        def check_age(facts: Facts) -> tuple[bool, tuple[str, ...]]:
            age = facts.demographics.age_years
            if age is None or (lo is not None and age < lo) or (hi is not None and age >= hi):
                return False, ()
            return True, (f"age {age:g}",)

        return check_age
    if op == "sex":
        if arg not in ("female", "male"):
            raise RuleTableError(f"{here}: expected female or male")
        return lambda facts: (facts.demographics.sex == arg, (f"sex {arg}",))
    if op == "pregnant":
        if not isinstance(arg, bool):
            raise RuleTableError(f"{here}: expected true or false")
        return lambda facts: (facts.demographics.pregnant is arg, ("pregnant",) if arg else ())
    if op == "condition":
        names = _strings(arg, here)
        for name in names:
            if name not in CONDITIONS:
                raise RuleTableError(f"{here}: unknown history condition {name!r}")

        def check_condition(facts: Facts) -> tuple[bool, tuple[str, ...]]:
            hits = tuple(n for n in names if n in facts.history.conditions)
            return bool(hits), tuple(f"history {h}" for h in hits)

        return check_condition
    if op == "medication_class":
        classes = _strings(arg, here)
        for c in classes:
            if c not in DRUG_CLASSES:
                raise RuleTableError(f"{here}: unknown medication class {c!r}")

        def check_meds(facts: Facts) -> tuple[bool, tuple[str, ...]]:
            hits = tuple(c for c in classes if c in facts.medication_classes)
            return bool(hits), tuple(f"takes {h}" for h in hits)

        return check_meds
    raise RuleTableError(f"{where}: unknown condition operator {op!r}")


def _present(facts: Facts, ids: tuple[str, ...]) -> tuple[bool, tuple[str, ...]]:
    hits = tuple(i for i in ids if i in facts.present)
    return bool(hits), hits


def _compile_finding(arg: Any, here: str, lexicon: Lexicon) -> Check:
    if not isinstance(arg, dict) or "concept" not in arg:
        raise RuleTableError(f"{here}: expected a mapping with 'concept'")
    ids = _ids(arg["concept"], f"{here}.concept", lexicon)
    constraints: list[Callable[[Finding], bool]] = []
    for key, value in arg.items():
        if key == "concept":
            continue
        where = f"{here}.{key}"
        if key in _FINDING_NUM_KEYS:
            bound = _number(value, where)
            field, cmp = key.rsplit("_", 1)
            constraints.append(_numeric(field, cmp, bound))
        elif key in _FINDING_LIST_KEYS:
            allowed = frozenset(_strings(value, where))
            constraints.append(_membership(key, allowed))
        elif key in _FINDING_WORD_KEYS:
            words = _strings(value, where)
            field = key.removesuffix("_has")
            constraints.append(_contains(field, words))
        else:
            raise RuleTableError(f"{where}: unknown finding constraint {key!r}")

    def check_finding(facts: Facts) -> tuple[bool, tuple[str, ...]]:
        hits = tuple(
            i for i in ids if i in facts.present and all(c(facts.present[i]) for c in constraints)
        )
        return bool(hits), hits

    return check_finding


def _numeric(field: str, cmp: str, bound: float) -> Callable[[Finding], bool]:
    def check(f: Finding) -> bool:
        value: float | None = getattr(f, field)
        if value is None:
            return False
        if cmp == "gte":
            return value >= bound
        if cmp == "lte":
            return value <= bound
        return value < bound

    return check


def _membership(field: str, allowed: frozenset[str]) -> Callable[[Finding], bool]:
    if field == "qualifier":
        return lambda f: bool(allowed.intersection(f.qualifiers))
    return lambda f: getattr(f, field) in allowed


def _contains(field: str, words: tuple[str, ...]) -> Callable[[Finding], bool]:
    def check(f: Finding) -> bool:
        value = getattr(f, field) or ""
        return any(w in value for w in words)

    return check
