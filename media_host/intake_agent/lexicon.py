"""The symptom lexicon: concepts (id, labels, SNOMED CT id, synonyms in en/es) and a phrase matcher.

The data lives in ``data/lexicon.yaml`` (clinician-editable) and is loaded and validated once per
process (:func:`load_lexicon` is cached). Matching is a token trie with longest-match semantics, so
extraction cost does not grow with the number of synonyms.

Synonym syntax (one phrase per entry, matched on accent-free lower-case word tokens):

* plain words: ``short of breath``; apostrophes are dropped (``can't`` ≡ ``cant``);
* ``~``: an optional determiner / possessive (``pain in ~ chest`` matches
  "pain in chest", "pain in my chest", "pain in the chest");
* ``*``: exactly one arbitrary word (``rolled * ankle``).

A token ending in "s" also matches the singular synonym ("headaches" → "headache").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from media_host.intake_agent.errors import RuleTableError
from media_host.intake_agent.models import Level
from media_host.intake_agent.textnorm import (
    Token,
    WordForms,
    canonical_token,
    normalise,
    tokenize,
)

LANGUAGES = ("en", "es")
CATEGORIES = frozenset(
    {"symptom", "sign", "vital", "context", "injury", "mental", "exposure", "pediatric", "lab"}
)
_SNOMED_RE = re.compile(r"^[1-9]\d{5,17}$")
_DETERMINERS = {
    "en": frozenset(
        [
            "my",
            "the",
            "his",
            "her",
            "their",
            "a",
            "an",
            "your",
            "its",
            "our",
            "this",
            "that",
            "both",
            "one",
            "some",
            "any",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "mi",
            "mis",
            "su",
            "sus",
            "un",
            "una",
            "al",
            "del",
            "lo",
            "tu",
            "tus",
        ]
    ),
}
_DET_SLOT = "\x00det"
_ANY_SLOT = "\x00any"
_END = "\x00end"


@dataclass(frozen=True)
class Concept:
    """One symptom / sign / context concept of the lexicon."""

    id: str
    label: str
    label_es: str
    snomed_ct: str | None
    category: str
    system: str
    site: str | None = None
    is_pain: bool = False
    base_level: Level = Level.NON_URGENT
    self_care_max_days: float | None = None  # beyond this duration a self-care issue needs a GP
    complaint: bool = True  # can be a chief complaint (vitals / context concepts cannot)
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    absent_synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def label_in(self, language: str) -> str:
        """The concept's label in ``language`` ("es" → Spanish, anything else → English)."""
        return self.label_es if language == "es" and self.label_es else self.label


@dataclass(frozen=True, slots=True)
class PhraseMatch:
    """A lexicon phrase found in a token sequence (token indices are [start, end))."""

    concept_id: str
    start_token: int
    end_token: int
    negated_form: bool  # the phrase itself says the concept is absent ("can walk on it")


