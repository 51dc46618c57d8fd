"""Medicine taken above its maximum daily dose, read from the amounts a person states.

Paracetamol (acetaminophen) above 4 g in 24 hours in an adult is a supratherapeutic ingestion;
taken over more than an hour it is a *staggered* overdose, which UK poisons guidance (TOXBASE;
MHRA 2012 paracetamol overdose treatment) sends for emergency assessment whatever the symptoms,
because liver injury shows late. The statement is often spread out ("extra strength Tylenol ...
for three days, so probably like 7 or 8 grams a day"), so the drug and the daily amount are read
within one sentence.
"""

from __future__ import annotations

import re

from media_host.intake_agent.extraction.drafts import Statement
from media_host.intake_agent.extraction.history import DRUGS, RELATIVE

# substances swallowed by accident or on purpose that no one takes as a medicine
NON_MEDICINES = (
    r"bleach|detergent|pods?|battery|batteries|coin[\s-]cells?|button[\s-]cells?|lithium[\s-]cells?|"
    r"magnets?|poison|antifreeze|chemicals?|lejia|veneno|"
    # caustics: drain and oven cleaners, caustic soda, ammonia (NPIS / TOXBASE: corrosive)
    r"drain\s+cleaner|oven\s+cleaner|caustic\s+soda|ammonia|destapacaños|destapacanos|"
    r"desatascador|desatascadores|sosa\s+caustica|amoniaco|salfuman|salfumant|cloro|quitagrasas"
)

_PARACETAMOL = re.compile(
    r"\b(?:paracetamol|acetaminophen|tylenol|panadol|calpol|co-?codamol|apap|excedrin)\b"
)
_DAILY_GRAMS = re.compile(
    r"\b(?P<n>\d{1,2}(?:[.,]\d)?)(?:\s*(?:or|to|-)\s*(?P<n2>\d{1,2}(?:[.,]\d)?))?\s*"
    r"(?:g|grams?|gramos?)\s+(?:a|per|each|every|al|por)\s+(?:day|dia|24\s+hours)\b"
)
_SENTENCE = re.compile(r"[^.!?;\n]+")
_MAX_DAILY_GRAMS = 4.0  # adult maximum (BNF)


def find_supratherapeutic(norm: str) -> list[Statement]:
    """Statements of paracetamol above the adult daily maximum (→ ``overdose``)."""
    found: list[Statement] = []
    drug_named = _PARACETAMOL.search(norm) is not None
    if not drug_named:
        return found
    for sentence in _SENTENCE.finditer(norm):
        for m in _DAILY_GRAMS.finditer(sentence.group()):
            amounts = [float(x.replace(",", ".")) for x in (m.group("n"), m.group("n2")) if x]
            if max(amounts) > _MAX_DAILY_GRAMS:
                start = sentence.start() + m.start()
                found.append(Statement(start, sentence.start() + m.end(), "overdose"))
    return found


# "one of those little round batteries ... I think she's swallowed it": the object is named in
# one clause and swallowed, as "it", in the next. A suspected ingestion of a button battery,
# magnet or caustic is treated as a real one (NPIS/TOXBASE; RCEM button battery alert), so the
# statement counts whatever hedge comes before it ("I think", "might have").
# The object is a pronoun: after the verb in English, a clitic before it in Spanish.
_SWALLOWED_IT = re.compile(
    r"\b(?:(?:swallowed|swallow|ate|eaten)\s+(?:it|them|one|some|one\s+of\s+them)|"
    r"(?:se\s+)?(?:lo|la|los|las)\s+(?:ha\s+|han\s+)?(?:tragado|trago|comido|comio))\b"
)
_NOT_SWALLOWED = re.compile(
    r"\b(?:didnt|didn't|did\s+not|hasnt|hasn't|has\s+not|havent|haven't|not|no|never|nunca)"
    r"(?:\s+[\w'-]+){0,2}\s*$"
)
_HAZARD = re.compile(r"\b(?:" + NON_MEDICINES + r")\b")
_LOOK_BACK = 240  # characters: the sentence before, as a caller tells it
# "found my three-year-old with her nan's amitriptyline": a child found with a medicine that is
# not theirs has taken some until shown otherwise (NPIS: suspected ingestion by a child)
_MEDICINE_WORDS = r"tablets|pills|medicines?|medication|meds|pastillas|medicamentos?|" + "|".join(
    sorted(map(re.escape, DRUGS), key=len, reverse=True)
)
_FOUND_WITH = re.compile(
    r"\b(?:found|caught|pille|encontre)\s+(?!myself\b|out\b)(?:[\w'-]+\s+){1,4}?(?:with|con)\s+"
    r"(?!no\b|none\b|sin\b)(?:[\w'-]+\s+){0,3}?"
    r"(?:" + _MEDICINE_WORDS + r")\b"
)


# "se ha tomado unas pastillas de la tension de mi marido", "took some of her nan's tablets":
# someone else's medicine taken is a poisoning, accidental or not (NPIS/TOXBASE)
_HOUSEHOLD = (
    rf"(?:{RELATIVE}|husband|wife|partner|nan|nana|nanny|granny|grandad|auntie|neighbour|"
    r"marido|esposo|esposa|mujer|vecin[oa])"
)
_SOMEONE_ELSES_MEDICINE = re.compile(
    r"\b(?:took|taken|swallowed|ate|eaten|(?:se\s+)?(?:ha\s+|han\s+)?(?:tomado|tragado|comido)|"
    r"se\s+(?:tomo|trago|comio))\s+(?:[\w'-]+\s+){0,6}?"
    r"(?:(?:my|her|his|their|our)\s+"
    + _HOUSEHOLD
    + r"'?s\s+(?:[\w'-]+\s+){0,2}?(?:"
    + _MEDICINE_WORDS
    + r")|(?:pastillas|pildoras|comprimidos|medicamentos?|medicinas?)\s+(?:[\w'-]+\s+){0,4}?"
    r"de\s+(?:mi|su|la|el|tu)\s+" + _HOUSEHOLD + r")\b"
)


def find_referred_ingestion(norm: str) -> list[Statement]:
    """Ingestions told in two steps: a hazardous object named, then "swallowed it" (→
    ``overdose``, the poisoning concept); someone found with a medicine or having taken someone
    else's (→ ``someone_elses_medicine``)."""
    found: list[Statement] = []
    for m in _SWALLOWED_IT.finditer(norm):
        if _NOT_SWALLOWED.search(norm, max(0, m.start() - 30), m.start()):
            continue
        if _HAZARD.search(norm, max(0, m.start() - _LOOK_BACK), m.start()):
            found.append(Statement(m.start(), m.end(), "overdose"))
    # an adult who took their partner's paracetamol for a headache has not been poisoned: the
    # red-flag rules decide by age (a child's ingestion is one, NPIS)
    for pattern in (_FOUND_WITH, _SOMEONE_ELSES_MEDICINE):
        found.extend(
            Statement(m.start(), m.end(), "someone_elses_medicine") for m in pattern.finditer(norm)
        )
    return found
