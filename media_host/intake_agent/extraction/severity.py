"""Severity ("7 out of 10", "severe", "worst headache of my life") and pain character
("crushing", "sharp", "tearing"), plus qualifiers such as thunderclap onset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from media_host.intake_agent.extraction.numbers import NUMBER_ALTERNATION, parse_number

_SCALE = re.compile(
    rf"\b(?P<n>10|\d(?:[.,]5)?|{NUMBER_ALTERNATION})\s*(?:/|out\s+of|outta|of|over|de)\s*(?:10|ten|diez)\b"
)
_SCORE = re.compile(
    r"\b(?:pain\s+score|severity|rated?|rates?\s+(?:it|the\s+pain)?\s*(?:as|at)?|score(?:d)?\s+(?:of|at)?|"
    r"level|nivel|un)\s*(?:of|at|is|as|a|an)?\s*(?P<n>10|\d)\b(?!\s*(?:years?|months?|weeks?|days?|hours?|%))"
)
_BARE_SCORE = re.compile(
    r"^\s*(?:about|around|maybe|like|probably|it'?s|its|a|an|um|uh|\s)*"
    r"(?P<n>10|\d|ten|nine|eight|seven|six|five|four|three|two|one|zero)\s*[.!]?\s*$"
)

_WORDS: list[tuple[re.Pattern[str], int]] = [
    (
        re.compile(
            r"\b(?:excruciating|agoni[sz]ing|the\s+worst\s+pain|unbearable|unbearably|intolerable|insoportable|"
            r"atroz|horrendous|ten\s+out\s+of\s+ten|off\s+the\s+charts|screaming\s+in\s+pain|writhing)\b"
        ),
        9,
    ),
    (
        re.compile(
            r"\b(?:severe(?:ly)?|terrible|horrible|horrific|really\s+bad|very\s+bad|extremely\s+painful|"
            r"very\s+painful|intense|crippling|debilitating|muy\s+fuerte|intenso|intensa|"
            r"severo|severa|tremendo|tremenda)\b"
        ),
        8,
    ),
    (
        re.compile(
            r"\b(?:hurts\s+a\s+lot|really\s+hurts|really\s+painful|so\s+painful|in\s+agony|very\s+sore|"
            r"really\s+sore|a\s+lot\s+of\s+pain|lots\s+of\s+pain|mucho\s+dolor|duele\s+mucho)\b"
        ),
        7,
    ),
    (
        re.compile(
            r"\b(?:bad|awful|strong|fuerte|significant|considerable|quite\s+painful|pretty\s+bad)\b"
        ),
        6,
    ),
    (re.compile(r"\b(?:moderate(?:ly)?|moderado|moderada|medium|uncomfortable)\b"), 5),
    (
        re.compile(
            r"\b(?:mild(?:ly)?|slight(?:ly)?|a\s+little|a\s+bit|a\s+tad|minor|not\s+too\s+bad|not\s+that\s+bad|"
            r"manageable|tolerable|niggling|leve|ligero|ligera|un\s+poco|low[\s-]grade)\b"
        ),
        3,
    ),
]

_WORST = re.compile(
    r"\b(?:worst\s+(?:\w+\s+){0,2}(?:of|in)\s+(?:(?:my|his|her|their)\s+)?life|worst\s+(?:\w+\s+){0,2}ever|"
    r"worst\s+(?:\w+\s+){0,2}(?:i|he|she)\s*(?:'?ve|have|has)\s+ever|never\s+had\s+(?:a\s+)?(?:\w+\s+)?like\s+this|"
    r"worst\s+headache|worst\s+pain|el\s+peor\s+dolor|peor\s+dolor\s+de\s+mi\s+vida|la\s+peor\s+de\s+mi\s+vida)"
)
_THUNDERCLAP = re.compile(
    r"\b(?:thunderclap|thunder\s+clap|like\s+(?:being\s+)?(?:hit|struck|kicked)\s+(?:on|in)?\s*(?:the\s+)?(?:back\s+of\s+the\s+)?"
    r"(?:head\s+)?(?:with|by)\s+(?:a\s+)?(?:bat|hammer|brick|baseball\s+bat)|like\s+a\s+(?:hammer|bomb|explosion|gunshot)|"
    r"(?:peak(?:ed|s)?|maxim(?:al|um))\s+(?:intensity\s+)?(?:with)?in\s+(?:seconds|a\s+minute|one\s+minute|60\s+seconds|a\s+few\s+seconds)|"
    r"maximal\s+at\s+onset|reached\s+(?:its\s+)?(?:peak|full\s+intensity)\s+(?:with)?in|exploded\s+in\s+(?:my|his|her)\s+head|"
    r"como\s+un\s+golpe|como\s+un\s+martillazo)"
)
_HIGH = re.compile(
    r"\b(?:high|very\s+high|spiking|raging|alta|muy\s+alta)\s+(?:fever|temperature|temp|fiebre)\b|"
    r"\bfiebre\s+(?:muy\s+)?alta\b"
)

# "a heavy bench-press session", "heavy lifting", "a heavy meal": the effort or the thing is
# heavy, not the pain
_HEAVY_NOT_PAIN = (
    r"(?:lifting|lift|lifts|bench|weights?|gym|session|workout|training|meal|meals|night|drinker|"
    r"drinking|smoker|smoking|periods?|bags?|boxes|box|shopping|load|furniture|suitcase|work|day)\b"
)

_CHARACTER: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:crushing|crushed|elephant|aplastante)\b"), "crushing"),
    (re.compile(r"\b(?:squeezing|vice[\s-]like|vise[\s-]like|clamp)\b"), "squeezing"),
    (
        re.compile(
            r"\b(?<!blood\s)(?<!arterial\s)(?:pressure(?:[\s-]like)?|heaviness|heavy(?!\s+"
            + _HEAVY_NOT_PAIN
            + r")|"
            r"weight\s+on|tightness|tight|opresivo|opresion)\b"
        ),
        "pressure",
    ),
    (re.compile(r"\b(?:tearing|ripping|torn|desgarrador|desgarro)\b"), "tearing"),
    (
        re.compile(
            r"\b(?:sharp|stabbing|knife[\s-]like|like\s+a\s+knife|punzante|pinchazo|pinchazos)\b"
        ),
        "sharp",
    ),
    (re.compile(r"\b(?:burning|burns|ardor|ardiente|quemante|quema)\b"), "burning"),
    (re.compile(r"\b(?:throbbing|pounding|pulsating|pulsing|pulsatil)\b"), "throbbing"),
    (re.compile(r"\b(?:dull|aching|achy|gnawing|sordo)\b"), "dull"),
    (
        re.compile(
            r"\b(?:colicky|colic|cramping|cramp[\s-]like|cramps?|crampy|colicos?|retortijon(?:es)?)\b"
        ),
        "cramping",
    ),
    (re.compile(r"\b(?:shooting|electric|shock[\s-]like|lancinating)\b"), "shooting"),
    (re.compile(r"\b(?:pleuritic)\b"), "pleuritic"),
]


# "a small rash", "a tiny cut": size, attached only to the finding right after it.
# The extent of a skin reaction in the caller's words: a whole limb, or from one joint to the
# next ("swollen from wrist to elbow", "up to the knee"), or ten centimetres and more. NHS
# insect bites and stings: a large area (about 10 cm or more) of redness and swelling → GP.
_EXTENSIVE = re.compile(
    r"\b(?:(?:whole|entire|all\s+of\s+(?:his|her|my|the))\s+(?:arm|forearm|leg|lower\s+leg|hand|foot|limb|calf|thigh)|"
    r"(?:up|down)?\s*to\s+(?:the\s+|his\s+|her\s+|my\s+)?(?:elbow|knee|wrist|ankle|shoulder|armpit|hip|groin)|"
    r"\d{2,3}\s*cm)\b"
)
_SMALL = re.compile(r"\b(?:small|tiny|little|minor|superficial|pequen[oa])\b")
# a stated size under 3 cm, or the size of a coin / pea / fingernail ("a 2 cm red area")
_SMALL_SIZE = re.compile(
    r"\b(?:[0-2](?:[.,]\d)?|one|two)\s*(?:cm|centimet(?:re|er)s?|mm|millimet(?:re|er)s?)\b|"
    # "~2x3 cm": both sides stated, neither over 3 cm
    r"\b[1-3]\s*x\s*[1-3]\s*cm\b|"
    r"\bsize\s+of\s+(?:a\s+|an\s+)?(?:small\s+|large\s+|big\s+|\d+p\s+)?"
    r"(?:coin|pea|penny|dime|fingernail|thumbnail|grape|grain\s+of\s+rice|moneda)\b|"
    r"\b(?:coin|pea|fingernail|thumbnail)[\s-]sized\b|\btamano\s+de\s+una\s+(?:moneda|uva|lenteja)\b"
)
# "loads of blood": a large-volume bleed (recorded as a qualifier).
_LARGE_VOLUME = re.compile(
    r"\b(?:loads\s+of|lots\s+of|large\s+amounts?\s+of|a\s+lot\s+of|a\s+cup(?:ful)?\s+of|massive|copious|"
    r"mucha)\s+(?:bright\s+red\s+)?(?:blood|sangre)\b|"
    r"\b(?:blood\s+clots|clots\s+of\s+blood|coughing\s+up\s+clots)\b|"
    r"\b(?:blood|sangre)\b[^.;\n]{0,25}?\b(?:quite\s+)?(?:a\s+lot|loads|lots|heaps)\b|"
    # soaking a pad, or one every hour or less (RCOG GTG 52: heavy blood loss)
    r"\bsoak\w*\s+(?:through\s+)?(?:(?:a|one|the|her|my)\s+)?(?:(?:maternity|sanitary|night)\s+)?"
    r"(?:pads?|towels?)\b|"
    r"\b(?:pad|towel)s?\s+every\s+(?:\d+|ten|fifteen|twenty|thirty|half\s+an|an)\s*(?:min\w*|hour)\b"
)
# Pain reproduced by pressing on the spot: a musculoskeletal feature (recorded as a qualifier).
_REPRODUCIBLE = re.compile(
    r"\b(?:(?:hurts|tender|sore|painful|pain)\s+(?:\w+\s+){0,2}(?:when|if|on)\s+(?:(?:i|you|he|she)\s+)?"
    r"(?:press|push|touch)|tender\s+to\s+(?:touch|palpation)|reproducible|reproduced\s+(?:on|by)\s+"
    r"palpation|chest\s+wall\s+tenderness|duele\s+al\s+(?:tocar|presionar)|"
    r"(?:pressing|pushing|press|push)\s+(?:on\s+)?(?:\w+\s+){0,2}(?:reproduces|brings\s+(?:it\s+)?on|recreates)|"
    # "reproduced exactly by pressing on the pectoral muscle and by moving the arm"
    r"reproduced\s+(?:\w+\s+){0,2}by\s+(?:pressing|pressure|palpation|moving)|"
    # "it hurts when I poke it", "sharp on twisting + pressing ribs", "sore to press"
    r"(?:when|if)\s+(?:i|you|he|she|they)\s+(?:(?:twist|turn|move|bend)\s+or\s+)?"
    r"(?:poke|prod|press|push)\b|"
    r"(?:on|with|when)\s+(?:twisting\s+\W?\s*(?:and\s+)?)?pressing\s+(?:on\s+)?(?:the\s+|my\s+|his\s+|her\s+)?"
    r"(?:ribs?|chest|sternum|breastbone|spot|area)|"
    r"(?:sore|tender|painful)\s+to\s+(?:press|touch|poke))"
)


@dataclass(frozen=True, slots=True)
class SeverityMention:
    start: int
    end: int
    field: str  # "severity" | "character" | "qualifier"
    score: int | None = None
    text: str | None = None


# "not the worst headache ever", "it isn't severe": a negated intensity word says the opposite.
_NEGATED_BEFORE = re.compile(
    r"\b(?:not|no|never|isnt|isn't|wasnt|wasn't|nothing|nowhere\s+near|hardly|no\s+es|nunca)"
    r"(?:\s+(?:the|a|that|so|really|very|quite|as|el|la|tan|muy))*\s*$"
)


def _negated(norm: str, start: int) -> bool:
    return _NEGATED_BEFORE.search(norm[max(0, start - 30) : start]) is not None


def _clamp(value: float) -> int:
    return max(0, min(10, round(value)))


def find_severity_mentions(norm: str) -> list[SeverityMention]:
    """Numeric and verbal severities, pain characters and qualifiers in ``norm``."""
    found: list[SeverityMention] = []
    numeric_spans: list[tuple[int, int]] = []
    for pattern in (_SCALE, _SCORE):
        for m in pattern.finditer(norm):
            if any(s <= m.start() < e for s, e in numeric_spans):
                continue
            value = parse_number(m.group("n"))
            if value is None:
                continue
            found.append(SeverityMention(m.start(), m.end(), "severity", score=_clamp(value)))
            numeric_spans.append((m.start(), m.end()))
    for m in _WORST.finditer(norm):
        if _negated(norm, m.start()):
            continue
        found.append(SeverityMention(m.start(), m.end(), "qualifier", text="worst_ever"))
        found.append(SeverityMention(m.start(), m.end(), "severity", score=10))
    for m in _THUNDERCLAP.finditer(norm):
        if _negated(norm, m.start()):
            continue
        found.append(SeverityMention(m.start(), m.end(), "qualifier", text="thunderclap"))
    for m in _SMALL.finditer(norm):
        found.append(SeverityMention(m.start(), m.end(), "qualifier", text="small"))
    for m in _SMALL_SIZE.finditer(norm):
        found.append(SeverityMention(m.start(), m.end(), "qualifier", text="small_size"))
    for m in _EXTENSIVE.finditer(norm):
        found.append(SeverityMention(m.start(), m.end(), "qualifier", text="extensive"))
    for m in _LARGE_VOLUME.finditer(norm):
        found.append(SeverityMention(m.start(), m.end(), "qualifier", text="large_volume"))
    for m in _REPRODUCIBLE.finditer(norm):
        found.append(SeverityMention(m.start(), m.end(), "qualifier", text="reproducible"))
    for m in _HIGH.finditer(norm):
        found.append(SeverityMention(m.start(), m.end(), "qualifier", text="high"))
    if not numeric_spans:
        for pattern, score in _WORDS:
            for m in pattern.finditer(norm):
                if score >= 6 and _negated(norm, m.start()):
                    continue  # "not severe", "not really bad"
                found.append(SeverityMention(m.start(), m.end(), "severity", score=score))
    for pattern, label in _CHARACTER:
        for m in pattern.finditer(norm):
            found.append(SeverityMention(m.start(), m.end(), "character", text=label))
    found.sort(key=lambda s: s.start)
    return found


def parse_bare_severity(norm: str) -> int | None:
    """A bare answer to "how bad is it, 0 to 10?": "about a 7", "7/10", "severe"."""
    m = _BARE_SCORE.match(norm)
    if m:
        value = parse_number(m.group("n")) if not m.group("n").isdigit() else float(m.group("n"))
        if value is None and m.group("n") == "zero":
            value = 0.0
        if value is not None:
            return _clamp(value)
    for mention in find_severity_mentions(norm):
        if mention.field == "severity" and mention.score is not None:
            return mention.score
    return None
