"""Person forms for the interview's sentences: to the caller ("Do you…?") or about the person
they are calling for ("Does your son…?", "Does she…?", "¿Tiene su hijo…?").

Templates carry placeholders (see ``data/questions.yaml``); :func:`render` fills them for the
interview's subject. Unknown placeholders are an error, so a typo in the wording data fails
the protocol-table check instead of reaching a caller.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from media_host.intake_agent.state import Subject

# relation id → (English noun phrase, Spanish noun phrase, sex implied or None)
RELATIONS: dict[str, tuple[str, str, str | None]] = {
    "baby": ("your baby", "su bebé", None),
    "child": ("your child", "su hijo o hija", None),
    "son": ("your son", "su hijo", "male"),
    "daughter": ("your daughter", "su hija", "female"),
    "mother": ("your mother", "su madre", "female"),
    "father": ("your father", "su padre", "male"),
    "husband": ("your husband", "su marido", "male"),
    "wife": ("your wife", "su mujer", "female"),
    "partner": ("your partner", "su pareja", None),
    "grandmother": ("your grandmother", "su abuela", "female"),
    "grandfather": ("your grandfather", "su abuelo", "male"),
    "brother": ("your brother", "su hermano", "male"),
    "sister": ("your sister", "su hermana", "female"),
    "grandson": ("your grandson", "su nieto", "male"),
    "granddaughter": ("your granddaughter", "su nieta", "female"),
    "friend": ("your friend", "su amigo o amiga", None),
}
# Babies and young children: age-limited questions are skipped even before the age is known.
ASSUMED_MAX_AGE = {"baby": 1.0}

_EN_SELF = {
    "Do": "Do you",
    "do": "do you",
    "Are": "Are you",
    "are": "are you",
    "Have": "Have you",
    "have": "have you",
    "Were": "Were you",
    "were": "were you",
    "you": "you",
    "You": "You",
    "your": "your",
    "Your": "Your",
    "obj": "you",
    "on": "",
    "has": "have",
    "is": "are",
    "does": "do",
}
_ES_SELF = {"s": "", "a": "", "de": "", "S": ""}
_PRONOUNS = {
    "she": {"subject": "she", "object": "her", "possessive": "her", "es": "ella"},
    "he": {"subject": "he", "object": "him", "possessive": "his", "es": "él"},
}


def is_other(subject: Subject | None) -> bool:
    """True when the caller is speaking for someone else."""
    return subject is not None and bool(subject.get("relation") or subject.get("pronoun"))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _english(subject: Subject | None) -> dict[str, str]:
    if not is_other(subject):
        return dict(_EN_SELF)
    assert subject is not None
    relation = subject.get("relation")
    if relation in RELATIONS:
        noun = RELATIONS[relation][0]
        who, obj, poss = noun, noun, f"{noun}'s"
    else:
        forms = _PRONOUNS[subject.get("pronoun") or "she"]
        who, obj, poss = forms["subject"], forms["object"], forms["possessive"]
    return {
        "Do": f"Does {who}",
        "do": f"does {who}",
        "Are": f"Is {who}",
        "are": f"is {who}",
        "Have": f"Has {who}",
        "have": f"has {who}",
        "Were": f"Was {who}",
        "were": f"was {who}",
        "you": who,
        "You": _cap(who),
        "your": poss,
        "Your": _cap(poss),
        "obj": obj,
        "on": f" on {obj}",
        "has": "has",
        "is": "is",
        "does": "does",
    }


def _spanish(subject: Subject | None) -> dict[str, str]:
    if not is_other(subject):
        return dict(_ES_SELF)
    assert subject is not None
    relation = subject.get("relation")
    if relation in RELATIONS:
        noun = RELATIONS[relation][1]
    else:
        noun = _PRONOUNS[subject.get("pronoun") or "she"]["es"]
    return {"s": f" {noun}", "a": f" a {noun}", "de": f" de {noun}", "S": _cap(noun) + " "}


def forms(language: str, subject: Subject | None) -> dict[str, str]:
    """The placeholder values for ``language`` ("en"/"es") and ``subject``."""
    return _spanish(subject) if language == "es" else _english(subject)


def render(template: str, language: str, subject: Subject | None, **extra: str) -> str:
    """``template`` with person placeholders (and ``extra`` fields) filled in.

    Raises:
        KeyError: the template uses a placeholder that does not exist.
    """
    values: Mapping[str, str] = {**forms(language, subject), **extra}
    text = template.format_map(values)
    if language == "es":  # "a el dolor" → "al dolor", "de el" → "del"
        text = text.replace(" a el ", " al ").replace(" de el ", " del ")
    return text


def placeholders(template: str) -> set[str]:
    """The placeholder names a template uses (for validating the wording data)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
