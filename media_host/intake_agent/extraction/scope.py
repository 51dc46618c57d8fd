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

from media_host.intake_agent.textnorm import Token, canonical_token

NEGATION = "negation"
UNCERTAIN = "uncertain"
HISTORICAL = "historical"
FAMILY = "family"
PSEUDO = "pseudo"  # looks like a trigger but is not one ("no change", "not only")

# Longest trigger wins at a position; PSEUDO triggers just consume their words.
_PRE_TRIGGERS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        NEGATION: (
            "no",
            "not",
            "denies",
            "denied",
            "deny",
            "denying",
            "without",
            "never",
            "negative for",
            "free of",
            "absence of",
            "dont have",
            "doesnt have",
            "didnt have",
            "hasnt had",
            "havent had",
            "hasnt got",
            "havent got",
            "no signs of",
            "no sign of",
            "no evidence of",
            "nor",
            "neither",
            "none",
            "no history of",
            "not had",
            "wasnt",
            "isnt",
            "arent",
            "werent",
            "hasnt",
            "havent",
            "didnt",
            "doesnt",
            "dont",
            "not really",
            "no longer",
            "not any",
            "nothing like",
            "no more",
            "fails to reveal",
            "unremarkable for",
            "ruled out",
            "rules out",
            "not experiencing",
            "no complaints of",
            "no reports of",
            "denies any",
            "nil",
        ),
        UNCERTAIN: (
            "maybe",
            "possibly",
            "possible",
            "perhaps",
            "might have",
            "may have",
            "might be",
            "not sure",
            "unsure",
            "i dont think",
            "dont think",
            "dont know if",
            "not certain",
            "question of",
            "questionable",
            "could be",
            "could have",
            "rule out",
            "r o",
            "suspected",
            "suspect",
            "query",
            "in case",
            "return if",
            "watch for",
            "unclear if",
            "cant tell if",
            "hard to say if",
            "not sure if",
            "wondering if",
            "i wonder if",
            "worried it might be",
            "worried it could be",
            "possible",
            "probable",
            "likely",
        ),
        HISTORICAL: (
            "history of",
            "hx of",
            "h o",
            "pmh",
            "pmhx",
            "past medical history",
            "past history of",
            "background of",
            "previously diagnosed",
            "known",
            "diagnosed with",
            "previous",
            "prior",
            "in the past",
            "years ago had",
            "medical history of",
            "past medical history of",
            "had a history of",
            "longstanding",
            "long standing",
        ),
        FAMILY: (
            "family history of",
            "family history",
            "fh of",
            "mother had",
            "father had",
            "mother has",
            "father has",
            "brother had",
            "sister had",
            "mum had",
            "dad had",
            "mom had",
            "runs in the family",
            "grandmother had",
            "grandfather had",
            "parents have",
        ),
        PSEUDO: (
            "7 hx of",
            "52 hx of",
            "12 hx of",
            "day hx of",
            "days hx of",
            "week hx of",
            "weeks hx of",
            "hour hx of",
            "hours hx of",
            "7 history of",
            "52 history of",
            "day history of",
            "days history of",
            "week history of",
            "weeks history of",
            "hour history of",
            "hours history of",
            "month history of",
            "months history of",
            "year history of",
            "years history of",
            "hr history of",
            "h history of",
            "no change",
            "not only",
            "no improvement",
            "not improving",
            "no relief",
            "without relief",
            "no better",
            "not helping",
            "not helped",
            "without improvement",
            "no one",
            "no idea",
            "no matter",
            "not just",
            "not better",
            "not getting better",
            "not going away",
            "wont go away",
            "doesnt go away",
            "not stopping",
            "no way",
            "cant",
            "dont know what",
            "no obvious cause",
            "no reason",
            "no known",
            "not sure what",
            "not sure why",
            "doesnt stop",
            "didnt stop",
            "wont stop",
            "not stop",
            "not settling",
            "not resolving",
            "not responding to",
            "no response to",
            "didnt help",
            "doesnt help",
            "did not help",
            "not able",
            "unable",
            "no history",
            "known allergies",
            "no known allergies",
            "if you",
            "should i",
            "not eating",
            "not feeding",
            "not drinking",
            "not breathing",
            "not responding",
            "not waking",
            "not passing",
            "not peeing",
            "not urinating",
            "not making sense",
            "not himself",
            "not herself",
            "not acting",
            "not keeping",
            "not tolerating",
            "not feeling",
            "not moving",
            "not bearing",
            "not weight bearing",
            "no wet",
            "no pulse",
            "not taking",
            "no appetite",
            "no energy",
            "no period",
            "no bowel movement",
            "no tears",
            "no flatus",
            "no feeling",
            "no breathing",
            "not interested",
            "not wanting to live",
            "dont want to",
            "no reason to live",
            "not recognising",
            "not recognizing",
            "no strength",
            "not rousable",
            "no fetal",
            "doesnt respond",
            "doesnt blanch",
            "does not blanch",
            "doesnt fade",
            "does not fade",
            "dont fade",
            "doesnt know",
            "dont want",
            "not hungry",
            "no interest",
            "havent peed",
            "confused about",
            "confused by",
            "hasnt peed",
            "hasnt urinated",
            "havent passed",
            "havent had a bowel",
            "havent pooped",
            "havent had ~ period",
            "not felt",
            "not feeling the baby",
            "havent felt",
        ),
    },
    "es": {
        NEGATION: (
            "no",
            "sin",
            "niega",
            "nego",
            "nunca",
            "ningun",
            "ninguna",
            "ninguno",
            "tampoco",
            "ni",
            "no tengo",
            "no tiene",
            "no hay",
            "ausencia de",
            "ya no",
            "nada de",
        ),
        UNCERTAIN: (
            "quizas",
            "quiza",
            "tal vez",
            "a lo mejor",
            "creo que no",
            "no se si",
            "no estoy seguro",
            "no estoy segura",
            "posible",
            "posiblemente",
            "puede que",
            "probablemente",
        ),
        HISTORICAL: (
            "antecedentes de",
            "historia de",
            "historial de",
            "diagnosticado de",
            "diagnosticada de",
            "conocido",
            "previo",
            "previa",
            "hace anos tuve",
        ),
        FAMILY: (
            "antecedentes familiares",
            "mi madre tuvo",
            "mi padre tuvo",
            "mi mama tuvo",
            "mi papa tuvo",
        ),
        PSEUDO: (
            "no se",
            "no mejora",
            "no puedo",
            "no puede",
            "no para",
            "no quiere",
            "no come",
            "no bebe",
            "no respira",
            "no responde",
            "no despierta",
            "no sale",
            "no le salen",
            "no siento",
            "no veo",
            "no oigo",
            "no toma",
            "no ha orinado",
            "no moja",
            "no tolero",
            "no retiene",
            "no me ha bajado",
            "no me ha venido",
            "no quiero vivir",
            "no reacciona",
        ),
    },
}

