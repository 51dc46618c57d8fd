"""Mechanical rewrites of a first-person patient account, for metamorphic testing.

The same clinical facts told another way must keep their disposition. Three rewrites, all
deterministic string rules (English only):

* ``third_person`` — "I have" → "She has", "my" → "her", "I'm 34" → "She is 34", with verb
  agreement for common verbs;
* ``caregiver`` — a relative calls: the first mention becomes "my husband" / "my mother" /
  "my son" (chosen from sex and age), later ones "he" / "his";
* ``note`` — clinical note style: pronouns and auxiliaries dropped ("I've been vomiting" →
  "Vomiting"), common abbreviations (SOB, CP, N/V, LOC, BP, h/o, y/o, "x2 days").

The rules are deliberately simple; they are a test instrument, not a paraphraser. They are not
used by the triage engine itself.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from media_host.intake_agent.extraction.numbers import parse_number

KINDS = ("third_person", "caregiver", "note")

_APOS = "['’]"
_ADVERBS = (
    "also|just|still|really|sometimes|often|always|never|now|usually|only|suddenly|even|"
    "actually|constantly|currently|already|recently"
)
# Present-tense verbs that take an -s in the third person. Modals and past forms need nothing.
_VERBS = [
    "feel",
    "have",
    "do",
    "go",
    "think",
    "need",
    "keep",
    "take",
    "want",
    "see",
    "hear",
    "know",
    "notice",
    "cough",
    "wake",
    "sleep",
    "use",
    "try",
    "hurt",
    "fall",
    "faint",
    "sweat",
    "vomit",
    "throw",
    "pee",
    "wee",
    "poo",
    "bleed",
    "breathe",
    "struggle",
    "find",
    "look",
    "seem",
    "lose",
    "forget",
    "say",
    "mean",
    "eat",
    "drink",
    "wheeze",
    "ache",
    "suffer",
    "worry",
    "get",
    "start",
    "become",
    "come",
    "stand",
    "walk",
    "move",
    "lie",
    "sit",
    "run",
    "play",
    "swallow",
    "talk",
    "live",
    "smoke",
    "work",
    "remember",
    "am",
    "don't",
    "dont",
    "haven't",
    "havent",
    "can't",
    "cant",
    "wonder",
    "reckon",
]
# After "and"/"but", a verb whose subject was dropped ("I have a cough and feel hot"): only
# words that are not also common nouns ("a fever and cough" must stay).
_VERB_ALTERNATION = "|".join(map(re.escape, _VERBS))
_ELIDED_VERBS = "feel|have|haven't|havent|don't|dont|keep|think|need|want|can't|cant|get|am"
_IRREGULAR = {
    "have": "has",
    "do": "does",
    "go": "goes",
    "am": "is",
    "don't": "doesn't",
    "dont": "doesnt",
    "haven't": "hasn't",
    "havent": "hasnt",
    "can't": "can't",
    "cant": "cant",
}
_FEMALE_CUES = re.compile(
    r"\b(pregnan\w*|period|periods|menstrua\w*|vagina\w*|breastfeed\w*|womb|ovar\w*|"
    r"miscarr\w*|husband|boyfriend|bra)\b",
    re.IGNORECASE,
)
_MALE_CUES = re.compile(r"\b(testic\w*|penis|prostate|scrotum|wife|girlfriend|beard)\b", re.I)


@dataclass(frozen=True)
class Person:
    """Words for the patient in the rewritten account."""

    subject: str  # she
    possessive: str  # her
    object: str  # her
    reflexive: str  # herself
    independent: str  # hers


SHE = Person("she", "her", "her", "herself", "hers")
HE = Person("he", "his", "him", "himself", "his")


def third_person_singular(verb: str) -> str:
    """ "feel" → "feels", "try" → "tries", "wash" → "washes", "have" → "has"."""
    lower = verb.lower()
    if lower in _IRREGULAR:
        return _IRREGULAR[lower]
    if re.search(r"(s|sh|ch|x|z|o)$", lower):
        return lower + "es"
    if re.search(r"[^aeiou]y$", lower):
        return lower[:-1] + "ies"
    return lower + "s"


def pick_person(text: str, sex: str | None, case_id: str) -> Person:
    """She or he: the case's sex when given, else cues in the text (pregnancy, testicle …),
    else a fixed choice from the id so that both pronouns are exercised."""
    if sex:
        return SHE if sex.strip().lower() in ("f", "female") else HE
    female, male = bool(_FEMALE_CUES.search(text)), bool(_MALE_CUES.search(text))
    if female != male:
        return SHE if female else HE
    return SHE if zlib.crc32(case_id.encode()) % 2 == 0 else HE


def _age_in_text(text: str) -> int | None:
    match = re.search(
        rf"\b(?:I{_APOS}m|im|I am)\s+(\d{{1,3}})\b|\b(\d{{1,3}})[- ]?(?:years?[- ]old|y/?o)\b",
        text,
        re.IGNORECASE,
    )
    return int(match.group(1) or match.group(2)) if match else None


def relative_for(person: Person, age: float | None) -> str:
    """Who calls: a parent for a child, an adult child for an older patient, else a spouse."""
    female = person is SHE
    if age is not None and age < 16:
        return "daughter" if female else "son"
    if age is not None and age >= 65:
        return "mother" if female else "father"
    return "wife" if female else "husband"


# One pass over the text, leftmost first, so "the first mention" is the first in reading order.
_FIRST_PERSON = re.compile(
    rf"(?P<be>\bI{_APOS}m\b|\bim\b|\bI\s+am\b)"
    rf"|(?P<have>\bI{_APOS}ve\b|\bive\b)"
    rf"|(?P<would>\bI{_APOS}d\b)"
    rf"|(?P<will>\bI{_APOS}ll\b)"
    rf"|(?P<verb_clause>\bI\s+(?P<adverb>(?:{_ADVERBS})\s+)?"
    rf"(?P<verb>{_VERB_ALTERNATION})\b)"
    rf"|(?P<subject>\bI\b(?!\.\w))"  # not the "i" of "i.e."
    rf"|(?P<possessive>\bmy\b)"
    rf"|(?P<reflexive>\bmyself\b)"
    rf"|(?P<independent>\bmine\b)"
    rf"|(?P<object>\bme\b)"
    rf"|(?P<elided>\b(?P<conj>and|but|then)\s+(?P<adverb2>(?:{_ADVERBS})\s+)?(?P<verb2>{_ELIDED_VERBS})\b)",
    re.IGNORECASE,
)


def _at_sentence_start(text: str, index: int) -> bool:
    before = text[:index].rstrip()
    return not before or before[-1] in ".!?\n"


def _capitalise_sentences(text: str) -> str:
    # Not after a one-letter abbreviation such as "i.e.".
    return re.sub(r"(^|(?<!\b\w)[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


class _Renderer:
    """Replaces first-person words; the first mention may be a noun phrase ("my husband")."""

    def __init__(self, person: Person, first_mention: str | None) -> None:
        self.person = person
        self.first_mention = first_mention

    def _name(self, role: str) -> str:
        if self.first_mention is not None and role != "reflexive":
            noun = self.first_mention
            self.first_mention = None
            return noun + "'s" if role in ("possessive", "independent") else noun
        return str(getattr(self.person, role))

    def __call__(self, match: re.Match[str]) -> str:
        kind = match.lastgroup
        if kind == "elided":
            adverb = match["adverb2"] or ""
            return f"{match['conj']} {adverb}{third_person_singular(match['verb2'])}"
        if kind in ("possessive", "reflexive", "independent", "object"):
            word = self._name(kind)
        else:
            subject = self._name("subject")
            rest = {
                "be": " is",
                "have": " has",
                "would": "'d",
                "will": "'ll",
                "subject": "",
            }.get(str(kind))
            if rest is None:  # verb_clause
                rest = f" {match['adverb'] or ''}{third_person_singular(match['verb'])}"
            word = subject + rest
        if _at_sentence_start(match.string, match.start()):
            word = word[0].upper() + word[1:]
        return word


def to_third_person(text: str, person: Person) -> str:
    """Rewrite a first-person account about the speaker into the third person."""
    return _FIRST_PERSON.sub(_Renderer(person, None), text)


def to_caregiver(text: str, person: Person, relation: str) -> str:
    """Rewrite a first-person account as told by a relative ("My husband has …, he …")."""
    return _FIRST_PERSON.sub(_Renderer(person, f"my {relation}"), text)


_NUMBER_WORD = (
    r"\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fourteen|twenty|thirty"
)
# Clinical shorthand, applied before the pronouns are dropped. Order matters: longer first.
_ABBREVIATIONS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (
        re.compile(
            r"\b(?:nausea|feeling sick|feel sick) (?:and|&) (?:vomiting|being sick)\b", re.I
        ),
        "N/V",
    ),
    (re.compile(r"\b(?:shortness|short) of breath\b", re.I), "SOB"),
    (re.compile(r"\bchest pains?\b", re.I), "CP"),
    (re.compile(r"\bloss of consciousness\b", re.I), "LOC"),
    (re.compile(r"\bblood pressure\b", re.I), "BP"),
    (re.compile(r"\bheart rate\b", re.I), "HR"),
    # "I've got a (high) temperature" means a fever; a note says "febrile", not "temp".
    (
        re.compile(
            rf"(?:\b(?:I{_APOS}ve|ive|I have|I)\s+)?\b(?:got|had|have|running) a (?:high )?"
            r"temperature\b",
            re.I,
        ),
        "febrile",
    ),
    (re.compile(r"\btemperature\b", re.I), "temp"),
    (re.compile(r"\b(?:a )?(?:past )?(?:medical )?history of\b", re.I), "h/o"),
    (
        re.compile(rf"\b(?:I{_APOS}m|im|I am) ({_NUMBER_WORD})(?: years? old)?\b", re.I),
        lambda m: f"{_digits(m.group(1))} y/o",
    ),
    (
        re.compile(rf"\b({_NUMBER_WORD})[- ]years?[- ]old\b", re.I),
        lambda m: f"{_digits(m.group(1))} y/o",
    ),
    (
        re.compile(
            rf"\bfor (?:the )?(?:(?:last|past) )?({_NUMBER_WORD}|an?) "
            r"(hours?|days?|weeks?|months?)\b",
            re.I,
        ),
        lambda m: f"x{_digits(m.group(1))} {m.group(2)}",
    ),
]
# Pronoun + auxiliary → nothing, or a denial → "no".
_NOTE_DROPS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # Only a denied possession is "no": "I don't think …" and "I haven't eaten" keep their verb.
    (
        re.compile(
            rf"\bI (?:do ?n{_APOS}?t|did ?n{_APOS}?t) have (?:any |a |an )?"
            rf"|\bI (?:have ?n{_APOS}?t|haven{_APOS}?t) (?:got|had) (?:any |a |an )?",
            re.I,
        ),
        "no ",
    ),
    (re.compile(r"\bI have no\b", re.I), "no"),
    (
        # "been" stays before "sick": "I've been sick" means vomited.
        re.compile(
            rf"\b(?:I{_APOS}ve|ive|I have) (?:been (?!sick)|had |got )?(?:(?:a|an|some) )?", re.I
        ),
        "",
    ),
    (re.compile(rf"\b(?:I{_APOS}m|im|I am) (?:having |getting |feeling )?", re.I), ""),
    (re.compile(r"\bI (?:got|get) (?:(?:a|an) )?", re.I), ""),
    (
        re.compile(rf"\bI (?P<adverb>(?:{_ADVERBS}) )?(?P<verb>{_VERB_ALTERNATION})\b", re.I),
        lambda m: (m["adverb"] or "") + third_person_singular(m["verb"]),
    ),
    (re.compile(rf"\bI{_APOS}(?:d|ll)\b", re.I), ""),
    (re.compile(r"\bI\b(?!\.\w)", re.I), ""),
    (re.compile(r"\bmy\b ?", re.I), ""),
    (re.compile(r"\bmyself\b", re.I), "self"),  # "wet self", "thoughts of hurting self"
    (re.compile(r"\bme\b", re.I), "pt"),
    (re.compile(r"\by/o and\b"), "y/o,"),
]


def _digits(word: str) -> str:
    value = parse_number(word.lower())  # "a" / "an" count as 1
    if value is None:
        return word
    return f"{value:g}"


def to_note_style(text: str) -> str:
    """Rewrite a first-person account as a terse clinical note."""
    for pattern, repl in _ABBREVIATIONS + _NOTE_DROPS:
        text = pattern.sub(repl, text)
    text = re.sub(r"\s{2,}", " ", text)
    text = re.sub(r"\s+([,.;!?])", r"\1", text)
    text = re.sub(r"[,;]\s*(?=[,;.])", "", text)  # a clause emptied by the drops
    text = re.sub(r"(^|[.!?])[\s,;]+", r"\1 ", text)
    return _capitalise_sentences(text.strip())


def rewrite(
    text: str,
    kind: str,
    *,
    sex: str | None = None,
    age: float | None = None,
    case_id: str = "",
) -> str:
    """Apply one rewrite kind (see :data:`KINDS`) to a first-person account."""
    person = pick_person(text, sex, case_id)
    if kind == "third_person":
        return to_third_person(text, person)
    if kind == "caregiver":
        known_age = age if age is not None else _age_in_text(text)
        return to_caregiver(text, person, relative_for(person, known_age))
    if kind == "note":
        return to_note_style(text)
    raise ValueError(f"unknown rewrite kind {kind!r}; expected one of {KINDS}")
