"""Metamorphic invariance: does the disposition survive a mechanical rewrite of the account?

Takes the first-person accounts of an evaluation file (the patient speaking about themself),
rewrites each into third person, a caregiver's words and note style
(:mod:`media_host.intake_agent.metamorphic`), assesses original and rewrite with the same age,
sex and language, and reports per rewrite kind the share that keeps the same level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from media_host.intake_agent.assess import assess_text
from media_host.intake_agent.evaluation import EvalCase
from media_host.intake_agent.metamorphic import KINDS, rewrite

_FIRST_PERSON = re.compile(r"\b(?:I|I['’]m|I['’]ve|I['’]d|my|me|im|ive)\b", re.IGNORECASE)
# Someone else is (also) the subject: a relative, a third-person pronoun, a clinical subject.
_OTHER_PERSON = re.compile(
    r"\b(?:he|she|his|her|him|hers|herself|himself|they|their|them|he['’]?s|she['’]?s|shes|hes"
    r"|patient|pt)\b"
    r"|\bmy\s+(?:\w+\s+)?(?:son|daughter|baby|child|kid|kids|toddler|boy|girl|husband|wife|"
    r"partner|mum|mom|mother|dad|father|nan|gran|granny|grandma|grandad|grandpa|grandmother|"
    r"grandfather|friend|brother|sister|boyfriend|girlfriend|neighbour|neighbor|flatmate|"
    r"roommate|colleague|uncle|aunt|infant|newborn|teenager|teen|niece|nephew|twins?|family|"
    r"\d+[- ](?:year|month|week|day)[- ]old)\b"
    r"|\ban?\s+\d+[- ]year[- ]old\b",
    re.IGNORECASE,
)


def is_first_person_self_account(text: str) -> bool:
    """The speaker is the patient and nobody else is described (so a pronoun swap is exact)."""
    return bool(_FIRST_PERSON.search(text)) and not _OTHER_PERSON.search(text)


@dataclass
class KindResult:
    """Invariance of one rewrite kind."""

    n: int = 0
    same: int = 0
    changed: list[dict[str, str]] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.same / self.n if self.n else None


def measure_invariance(
    cases: list[EvalCase], kinds: tuple[str, ...] = KINDS
) -> dict[str, KindResult]:
    """Assess each first-person case and its rewrites; a case is invariant for a kind when the
    rewrite gets the same disposition level as the original (right or wrong)."""
    results = {kind: KindResult() for kind in kinds}
    for case in cases:
        if case.language != "en" or not is_first_person_self_account(case.vignette):
            continue
        original = _level(case, case.vignette)
        for kind in kinds:
            text = rewrite(case.vignette, kind, sex=case.sex, age=case.age, case_id=case.id)
            level = _level(case, text)
            result = results[kind]
            result.n += 1
            if level == original:
                result.same += 1
            else:
                result.changed.append({"id": case.id, "original": original, "rewritten": level})
    return results


def _level(case: EvalCase, text: str) -> str:
    summary = assess_text(text, age=case.age, sex=case.sex, language=case.language)
    return summary.disposition.level.value