class _Trie:
    def __init__(self, determiners: frozenset[str]) -> None:
        self.root: dict[str, Any] = {}
        self.determiners = determiners

    def add(
        self, words: Sequence[str], payload: tuple[str, bool], *, derived: bool = False
    ) -> None:
        """Add a phrase. A ``derived`` variant never overrides nor conflicts with a listed one."""
        node = self.root
        for word in words:
            node = node.setdefault(word, {})
        existing = node.get(_END)
        if derived:
            if existing is None:
                node[_END] = payload
            return
        if existing is not None and existing != payload:
            raise RuleTableError(
                f"lexicon: phrase {' '.join(words)!r} is claimed by both "
                f"{existing[0]!r} and {payload[0]!r}"
            )
        node[_END] = payload

    def vocabulary(self) -> set[str]:
        """Every literal word of every phrase (slot markers excluded)."""
        found: set[str] = set()
        stack = [self.root]
        while stack:
            node = stack.pop()
            for key, child in node.items():
                if key == _END:
                    continue
                if not key.startswith("\x00"):
                    found.add(key)
                stack.append(child)
        return found

    def longest(
        self,
        words: Sequence[str],
        start: int,
        forms: Sequence[tuple[str, ...]] | None = None,
    ) -> tuple[int, tuple[str, bool]] | None:
        """Longest phrase starting at ``words[start]``: (end index, payload).

        ``forms[i]`` lists the spellings word ``i`` may stand for (inflections, typo
        corrections); without it a word matches itself and its singular.
        """
        # Among phrases of equal length the one using more of the patient's exact words wins
        # ("confused" is confusion, not the absent form "confusing").
        best: tuple[int, int, tuple[str, bool]] | None = None
        stack: list[tuple[dict[str, Any], int, int]] = [(self.root, start, 0)]
        while stack:
            node, pos, exact = stack.pop()
            if _END in node and pos > start and (best is None or (pos, exact) > best[:2]):
                best = (pos, exact, node[_END])
            if pos >= len(words):
                continue
            word = words[pos]
            if not word:  # punctuation: phrases never span it
                continue
            plain = (word, _singular(word))
            for candidate in forms[pos] if forms is not None else dict.fromkeys(plain):
                child = node.get(candidate)
                if child is not None:
                    stack.append((child, pos + 1, exact + (candidate in plain)))
            if pos > start and word in INTENSIFIERS and node is not self.root:
                stack.append((node, pos + 1, exact))  # "moving (much) less"
            if _DET_SLOT in node:
                stack.append((node[_DET_SLOT], pos, exact))  # optional: skip
                if word in self.determiners:
                    stack.append((node[_DET_SLOT], pos + 1, exact + 1))
            if _ANY_SLOT in node:
                stack.append((node[_ANY_SLOT], pos + 1, exact))
        return (best[0], best[2]) if best is not None else None


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# Side words are transparent for matching ("can't lift my left arm" ≡ "can't lift my arm");
# laterality is recorded separately by the extraction rules.
SIDE_WORDS = frozenset({"left", "right", "izquierdo", "izquierda", "derecho", "derecha"})
# Intensifiers may be skipped inside a phrase ("moving much less than usual" ≡ "moving less
# than usual", "short of breath really badly"); a phrase that itself contains one ("very
# thirsty") still needs it. Severity is read separately from the raw text.
INTENSIFIERS = frozenset(
    {"really", "very", "much", "quite", "extremely", "terribly", "awfully", "muy", "bastante"}
)
_TRANSPARENT = SIDE_WORDS
# linking verbs a note leaves out ("neck is stiff" → "neck stiff")
_COPULAS = {
    "en": frozenset({"is", "are", "was", "were", "feels", "feel", "looks", "look", "has", "been"}),
    "es": frozenset({"esta", "estan", "es", "son"}),
}


def phrase_words(phrase: str) -> list[str]:
    """Split a lexicon phrase into trie keys (slots become markers, side words are dropped)."""
    words: list[str] = []
    for raw in phrase.split():
        if raw == "~":
            words.append(_DET_SLOT)
        elif raw == "*":
            words.append(_ANY_SLOT)
        else:
            words.extend(
                canonical_token(t.text)
                for t in tokenize(normalise(raw))
                if t.text not in _TRANSPARENT
            )
    return words


