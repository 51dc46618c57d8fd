"""Text normalisation, tokenisation and sentence splitting shared by the extraction rules.

The normalised text has exactly the same length as the input (one character in, one out), so a
character offset found in it is an offset in the patient's own words (provenance spans).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"}
_DASHES = {"\u2013": "-", "\u2014": "-", "\u2212": "-"}


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHES:
        return _APOSTROPHES[ch]
    if ch in _DASHES:
        return _DASHES[ch]
    if ch == "\u00b0":  # degree sign: keep, temperature patterns use it
        return ch
    low = ch.lower()
    if len(low) != 1:  # e.g. "İ".lower() is two characters; keep the length invariant
        low = ch
    if low.isascii():
        return low
    base = unicodedata.normalize("NFD", low)[0]
    return base if base.isascii() else (" " if not low.isalnum() else low)


def normalise(text: str) -> str:
    """Lower-case, strip accents and unify apostrophes/dashes, keeping the length unchanged."""
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(ch) for ch in text)


_CANONICAL_TOKENS = {"cannot": "cant", "couldnt": "cant"}


def canonical_token(text: str) -> str:
    """Token form used for matching (a few contractions unified: "cannot" → "cant")."""
    return _CANONICAL_TOKENS.get(text, text)


@dataclass(frozen=True, slots=True)
class Token:
    """One word, number or punctuation mark of the normalised text."""

    text: str  # normalised, apostrophes removed ("don't" → "dont")
    start: int
    end: int
    kind: str  # "word" | "num" | "punct"


_TOKEN_RE = re.compile(r"[a-z\u00f1]+(?:'[a-z]+)*|\d+(?:[.,]\d+)?|[^\sa-z\d]")


def tokenize(norm: str) -> list[Token]:
    """Split normalised text into tokens (hyphens and apostrophes inside words dropped)."""
    tokens: list[Token] = []
    for m in _TOKEN_RE.finditer(norm):
        raw = m.group(0)
        if raw[0].isdigit():
            tokens.append(Token(raw.replace(",", "."), m.start(), m.end(), "num"))
        elif raw[0].isalpha():
            tokens.append(Token(raw.replace("'", ""), m.start(), m.end(), "word"))
        elif raw in "-'":
            continue  # "short-of-breath", "45-year-old": word joiners, not boundaries
        else:
            tokens.append(Token(raw, m.start(), m.end(), "punct"))
    return tokens


# Sentence ends: . ! ? ; newline — but not a decimal point ("38.5").
_SENTENCE_END = re.compile(r"[.!?;]+(?!\d)|\n+")
# Dots of common abbreviations are not sentence ends ("45 y.o. man", "e.g.", "Dr. Smith").
_ABBREVIATION = re.compile(
    r"\b(?:y\.\s?o\.?|yrs?\.|e\.g\.|i\.e\.|dr\.|mr\.|mrs\.|ms\.|approx\.|pt\.|hx\.|"
    r"h/o\.|etc\.|vs\.|sr\.|sra\.|no\.(?=\s*\d))"
)


def mask_abbreviations(norm: str) -> str:
    """Replace the dots of known abbreviations with spaces (length unchanged)."""
    return _ABBREVIATION.sub(lambda m: m.group(0).replace(".", " "), norm)


def sentence_bounds(norm: str) -> list[tuple[int, int]]:
    """Return (start, end) character ranges of the sentences of ``norm``."""
    masked = mask_abbreviations(norm)
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(masked):
        if masked[start : m.start()].strip():
            bounds.append((start, m.start()))
        start = m.end()
    if masked[start:].strip():
        bounds.append((start, len(masked)))
    return bounds
