"""Trigger-phrase scopes (NegEx style) over tokens: negation, uncertainty, history, family.

A trigger ("denies", "no", "history of", "maybe") opens a scope that runs forward over the
sentence and covers the concept phrases in it until a terminator ("but", "however", "reports")
or until too many words unrelated to any concept pass (so a list "denies fever, chills, or
vomiting" is covered, but a long unrelated clause is not). Post-triggers ("fever: denied",
"chest pain absent") cover the concept just before them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from media_host.intake_agent.errors import RuleTableError
from media_host.intake_agent.lexicon import read_data_file
from media_host.intake_agent.textnorm import Token, canonical_token

NEGATION = "negation"
UNCERTAIN = "uncertain"
HISTORICAL = "historical"
FAMILY = "family"
PSEUDO = "pseudo"  # looks like a trigger but is not one ("no change", "not only")

_MAX_GAP_WORDS = 3
_PSEUDO_NEGATION_HEADS = frozenset({"no", "not", "sin"})
_CHANGE_LINKS = frozenset(
    {"in", "to", "of", "my", "his", "her", "the", "their", "en", "el", "la", "su"}
)
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_MAX_LIST_ITEM_WORDS = 3  # "no effusion, redness, warmth": items of a denied list are short


def _load() -> dict[str, Any]:
    raw: dict[str, Any] = read_data_file("scope_triggers.yaml")
    kinds = {NEGATION, UNCERTAIN, HISTORICAL, FAMILY, PSEUDO}
    for lang, table in raw["pre"].items():
        unknown = set(table) - kinds
        if unknown:
            raise RuleTableError(f"scope_triggers.pre.{lang}: unknown kinds {sorted(unknown)}")
    return raw


_RAW = _load()
# Longest trigger wins at a position; PSEUDO triggers just consume their words.
_PRE_TRIGGERS: dict[str, dict[str, tuple[str, ...]]] = {
    lang: {kind: tuple(phrases) for kind, phrases in table.items()}
    for lang, table in _RAW["pre"].items()
}
# after "and": the subject of a new clause, which a negation does not reach
_CLAUSE_SUBJECTS = frozenset(
    {"something", "someone", "somebody", "it", "i", "he", "she", "they", "we", "now", "then"}
    | {"suddenly", "algo", "ahora", "luego"}
)
# "..., and the baby has gone quiet", "y el bebe esta quieto": a determiner, a noun and a verb
# after "and" begin a clause about something else, not the next item of a denied list
_DETERMINERS = frozenset(
    {"the", "my", "her", "his", "their", "our", "your", "el", "la", "mi", "su", "los", "las"}
)
_CLAUSE_VERBS = frozenset(
    {"is", "has", "was", "are", "were", "had", "have", "s", "keeps", "seems", "looks", "feels"}
    | {"felt", "went", "got", "became", "started", "began", "esta", "tiene", "ha", "sigue"}
)
_TERMINATORS: dict[str, frozenset[str]] = {
    lang: frozenset(words) for lang, words in _RAW["terminators"].items()
}
# Words that do not count as "unrelated" gap inside a list scope.
_LIST_WORDS = frozenset(_RAW["list_words"])
_POST_NEGATION: dict[str, tuple[str, ...]] = {
    lang: tuple(phrases) for lang, phrases in _RAW["post_negation"].items()
}
# "my seizures are well controlled": a condition, not a current symptom
_POST_HISTORICAL = tuple(tuple(p.split()) for p in _RAW["post_historical"])


def _compile(language: str) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for kind, phrases in _PRE_TRIGGERS[language].items():
        for phrase in phrases:
            words = tuple(canonical_token(w) for w in phrase.split())
            by_first.setdefault(words[0], []).append((words, kind))
    for entries in by_first.values():
        entries.sort(key=lambda e: (-len(e[0]), e[1] != PSEUDO))
    return by_first


_TRIGGERS = {lang: _compile(lang) for lang in _PRE_TRIGGERS}
_POST = {
    lang: [tuple(p.split()) for p in sorted(phrases, key=lambda p: -len(p.split()))]
    for lang, phrases in _POST_NEGATION.items()
}


@dataclass(frozen=True, slots=True)
class Trigger:
    kind: str
    start: int  # token index of the first trigger word
    end: int  # token index after the trigger


def find_triggers(words: Sequence[str], language: str) -> list[Trigger]:
    """All pre-triggers (including pseudo ones) in the word list, left to right."""
    table = _TRIGGERS[language]
    found: list[Trigger] = []
    i = 0
    while i < len(words):
        entries = table.get(words[i])
        hit = None
        if entries:
            for phrase, kind in entries:
                if tuple(words[i : i + len(phrase)]) == phrase:
                    hit = Trigger(kind, i, i + len(phrase))
                    break
        if hit is None:
            i += 1
            continue
        found.append(hit)
        i = hit.end
    return found


def _short_list_item(
    tokens: Sequence[Token], words: Sequence[str], start: int, sentence: int
) -> bool:
    """Is the text from ``start`` to the next comma / "or" / sentence end a short list item?"""
    count = 0
    pos = start
    while pos < len(words) and tokens[pos].kind != "punct":
        if words[pos] in ("or", "and", "nor", "o", "ni", "y"):
            break
        count += 1
        pos += 1
    stops_list = pos >= len(words) or tokens[pos].kind != "punct" or tokens[pos].text in ",/"
    return 0 < count <= _MAX_LIST_ITEM_WORDS and (stops_list or words[pos] in ("or", "and"))


def _pseudo_over_a_concept(
    trig: Trigger, words: Sequence[str], matches: Sequence[tuple[int, int]]
) -> Trigger:
    """ "No change" is no negation ("no change in the pain") unless its words begin a concept
    phrase: "no change in vision" denies the concept "change in vision"."""
    if trig.kind != PSEUDO or words[trig.start] not in _PSEUDO_NEGATION_HEADS:
        return trig
    if any(trig.start < start < trig.end for start, _end in matches):
        return Trigger(NEGATION, trig.start, trig.start + 1)
    # "no change in his phlegm": the concept is as it always was, not a new finding
    if words[trig.end - 1] in ("change", "changes", "cambio", "cambios"):
        pos = trig.end
        while pos < len(words) and words[pos] in _CHANGE_LINKS:
            pos += 1
        if pos > trig.end and any(start == pos for start, _end in matches):
            return Trigger(NEGATION, trig.start, trig.start + 1)
    return trig


_AFFIRMED = frozenset({"present", "positive", "noted", "reported", "presente", "presentes"})
_COORDINATION = frozenset({"and", "or", "y", "o", "also", "both"})


def _affirmed_after(
    tokens: Sequence[Token], words: Sequence[str], end: int, ends: dict[int, int]
) -> bool:
    """Is the concept ending at ``end`` followed, across coordinated concepts only (``ends``:
    each match's start → end), by an affirming word ("runny nose and cough present")?"""
    pos = end
    while pos < len(words):
        if pos in ends:
            pos = ends[pos]
        elif words[pos] in _COORDINATION or (tokens[pos].kind == "punct" and words[pos] == ""):
            if tokens[pos].kind == "punct" and tokens[pos].text not in ",/&+":
                return False
            pos += 1
        else:
            return words[pos] in _AFFIRMED
    return False


def scope_of_matches(
    tokens: Sequence[Token],
    words: Sequence[str],
    sentence_of: Sequence[int],
    matches: Sequence[tuple[int, int]],
    language: str,
) -> list[set[str]]:
    """For each concept match (token start, end), the set of scope kinds that cover it."""
    covered: list[set[str]] = [set() for _ in matches]
    terminators = _TERMINATORS[language]
    match_starts: dict[int, list[int]] = {}
    for idx, (start, _end) in enumerate(matches):
        match_starts.setdefault(start, []).append(idx)
    inside_match = [False] * len(words)
    for start, end in matches:
        for k in range(start, end):
            inside_match[k] = True
    # A trigger word that is part of a concept phrase ("not breathing") is not a trigger.
    triggers = [
        _pseudo_over_a_concept(t, words, matches)
        for t in find_triggers(words, language)
        if not inside_match[t.start]
    ]
    triggers = [t for t in triggers if t.kind != PSEUDO]

    for trig in triggers:
        # A bare "no," / "no." is an answer, not a negation of what follows.
        if (
            trig.end < len(tokens)
            and tokens[trig.end].kind == "punct"
            and words[trig.start]
            in (
                "no",
                "nope",
            )
        ):
            continue
        sentence = sentence_of[trig.start]
        gap = 0
        max_gap = _MAX_GAP_WORDS if trig.kind != HISTORICAL else 1
        pos = trig.end
        # a concept phrase overlapping the trigger ("dont have" + "have a plan")
        for idx, (start, end) in enumerate(matches):
            if trig.start < start < trig.end:
                covered[idx].add(trig.kind)
                pos = max(pos, end)
        while pos < len(words) and sentence_of[pos] == sentence:
            if pos in match_starts:
                # several matches may start at one word ("swelling face/lips" → two compositions)
                for idx in match_starts[pos]:
                    covered[idx].add(trig.kind)
                gap = 0
                pos = max(matches[idx][1] for idx in match_starts[pos])
                continue
            word = words[pos]
            if tokens[pos].kind == "punct" and tokens[pos].text == "/":
                # a slash joins alternatives inside one item ("no malleolar/navicular bony
                # tenderness", "no fever/chills"): the scope always runs on through it
                gap = 0
            elif tokens[pos].kind == "punct" and tokens[pos].text == ",":
                # a comma continues the scope only into a list ("fever, chills, or ..."): the next
                # item is a concept, or a short item the lexicon does not know ("no effusion,
                # redness, warmth, fever") — a long clause after the comma ends the list.
                nxt = pos + 1
                while nxt < len(words) and words[nxt] in _LIST_WORDS:
                    nxt += 1
                if nxt not in match_starts and not _short_list_item(tokens, words, nxt, sentence):
                    break
                gap = 0
            if not inside_match[pos]:
                if word in terminators and pos > trig.end:
                    break
                if (
                    word in ("and", "then", "y")
                    and pos + 1 < len(words)
                    and words[pos + 1] in _CLAUSE_SUBJECTS
                ):
                    break  # "without goggles and something flew in my eye": a new clause
                if (
                    word in ("and", "y")
                    and pos + 3 < len(words)
                    and words[pos + 1] in _DETERMINERS
                    and words[pos + 3] in _CLAUSE_VERBS
                ):
                    break  # "isn't relaxing, and the baby has gone quiet": a new subject
                # an ordinal's suffix is no word of its own ("5th" is tokenized "5", "th")
                ordinal = word in _ORDINAL_SUFFIXES and pos > 0 and words[pos - 1].isdigit()
                if word and word not in _LIST_WORDS and not ordinal:
                    gap += 1
                    if gap > max_gap:
                        break
            pos += 1

    for idx, (_start, end) in enumerate(matches):
        window = tuple(words[end : end + 5])
        for phrase in _POST_HISTORICAL:
            n = len(phrase)
            if any(window[k : k + n] == phrase for k in range(len(window) - n + 1)):
                covered[idx].add(HISTORICAL)
                break

    # "no tender nodes, runny nose and cough present": an item that a list affirms after it
    # ends the denied list before it
    # ... unless the denial stands right before the item: "no black stools reported" reports
    # the denial ("none reported")
    ends = {start: stop for start, stop in matches}
    denied_from = {t.end for t in triggers if t.kind == NEGATION}
    for idx, (start, end) in enumerate(matches):
        if (
            NEGATION in covered[idx]
            and start not in denied_from
            and _affirmed_after(tokens, words, end, ends)
        ):
            covered[idx].discard(NEGATION)

    post = _POST[language]
    for idx, (_start, end) in enumerate(matches):
        pos = end
        # allow "fever: no", "fever - denied", "chest pain is absent"
        while pos < len(tokens) and tokens[pos].kind == "punct" and tokens[pos].text in ":-=":
            pos += 1
        for phrase in post:
            if tuple(words[pos : pos + len(phrase)]) == phrase and (
                phrase != ("no",) or pos > end  # "fever: no" but not "fever no ..." prose
            ):
                if sentence_of[min(pos, len(words) - 1)] == sentence_of[end - 1]:
                    covered[idx].add(NEGATION)
                break
    return covered