class Lexicon:
    """All concepts plus one phrase matcher per language."""

    def __init__(
        self, concepts: Iterable[Concept], real_words: frozenset[str] = frozenset()
    ) -> None:
        self.concepts: dict[str, Concept] = {}
        for concept in concepts:
            if concept.id in self.concepts:
                raise RuleTableError(f"lexicon: duplicate concept id {concept.id!r}")
            self.concepts[concept.id] = concept
        self._tries = {lang: _Trie(_DETERMINERS[lang]) for lang in LANGUAGES}
        self._phrase_index: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
        self._vocabulary: dict[str, frozenset[str]] = {}
        for concept in self.concepts.values():
            for lang in LANGUAGES:
                for phrase in concept.synonyms.get(lang, ()):
                    self._add(lang, phrase, concept.id, negated=False)
                for phrase in concept.absent_synonyms.get(lang, ()):
                    self._add(lang, phrase, concept.id, negated=True)
        # Notes drop the copula: "neck is stiff" is written "Neck stiff.", "leg is swollen"
        # "leg swollen". Listed phrases always win over these derived forms.
        for concept in self.concepts.values():
            for lang in LANGUAGES:
                for phrase in concept.synonyms.get(lang, ()):
                    words = phrase_words(phrase)
                    dropped = [w for w in words if w not in _COPULAS[lang]]
                    if 2 <= len(dropped) < len(words) and words[0] not in _COPULAS[lang]:
                        self._tries[lang].add(dropped, (concept.id, False), derived=True)
        # inflection and typo tolerance is English-only (the stemmer is English)
        self._forms: dict[str, WordForms | None] = {
            "en": WordForms(self._tries["en"].vocabulary(), real_words),
            "es": None,
        }

    def _add(self, lang: str, phrase: str, concept_id: str, *, negated: bool) -> None:
        words = phrase_words(phrase)
        if not words or all(w in (_DET_SLOT, _ANY_SLOT) for w in words):
            raise RuleTableError(f"lexicon: concept {concept_id!r} has an empty phrase")
        self._tries[lang].add(words, (concept_id, negated))
        if _DET_SLOT not in words and _ANY_SLOT not in words and not negated:
            self._phrase_index[lang].setdefault(" ".join(words), concept_id)

    def __len__(self) -> int:
        return len(self.concepts)

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self.concepts

    def concept(self, concept_id: str) -> Concept:
        """The concept with id ``concept_id``.

        Raises:
            KeyError: no such concept.
        """
        try:
            return self.concepts[concept_id]
        except KeyError:
            raise KeyError(f"unknown concept id {concept_id!r}") from None

    def lookup(self, phrase: str, language: str = "en") -> Concept | None:
        """The concept a whole phrase names ("dyspnoea" → shortness_of_breath), or None."""
        lang = language if language in LANGUAGES else "en"
        words = [
            canonical_token(t.text)
            for t in tokenize(normalise(phrase))
            if t.kind != "punct" and t.text not in _TRANSPARENT
        ]
        if not words:
            return None
        found = self._tries[lang].longest(words, 0, self._word_forms(words, lang))
        if found is None or found[0] != len(words) or found[1][1]:
            return None
        return self.concepts[found[1][0]]

    def _word_forms(self, words: Sequence[str], language: str) -> list[tuple[str, ...]] | None:
        wf = self._forms.get(language)
        if wf is None:
            return None
        return [wf.forms(w) if w else (w,) for w in words]

    def vocabulary(self, language: str = "en") -> frozenset[str]:
        """Every literal word of the phrases of ``language`` (built once: the lexicon is
        immutable, and the per-utterance reading asks for it)."""
        cached = self._vocabulary.get(language)
        if cached is None:
            cached = self._vocabulary[language] = frozenset(self._tries[language].vocabulary())
        return cached

    def word_forms(self, word: str, language: str = "en") -> tuple[str, ...]:
        """The lexicon spellings one normalised word may stand for (itself at least)."""
        wf = self._forms.get(language)
        return wf.forms(word) if wf is not None else (word, _singular(word))

    @staticmethod
    def _overtaken(
        trie: _Trie,
        words: Sequence[str],
        forms: Sequence[tuple[str, ...]] | None,
        start: int,
        end: int,
    ) -> bool:
        """Whether a multi-word phrase starting inside [start, end) ends later.

        "got a cold sore": "cold sore" overtakes "got a cold".
        """
        for j in range(start + 1, end):
            if not words[j]:
                continue
            other = trie.longest(words, j, forms)
            if other is not None and other[0] > end and other[0] - j >= min(2, end - start):
                return True
        return False

    def match_tokens(self, tokens: Sequence[Token], language: str) -> list[PhraseMatch]:
        """All non-overlapping longest phrase matches, left to right."""
        trie = self._tries[language]
        # match on tokens without side words, then map positions back to the real tokens
        kept = [i for i, t in enumerate(tokens) if t.text not in _TRANSPARENT]
        words = [canonical_token(tokens[i].text) if tokens[i].kind != "punct" else "" for i in kept]
        forms = self._word_forms(words, language)
        matches: list[PhraseMatch] = []
        i = 0
        while i < len(words):
            found = trie.longest(words, i, forms) if words[i] else None
            if found is None:
                i += 1
                continue
            end, (concept_id, negated) = found
            if self._overtaken(trie, words, forms, i, end):
                i += 1  # "a cold sore": "cold sore" (ends later, as long) beats "a cold"
                continue
            if words[end - 1] in _MEETING_VERBS and end < len(words) and words[end] in _PERSONS:
                i += 1  # "the dentist can't see me until Tuesday": an appointment, not eyesight
                continue
            if words[end - 1] in _MEETING_VERBS and _looked_for(words, end):
                i += 1  # "couldn't see any pus on her tonsils": she looked, and found none
                continue
            matches.append(PhraseMatch(concept_id, kept[i], kept[end - 1] + 1, negated))
            i = end
        return matches


# a perception verb with a person as its object means meeting them ("can't see me")
_MEETING_VERBS = frozenset({"see", "ver"})
_PERSONS = frozenset({"me", "you", "him", "her", "us", "them", "anyone", "nadie"})


# what a caller looks for on the body and does not find ("can't see any pus", "couldn't see a
# tick"): a perception verb with such an object reports a finding's absence, not eyesight
_LOOK_DETERMINERS = frozenset({"any", "a", "an", "the", "no", "ningun", "ninguna"})
_LOOKED_FOR = frozenset(
    {"pus", "blood", "spots", "spot", "rash", "marks", "mark", "swelling", "redness", "bruise"}
    | {"bruises", "bruising", "lumps", "lump", "sign", "signs", "tick", "ticks", "splinter"}
    | {"wound", "cut", "bite", "sting", "stinger", "blisters", "white", "patches", "bleeding"}
    | {"difference", "change", "injury", "damage", "puss", "object", "glass", "bone"}
)


