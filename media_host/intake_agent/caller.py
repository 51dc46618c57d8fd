"""Who the call is about: the caller, or someone they speak for ("my 5-month-old has a fever",
"I'm calling about my mother", "she's been vomiting", "mi hijo tiene fiebre").

Read from the opening account only (until the chief complaint is known), except for an
explicit "I'm calling about my son", which counts whenever it is said. A first-person account
("I have chest pain and my father had a heart attack") stays about the caller: whichever is
said first wins. The interview then speaks about that person and skips questions that cannot
apply to them (:mod:`.protocols`).
"""

from __future__ import annotations

import re
from typing import Literal

from media_host.intake_agent.extraction.answers import expand
from media_host.intake_agent.state import Subject

# spoken word → relation id (wording.RELATIONS)
_RELATION_WORDS = {
    "baby": "baby",
    "newborn": "baby",
    "infant": "baby",
    "bebe": "baby",
    "child": "child",
    "kid": "child",
    "toddler": "child",
    "little one": "child",
    "nino": "child",
    "nina": "child",
    "son": "son",
    "boy": "son",
    "hijo": "son",
    "daughter": "daughter",
    "girl": "daughter",
    "hija": "daughter",
    "mother": "mother",
    "mom": "mother",
    "mum": "mother",
    "mam": "mother",
    "madre": "mother",
    "mama": "mother",
    "father": "father",
    "dad": "father",
    "padre": "father",
    "papa": "father",
    "husband": "husband",
    "marido": "husband",
    "esposo": "husband",
    "wife": "wife",
    "esposa": "wife",
    "partner": "partner",
    "pareja": "partner",
    "grandmother": "grandmother",
    "grandma": "grandmother",
    "granny": "grandmother",
    "nan": "grandmother",
    "nana": "grandmother",
    "abuela": "grandmother",
    "grandfather": "grandfather",
    "grandpa": "grandfather",
    "granddad": "grandfather",
    "abuelo": "grandfather",
    "brother": "brother",
    "hermano": "brother",
    "sister": "sister",
    "hermana": "sister",
    "grandson": "grandson",
    "nieto": "grandson",
    "granddaughter": "granddaughter",
    "nieta": "granddaughter",
    "friend": "friend",
    "amigo": "friend",
    "amiga": "friend",
}
_REL = "|".join(sorted((re.escape(w) for w in _RELATION_WORDS), key=len, reverse=True))
_AGE_UNIT = r"(?P<unit>day|week|month|year|dia|semana|mes|ano)"
# "my 5-month-old (son)", "our 3 year old", "mi hijo de 5 meses"
_AGED = re.compile(
    r"\b(?:my|our)\s+(?:\d{1,3}|[a-z]+)[\s-]*"
    + _AGE_UNIT
    + r"s?[\s-]*old(?:\s+(?P<rel>"
    + _REL
    + r"))?\b"
)
# "calling about my son", "it's for my mother", "llamo por mi hija"
_FOR = re.compile(
    r"\b(?:calling|ringing|phoning|asking|here|worried|concerned|call)\s+(?:about|for|on\s+behalf\s+of)\s+"
    r"(?:my|our)\s+(?:little\s+|baby\s+|elderly\s+|old\s+)?(?P<rel>" + _REL + r")\b|"
    r"\b(?:it|this)\s+is\s+(?:for|about)\s+(?:my|our)\s+(?P<rel2>" + _REL + r")\b|"
    r"\b(?:llamo|llamando|es)\s+(?:por|para)\s+mi\s+(?P<rel3>" + _REL + r")\b"
)
# "my son has…", "my mother's chest hurts", "mi hijo tiene…", "I have a baby with a fever"
_SAYS_ABOUT = re.compile(
    r"\b(?:my|our|mi|i\s+have\s+an?|tengo\s+una?)\s+(?:little\s+|baby\s+|elderly\s+|old\s+|eldest\s+|youngest\s+)?"
    r"(?P<rel>" + _REL + r")"
    r"(?:'s\s+\w+|\s+(?:has|have|is|was|had|keeps|kept|can\s+not|will\s+not|does\s+not|did\s+not|seems|started|"
    r"got|fell|hit|threw|vomited|swallowed|ate|woke|feels|felt|complains|says|said|just|been|with|who|"
    r"con|que|"
    r"tiene|esta|ha|lleva|no\s+puede|se|le|de\s+\d))"
)
# "she's 5 months", "he has been vomiting", "ella tiene fiebre"
_PRONOUN = re.compile(
    r"(?:^|[.,;!?]\s*|\band\s+|\bbut\s+|\bso\s+)(?P<p>she|he|ella|el)\s+(?:is|has|keeps|can\s+not|will\s+not|"
    r"does\s+not|did\s+not|seems|started|got|fell|threw|vomited|had|was|just|been|tiene|esta|ha|lleva|no\s+puede)\b"
)
# The caller's own symptoms: "I have…", "I've been…", "me duele", "tengo dolor".
_FIRST_PERSON = re.compile(
    r"\b(?:i\s+have(?!\s+(?:a|an|my|our)\s+(?:[\w-]+\s+)?(?:\d|" + _REL + r"))|"
    r"i\s+(?:had|feel|felt|keep|got|hurt|can\s+not|am\s+(?:having|feeling|in\s+pain|sick|dizzy|"
    r"bleeding|short|vomiting|throwing|coughing))|my\s+(?:head|chest|stomach|belly|tummy|back|throat|"
    r"leg|arm|neck|eye|ear|skin|heart)|me\s+(?:duele|siento|pica|arde)|tengo\s+(?:dolor|fiebre|tos|"
    r"nauseas|vomitos|diarrea|mareo))\b"
)
_PRONOUN_SEX: dict[str, Literal["she", "he"]] = {
    "she": "she",
    "ella": "she",
    "he": "he",
    "el": "he",
}


def _relation_of_age(unit: str) -> str:
    return "child" if unit in ("year", "ano") else "baby"


def explicit_subject(norm: str) -> Subject | None:
    """Someone else named as the reason for the call ("I'm calling about my son")."""
    text = expand(norm)
    match = _FOR.search(text)
    if match is None:
        return None
    word = match.group("rel") or match.group("rel2") or match.group("rel3")
    return {"relation": _RELATION_WORDS[word], "pronoun": None}


def detect_subject(norm: str) -> Subject | None:
    """The person an opening account is about, or None when it is about the caller."""
    text = expand(norm)
    candidates: list[tuple[int, Subject]] = []
    for match in _FOR.finditer(text):
        word = match.group("rel") or match.group("rel2") or match.group("rel3")
        candidates.append((match.start(), {"relation": _RELATION_WORDS[word], "pronoun": None}))
    for match in _AGED.finditer(text):
        rel = match.group("rel")
        relation = _RELATION_WORDS[rel] if rel else _relation_of_age(match.group("unit"))
        candidates.append((match.start(), {"relation": relation, "pronoun": None}))
    for match in _SAYS_ABOUT.finditer(text):
        relation = _RELATION_WORDS[match.group("rel")]
        candidates.append((match.start(), {"relation": relation, "pronoun": None}))
    for match in _PRONOUN.finditer(text):
        pronoun = _PRONOUN_SEX[match.group("p")]
        candidates.append((match.start("p"), {"relation": None, "pronoun": pronoun}))
    if not candidates:
        return None
    position, subject = min(candidates, key=lambda c: c[0])
    own = _FIRST_PERSON.search(text)
    if own is not None and own.start() < position:
        return None
    return subject