_TERMINATORS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "but",
            "however",
            "although",
            "though",
            "except",
            "apart",
            "aside",
            "yet",
            "still",
            "whereas",
            "which",
            "who",
            "reports",
            "reported",
            "endorses",
            "endorsing",
            "complains",
            "complaining",
            "presents",
            "presented",
            "has",
            "had",
            "admits",
            "notes",
            "noted",
            "describes",
            "states",
            "says",
            "said",
            "feels",
            "now",
            "today",
            "developed",
            "develops",
            "presenting",
            "started",
            "began",
        ]
    ),
    "es": frozenset(
        [
            "pero",
            "aunque",
            "excepto",
            "salvo",
            "sin_embargo",
            "tiene",
            "presenta",
            "refiere",
            "ahora",
            "hoy",
        ]
    ),
}
# Words that do not count as "unrelated" gap inside a list scope.
_LIST_WORDS = frozenset(
    ["and", "or", "nor", "any", "other", "of", "a", "an", "the", "or", "ni", "o", "y", "e", "de"]
)
_POST_NEGATION = {
    "en": (
        "denied",
        "absent",
        "negative",
        "not present",
        "ruled out",
        "none",
        "nope",
        "no",
        "is absent",
        "was absent",
        "were absent",
        "not noted",
        "not reported",
    ),
    "es": ("negativo", "negativa", "ausente", "no"),
}
_MAX_GAP_WORDS = 3
# "my seizures are well controlled": a condition, not a current symptom
_POST_HISTORICAL = tuple(
    tuple(p.split())
    for p in (
        "well controlled",
        "under control",
        "in remission",
        "bien controlada",
        "bien controlado",
    )
)


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
    match_starts = {start: idx for idx, (start, _end) in enumerate(matches)}
    inside_match = [False] * len(words)
    for start, end in matches:
        for k in range(start, end):
            inside_match[k] = True
    # A trigger word that is part of a concept phrase ("not breathing") is not a trigger.
    triggers = [
        t for t in find_triggers(words, language) if t.kind != PSEUDO and not inside_match[t.start]
    ]

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
                idx = match_starts[pos]
                covered[idx].add(trig.kind)
                gap = 0
                pos = matches[idx][1]
                continue
            word = words[pos]
            if tokens[pos].kind == "punct" and tokens[pos].text == ",":
                # a comma continues the scope only into a list of concepts ("fever, chills, or ...")
                nxt = pos + 1
                while nxt < len(words) and words[nxt] in _LIST_WORDS:
                    nxt += 1
                if nxt not in match_starts:
                    break
            if not inside_match[pos]:
                if word in terminators and pos > trig.end:
                    break
                if word and word not in _LIST_WORDS:
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