def _looked_for(words: list[str], end: int) -> bool:
    if end < len(words) and words[end] in _LOOKED_FOR:
        return True  # "can't see pus"
    return (
        end + 1 < len(words) and words[end] in _LOOK_DETERMINERS and words[end + 1] in _LOOKED_FOR
    )


def _as_tuple(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleTableError(f"lexicon: {where} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


_CONCEPT_KEYS = frozenset(
    {
        "label",
        "label_es",
        "snomed",
        "cat",
        "system",
        "site",
        "pain",
        "level",
        "self_care_days",
        "complaint",
        "en",
        "es",
        "en_absent",
        "es_absent",
    }
)


def parse_concept(concept_id: str, raw: Any) -> Concept:
    """Build and validate one concept entry of ``lexicon.yaml``."""
    where = f"concept {concept_id!r}"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", concept_id):
        raise RuleTableError(f"lexicon: bad concept id {concept_id!r} (use snake_case)")
    if not isinstance(raw, dict):
        raise RuleTableError(f"lexicon: {where} must be a mapping")
    unknown = set(raw) - _CONCEPT_KEYS
    if unknown:
        raise RuleTableError(f"lexicon: {where} has unknown keys {sorted(unknown)}")
    snomed = raw.get("snomed")
    if snomed is not None:
        snomed = str(snomed)
        if not _SNOMED_RE.match(snomed):
            raise RuleTableError(f"lexicon: {where} has a malformed SNOMED CT id {snomed!r}")
    category = raw.get("cat", "symptom")
    if category not in CATEGORIES:
        raise RuleTableError(f"lexicon: {where} has unknown category {category!r}")
    try:
        level = Level(raw.get("level", "non_urgent"))
    except ValueError:
        raise RuleTableError(f"lexicon: {where} has unknown level {raw.get('level')!r}") from None
    days = raw.get("self_care_days")
    if days is not None and (not isinstance(days, int | float) or days <= 0):
        raise RuleTableError(f"lexicon: {where} self_care_days must be a positive number")
    synonyms = {lang: _as_tuple(raw.get(lang), f"{where}.{lang}") for lang in LANGUAGES}
    if not synonyms["en"]:
        raise RuleTableError(f"lexicon: {where} needs at least one English synonym")
    label = raw.get("label") or concept_id.replace("_", " ")
    return Concept(
        id=concept_id,
        label=str(label),
        label_es=str(raw.get("label_es") or label),
        snomed_ct=snomed,
        category=category,
        system=str(raw.get("system", "general")),
        site=raw.get("site"),
        is_pain=bool(raw.get("pain", False)),
        base_level=level,
        self_care_max_days=float(days) if days is not None else None,
        complaint=bool(raw.get("complaint", category not in ("vital", "context"))),
        synonyms=synonyms,
        absent_synonyms={
            lang: _as_tuple(raw.get(f"{lang}_absent"), f"{where}.{lang}_absent")
            for lang in LANGUAGES
        },
    )


def read_data_file(name: str) -> Any:
    """Parse a YAML file shipped in ``media_host/intake_agent/data``."""
    text = resources.files("media_host.intake_agent").joinpath("data", name).read_text("utf-8")
    return yaml.safe_load(text)


def build_lexicon(raw: Any) -> Lexicon:
    """Validate a parsed lexicon document and build the :class:`Lexicon`."""
    if not isinstance(raw, dict) or not isinstance(raw.get("concepts"), dict):
        raise RuleTableError("lexicon: top level must be a mapping with a 'concepts' mapping")
    return Lexicon(
        (parse_concept(str(cid), body) for cid, body in raw["concepts"].items()),
        real_words=_real_words(),
    )


@lru_cache(maxsize=1)
def _real_words() -> frozenset[str]:
    """Real English words one edit from the lexicon vocabulary: never typo-corrected.

    Generated from a dictionary by ``eval/make_real_words.py`` (regenerate after adding
    vocabulary); a word missing from the list can at worst be read as its near neighbour.
    """
    text = resources.files("media_host.intake_agent").joinpath("data", "real_words.txt")
    return frozenset(line.strip() for line in text.read_text("utf-8").splitlines() if line.strip())


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The packaged lexicon, loaded and validated once per process."""
    return build_lexicon(read_data_file("lexicon.yaml"))
