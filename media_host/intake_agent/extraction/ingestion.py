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
