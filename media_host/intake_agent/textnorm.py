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


# ---------------------------------------------------------------- word forms (inflection, typos)
# Irregular forms mapped to the stem of their regular relative ("threw up" ≡ "throw up").
_IRREGULAR_STEMS = {
    "threw": "throw",
    "thrown": "throw",
    "swollen": "swel",
    "swole": "swel",
    "broke": "break",
    "broken": "break",
    "stung": "sting",
    "vomitted": "vomit",
    "vommited": "vomit",
    "vommitted": "vomit",
    "vommiting": "vomit",
    "vomitting": "vomit",
    "vommitting": "vomit",
    "vommit": "vomit",
}
# Suffixes stripped by the light stemmer, longest first.
_SUFFIXES = ("ings", "ing", "ed", "es", "s")


def light_stem(word: str) -> str:
    """A deliberately small English stemmer used only to relate inflections of one word.

    "vomited", "vomiting", "vomits" → "vomit"; "wheeze", "wheezing" → "wheez";
    "swelling", "swelled" → "swel". Words of four letters or fewer are returned unchanged, and
    at least three letters always remain, so short unrelated words never collide.
    """
    if word in _IRREGULAR_STEMS:
        return _IRREGULAR_STEMS[word]
    if len(word) <= 4 or not word.isalpha():
        return word
    base = word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "ed" and word.endswith("eed"):
                break  # "bleed", "need", "feed" are not past tenses
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break  # "dizziness", "virus", "arthritis"
            if suffix == "es" and not word.endswith(("shes", "ches", "xes", "sses", "zzes")):
                suffix = "s"  # "bites" → "bite", but "itches" → "itch"
            base = word[: -len(suffix)]
            break
    if len(base) > 4 and base.endswith("e"):
        base = base[:-1]
    if len(base) > 4 and base[-1] == base[-2] and base[-1] not in "aeiouls":
        base = base[:-1]  # "vomitting" → "vomitt" → "vomit"
    return base


def inflection(word: str) -> str:
    """The inflection class of a word: "irregular", "ing", "ed", "s" or "bare"."""
    if word in _IRREGULAR_STEMS:
        return "irregular"
    if word.endswith("ing") and len(word) > 5:
        return "ing"
    if word.endswith("ed") and len(word) > 4 and not word.endswith("eed"):
        return "ed"
    if word.endswith("s") and len(word) > 3 and not word.endswith(("ss", "us", "is")):
        return "s"
    return "bare"


# Which inflections of the same stem a word may stand for. Verb forms relate to each other
# ("vomited" ≡ "vomiting"), plurals to singulars; a bare word of five or more letters may be a
# verb ("vomit" ≡ "vomiting"). Nouns never become -ing forms of a homograph ("spots" is not
# "spotting", "bumped my shin" is not "a bump").
_RELATED_INFLECTIONS = {
    "irregular": frozenset({"irregular", "ing", "ed", "s", "bare"}),
    "ing": frozenset({"ing", "ed", "irregular"}),
    "ed": frozenset({"ing", "ed", "irregular"}),
    "s": frozenset({"s", "bare"}),
    "bare": frozenset({"ing", "ed", "s", "bare"}),
}


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class WordForms:
    """Relates a patient's word to the vocabulary of the lexicon: inflections and small typos.

    Built once per lexicon language from its vocabulary (precomputed indexes, so a lookup is a
    few dictionary probes and results are cached). A word maps to:

    * itself and its singular ("headaches" → "headache");
    * every vocabulary word with the same :func:`light_stem` ("vomited" → "vomiting");
    * for an unknown word of six or more letters that is not a real English word near the
      vocabulary (``real_words``), vocabulary words one edit away (insertion, deletion,
      substitution or adjacent transposition) with the same first letter and at most two such
      candidates ("vomitting" → "vomiting", "temprature" → "temperature"). Real words are
      excluded so "cooking" never becomes "choking".
    """

    MIN_FUZZY_LEN = 6
    MAX_CACHE = 8192

    def __init__(self, vocabulary: set[str], real_words: frozenset[str] = frozenset()) -> None:
        self.vocabulary = frozenset(vocabulary)
        self.real_words = real_words
        self._by_stem: dict[str, set[str]] = {}
        self._inflection: dict[str, str] = {}
        self._by_deletion: dict[str, set[str]] = {}
        for word in self.vocabulary:
            self._by_stem.setdefault(light_stem(word), set()).add(word)
            self._inflection[word] = inflection(word)
            if len(word) >= self.MIN_FUZZY_LEN - 1:
                for variant in _deletions(word) | {word}:
                    self._by_deletion.setdefault(variant, set()).add(word)
        self._cache: dict[str, tuple[str, ...]] = {}

    def forms(self, word: str) -> tuple[str, ...]:
        """All vocabulary spellings ``word`` may stand for (always including ``word`` itself)."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        found = {word}
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            found.add(word[:-1])
        found |= self._inflections_of(word)
        if not (found & self.vocabulary):
            for near in self.near_words(word):
                found.add(near)
                found |= self._inflections_of(near)
        result = tuple(sorted(found))
        if len(self._cache) < self.MAX_CACHE:
            self._cache[word] = result
        return result

    def _inflections_of(self, word: str) -> set[str]:
        kind = inflection(word)
        allowed = _RELATED_INFLECTIONS[kind]
        related = self._by_stem.get(light_stem(word), set())
        if kind == "bare" and len(word) < 5:
            allowed = frozenset({"s", "bare"})
        return {w for w in related if self._inflection[w] in allowed}

    def near_words(self, word: str) -> list[str]:
        """Vocabulary words one edit from an unknown, non-dictionary ``word`` (≤ 2, else none)."""
        if (
            len(word) < self.MIN_FUZZY_LEN
            or not word.isalpha()
            or word in self.vocabulary
            or word in self.real_words
        ):
            return []
        candidates: set[str] = set()
        for variant in _deletions(word) | {word}:
            candidates |= self._by_deletion.get(variant, set())
        near = sorted(c for c in candidates if c[0] == word[0] and abs(len(c) - len(word)) <= 1)
        return near if 0 < len(near) <= 2 else []
