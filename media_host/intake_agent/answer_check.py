"""Did the caller's reply answer the question the agent asked?

A reply answers a yes/no question when it says yes, no or "I don't know", or states the
symptom itself; it answers an HPI question when it gives the attribute asked for (a severity
score, a time); it answers a history question when it names items or says there are none.
Anything else — a speech-recognition garble, "what do you mean?", an answer to something else
— is *unclear*: the interview asks once more in other words, then records the question as
unknown. Nothing is inferred from an unclear reply.
"""

from __future__ import annotations

import re

from media_host.intake_agent.models import Answer, Extraction, Finding, History
from media_host.intake_agent.state import PendingQuestion, finding_field

# Kinds whose repetition is handled by their own rules (consent, complaint, read-back).
_OWN_RETRY_RULES = frozenset({"consent", "complaint", "confirmation", "free"})
_TIME_FIELDS = ("onset", "duration_hours")
# HPI questions a plain "no" answers: "Does anything make it worse?" — "No."
_NO_ANSWERS = frozenset({"aggravating", "relieving", "radiation"})

# Words that carry no item of a list: answer words, fillers, frequency and time words. A bare
# list item made only of these ("nothing regularly", "yeah yeah") names no medicine or illness.
_NON_ITEM_TEXT = """
    no nope nah not none nothing never yes yeah yea yep yup ya ok okay sure right well um uh erm
    er hmm mm mhm oh so just only really at all the a an any anything that this it is am are i
    im i'm me my we do dont don't does doesnt doesn't did didnt didn't have has havent haven't
    take takes taking use used know think of for to at moment currently current now right
    regularly regular daily usually normally ever else thanks thank you else whatever same
    si nada ninguno ninguna ningun nunca tomo bueno pues
"""
_NON_ITEM_WORDS = frozenset(_NON_ITEM_TEXT.split())
# "I'm healthy", "none", "no medicines": a list question answered with nothing to list.
_NONE_ANSWER = re.compile(
    r"\b(?:healthy|fit\s+and\s+well|in\s+good\s+health|nothing|none|"
    r"no\s+(?:medicines?|medications?|meds|pills|tablets|allergies|conditions|illness(?:es)?|problems)|"
    r"sano|sana|ninguno|ninguna|nada|ningun\s+medicamento|ninguna\s+enfermedad)\b"
)
_WORD = re.compile(r"[a-z\u00f1']+|\d+")


def is_non_item(item: str) -> bool:
    """True when a list item is made only of answer and filler words ("nothing regularly")."""
    words = _WORD.findall(item.lower())
    return all(w in _NON_ITEM_WORDS for w in words)


def clean_history(history: History) -> History:
    """``history`` without list items that name nothing ("yeah yeah" is not a condition)."""
    conditions = [c for c in history.conditions if not is_non_item(c)]
    medications = [m for m in history.medications if not is_non_item(m)]
    allergies = [a for a in history.allergies if not is_non_item(a)]
    if (conditions, medications, allergies) == (
        history.conditions,
        history.medications,
        history.allergies,
    ):
        return history
    return history.model_copy(
        update={"conditions": conditions, "medications": medications, "allergies": allergies}
    )


def _finding(ext: Extraction, concept_id: str | None) -> Finding | None:
    return next((f for f in ext.findings if f.concept_id == concept_id), None)


def answered(pending: PendingQuestion, ext: Extraction, history: History, norm: str) -> bool:
    """Whether this turn's extraction answers ``pending``.

    Args:
        pending: the question the agent asked.
        ext: what the reply said.
        history: the reply's history items after :func:`clean_history`.
        norm: the normalised reply.
    """
    kind, attribute = pending["kind"], pending["attribute"]
    if kind in _OWN_RETRY_RULES or ext.answer is Answer.DONT_KNOW:
        return True
    if kind == "symptom":
        return ext.answer is not None or _finding(ext, pending["concept_id"]) is not None
    if kind == "attribute" and attribute is not None:
        field = finding_field(attribute)
        found = _finding(ext, pending["concept_id"])
        fields = _TIME_FIELDS if field in _TIME_FIELDS else (field,)
        if found is not None and any(getattr(found, f, None) is not None for f in fields):
            return True
        return field in _NO_ANSWERS and ext.answer is Answer.NO
    if kind == "demographic" and attribute is not None:
        if getattr(ext.demographics, attribute, None) is not None:
            return True
        return attribute == "pregnant" and ext.answer in (Answer.YES, Answer.NO)
    if kind == "history" and attribute is not None:
        if getattr(history, attribute, None):
            return True
        if attribute == "allergies" and ext.history.no_known_allergies is not None:
            return True
        # "Yes" without naming anything does not say which: ask which.
        return ext.answer is Answer.NO or bool(_NONE_ANSWER.search(norm))
    return True
