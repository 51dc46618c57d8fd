"""Time expressions: durations ("for three days", "2 hours ago", "since yesterday"), onset
("sudden", "gradual") and timing ("comes and goes", "constant", "worse at night").

Everything works on the normalised text (lower case, accents stripped, same length as input).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from media_host.intake_agent.extraction.numbers import (
    NUMBER_ALTERNATION,
    SPANISH_COMPOUND,
    parse_number,
)

_UNIT_HOURS = {
    "second": 1 / 3600,
    "sec": 1 / 3600,
    "minute": 1 / 60,
    "min": 1 / 60,
    "hour": 1.0,
    "hr": 1.0,
    "h": 1.0,
    "day": 24.0,
    "d": 24.0,
    "night": 24.0,
    "week": 168.0,
    "wk": 168.0,
    "w": 168.0,  # notes: "x2w"
    "fortnight": 336.0,
    "month": 730.0,
    "mo": 730.0,
    "year": 8760.0,
    "yr": 8760.0,
    "y": 8760.0,
    "segundo": 1 / 3600,
    "minuto": 1 / 60,
    "hora": 1.0,
    "dia": 24.0,
    "noche": 24.0,
    "semana": 168.0,
    "mes": 730.0,
    "meses": 730.0,
    "ano": 8760.0,
}
_UNIT = (
    r"(?P<unit>seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|d|nights?|weeks?|wks?|fortnights?|"
    r"months?|mos?|years?|yrs?|y(?!/)|w(?!/)|segundos?|minutos?|horas?|dias?|noches?|semanas?|mes|meses|anos?)"
)
_NUM = (
    rf"(?P<num>\d+(?:[.,]\d+)?|{SPANISH_COMPOUND}|{NUMBER_ALTERNATION}|"
    r"(?:twenty|thirty|forty|fifty)[\s-]\w+)"
)
# note shorthand "x2d", "x1 month" glues the number to the "x"
_NUM_UNIT = re.compile(
    rf"(?:\b|(?<=\bx)){_NUM}[\s-]*(?:and\s+a\s+half\s+)?{_UNIT}\b(?P<tail>[\s-]*(?:old|of\s+age|(?:m|f|male|female|boy|girl)\b(?!\s*[/'])|of\s+pregnancy|of\s+gestation|gestational|pregnant|gestation|postpartum|post\s*partum|de\s+edad|de\s+embarazo|embarazada)\b)?"
)
# Tails that mean the number is not a symptom duration ("30 weeks pregnant", "3 months old").
_EVERY = re.compile(r"(?:every|each|cada|per|q|times\s+a|twice\s+a|once\s+a)\s*$")
_TIMES = re.compile(r"\b(?:once|twice|thrice|times|veces)\s*$")
_AGE_LEAD = re.compile(
    # "estoy de 28 semanas": Spanish for how far on a pregnancy is, not a symptom's duration
    r"\b(?:estoy\s+de|esta\s+de|estaba\s+de|"
    r"tengo|tiene|cumpli|cumple|aged?|i'?m|i\s+am|edad\s+de|edad|"
    # "30-year-old at 8 weeks with nausea": how far on a pregnancy is
    r"at|"
    # "volví al gimnasio después de un año": a gap in something else, not the symptom's time
    r"despues\s+de|"
    # "mi nino de 5 anos": a person "of N years" is an age
    r"(?:nino|nina|hijo|hija|bebe|nieto|nieta|paciente|hombre|mujer|senor|senora|esposo|esposa|"
    r"varon|chico|chica|joven|anciano|anciana|lactante|adolescente|"
    r"chamaco|chamaca|chavo|chava|nene|nena|guagua|pibe|piba|chiquito|chiquita|crio|cria|peque|"
    r"madre|padre|mama|papa|abuelo|abuela|suegra|suegro|tia|tio|marido|novio|novia|hermano|hermana|"
    r"primo|prima|amigo|amiga|vecino|vecina|pareja|companero|companera|sobrino|sobrina)\s*,?\s+de)\s*$"
)
_PAST_UNIT = re.compile(
    r"\b(?:the\s+)?(?:past|last|previous)\s+(?P<unit>week|month|year|fortnight|day|night)\b"
)
# "3/7", "2/52", "6/12": a duration — unless followed by a sex or "old", where it is the
# patient's age in note shorthand ("8/12 F", see demographics).
_SLASH_DURATION = re.compile(
    r"\b(?P<n>\d{1,2})\s*/\s*(?P<base>7|52|12)\b(?!\s*(?:/|\d|[mf]\b|old\b|o\b))"
)
# "eases within two to three minutes of stopping", "settles after 10 minutes", "each episode
# lasts a few minutes": the length of one episode (angina, a TIA), not how long the problem has
# been going on
_EPISODE_LEAD = re.compile(
    r"\b(?:eas(?:es|ed|ing)|settl(?:es|ed|ing)|goes|went|pass(?:es|ed)|resolv(?:es|ed)|"
    r"subsid(?:es|ed)|disappear(?:s|ed)|wears\s+off|wore\s+off|(?:each|every)\s+(?:one|episode|"
    r"attack|time)\s+lasts?|episodes?\s+lasts?|attacks?\s+lasts?)\s+(?:off\s+|away\s+)?"
    r"(?:within|after|in|over|for)\s+(?:about\s+|around\s+|roughly\s+)?(?:\w+\s+to\s+|\w+-)?$"
)
# what makes a bare "1y" / "2w" a duration rather than an age ("6y M")
_SHORT_UNIT_LEAD = re.compile(r"(?:\bx|\b(?:over|for|past|last|since|approx|about)\s*~?\s*|~\s*)$")
_HALF_HOUR = re.compile(r"\b(?:half\s+an?\s+hour|media\s+hora)\b")

# Named points in time → hours since then (approximate, for "since"/"started" phrases).
_ANCHORS: list[tuple[re.Pattern[str], float]] = [
    (
        re.compile(
            r"\b(?:just\s+now|a\s+(?:few|couple\s+of)\s+minutes?\s+ago|moments?\s+ago|hace\s+un\s+momento|hace\s+unos\s+minutos)\b"
        ),
        0.1,
    ),
    (
        re.compile(r"\b(?:an?\s+hour\s+ago|(?:the\s+)?(?:past|last)\s+hour|hace\s+una\s+hora)\b"),
        1.0,
    ),
    (re.compile(r"\b(?:this\s+afternoon|this\s+evening|tonight|esta\s+tarde|esta\s+noche)\b"), 3.0),
    (re.compile(r"\b(?:this\s+morning|today|earlier\s+today|esta\s+manana|hoy)\b"), 6.0),
    (
        re.compile(
            r"\b(?:overnight|during\s+the\s+night|in\s+the\s+night|woke\s+(?:me\s+)?up\s+with|durante\s+la\s+noche)\b"
        ),
        8.0,
    ),
    (re.compile(r"\b(?:last\s+night|anoche)\b"), 12.0),
    (re.compile(r"\b(?:yesterday|yest|yday|ayer)\b"), 24.0),  # "yest", "yday": notes
    (re.compile(r"\b(?:day\s+before\s+yesterday|antes\s+de\s+ayer|anteayer)\b"), 48.0),
    (
        re.compile(
            r"\b(?:the\s+weekend|last\s+weekend|this\s+week|el\s+fin\s+de\s+semana|esta\s+semana)\b"
        ),
        72.0,
    ),
    (
        re.compile(
            r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|lunes|martes|miercoles|jueves|viernes|sabado|domingo)\b"
        ),
        72.0,
    ),
    (re.compile(r"\b(?:last\s+week|la\s+semana\s+pasada)\b"), 168.0),
    (re.compile(r"\b(?:last\s+month|el\s+mes\s+pasado)\b"), 730.0),
    (
        re.compile(r"\b(?:last\s+year|el\s+ano\s+pasado|(?:en|durante)\s+el\s+ultimo\s+ano)\b"),
        8760.0,
    ),
    (re.compile(r"\b(?:en|durante)\s+(?:los\s+)?ultimos\s+meses\b"), 2190.0),
    (re.compile(r"\b(?:en|durante)\s+(?:las\s+)?ultimas\s+semanas\b"), 504.0),
    (
        re.compile(
            r"\bfor\s+(?:the\s+(?:past|last)\s+)?(?:few\s+|several\s+)?days\b|\b(?:por|desde\s+hace)\s+dias\b"
        ),
        72.0,
    ),
    (
        re.compile(
            r"\bfor\s+(?:the\s+(?:past|last)\s+)?(?:few\s+|several\s+)?weeks\b|\b(?:por|desde\s+hace)\s+semanas\b"
        ),
        504.0,
    ),
    (
        re.compile(
            r"\bfor\s+(?:the\s+(?:past|last)\s+)?(?:few\s+|several\s+|many\s+)?months\b|\b(?:por|desde\s+hace)\s+meses\b|"
            # "chronic" of a symptom, not "no chronic illnesses" (a history statement)
            r"\bchronic(?:ally)?\b(?!\s+(?:illness|illnesses|conditions?|diseases?|medical|health|"
            r"problems?|issues))|\bcronico\b|\bcronica\b"
        ),
        2190.0,
    ),
    (
        re.compile(
            r"\bfor\s+(?:the\s+(?:past|last)\s+)?(?:few\s+|several\s+|many\s+)?years\b|\b(?:por|desde\s+hace)\s+anos\b|\blong[\s-]?standing\b"
        ),
        8760.0,
    ),
    (re.compile(r"\bfor\s+hours\b|\ball\s+day\b|\btodo\s+el\s+dia\b"), 10.0),
]

_ONSET: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"\b(?:sudden(?:ly)?|abrupt(?:ly)?|all\s+of\s+a\s+sudden|out\s+of\s+nowhere|out\s+of\s+the\s+blue|"
            r"came\s+on\s+(?:all\s+at\s+once|instantly|fast|quickly)|instantly|instantaneous|acute\s+onset|"
            r"within\s+(?:seconds|a\s+minute|one\s+minute|a\s+few\s+seconds)|de\s+repente|subito|subita|"
            r"repentino|repentina|de\s+golpe|hyperacute|like\s+a\s+switch)\b"
        ),
        "sudden",
    ),
    (
        re.compile(
            r"\b(?:gradual(?:ly)?|slowly|over\s+time|insidious(?:ly)?|poco\s+a\s+poco|progresivamente|"
            r"came\s+on\s+slowly|crept\s+up)\b"
        ),
        "gradual",
    ),
]

# A denial right before an onset word: "no sudden change", "wasn't sudden", "nothing abrupt".
_ONSET_DENIED = re.compile(
    r"\b(?:no|not|nothing|never|wasn'?t|isn'?t|without\s+(?:any\s+)?|denies(?:\s+any)?|sin|nada)\s+"
    r"(?:(?:very|so|that|particularly|really)\s+)?$"
)

_TIMING: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"\b(?:constant(?:ly)?|continuous(?:ly)?|all\s+the\s+time|non[\s-]?stop|"
            r"unrelenting|constante|continuo|todo\s+el\s+tiempo)\b"
        ),
        "constant",
    ),
    (
        re.compile(
            r"\b(?:comes\s+and\s+goes|coming\s+and\s+going|on\s+and\s+off|off\s+and\s+on|intermittent(?:ly)?|"
            r"episodic|episodes|in\s+waves|waves\s+of|viene\s+y\s+va|intermitente|a\s+ratos)\b"
        ),
        "intermittent",
    ),
    (
        re.compile(
            r"\b(?:getting\s+worse|worsening|progressively\s+worse|worse\s+and\s+worse|increasing(?:ly)?|"
            r"progressive|escalating|cada\s+vez\s+peor|empeorando)\b"
        ),
        "worsening",
    ),
    (
        re.compile(
            r"\b(?:not\s+(?:improving|getting\s+better|helping|going\s+away|settling)|no\s+better|"
            r"no\s+improvement|(?:didn'?t|hasn'?t|has\s+not|did\s+not)\s+(?:help|helped|improve)|"
            r"persist(?:s|ing|ent)|won'?t\s+go(?:\s+away|(?!\s+(?:to|out|in|into|near|back|on|up|down|anywhere|outside|with)\b))|no\s+mejora|"
            r"no\s+se\s+(?:me\s+|le\s+)?(?:quita|va|cura))\b"
        ),
        "persistent",
    ),
    (
        re.compile(r"\b(?<!not\s)(?:getting\s+better|improving|improved|easing|mejorando)\b"),
        "improving",
    ),
    (
        re.compile(
            r"\b(?:it\s+passed|has\s+passed|went\s+away|gone\s+now|resolved|settled|"
            # "the tummy ache's gone.", "the pain has gone completely" (not "it's gone red")
            r"(?:'s|\s+is|\s+has|\s+had)\s+(?:now\s+|all\s+)?gone(?=\s*(?:[.,;!]|$|now\b|"
            r"completely\b|away\b))|"
            r"back\s+to\s+normal|se\s+me\s+paso|ya\s+paso|"
            # "it stopped after I pinched it", "the bleeding has stopped", "ya paro"
            r"(?:it|bleeding|has|had|then)\s+stopped|stopped\s+(?:after|with|by|on\s+its\s+own)|ya\s+paro)\b"
        ),
        "resolved",
    ),
    (
        re.compile(
            r"\b(?:recurrent|recurring|keeps\s+coming\s+back|again|repeated|recurrente|"
            # "my usual migraine", but not a measure against the usual: "half his usual
            # milk", "more than usual", "her usual self"
            r"(?<!than\s)(?<!half\shis\s)(?<!half\sher\s)(?<!of\shis\s)(?<!of\sher\s)"
            r"(?<!of\smy\s)usual(?!\s+self)|"
            # "my typical migraine", "typical for her"; a note's "typical renal colic" names the
            # pattern of a disease, not one the patient has had before
            r"(?:my|her|his|their|your)\s+typical|typical\s+(?:for|of)\s+(?:me|her|him|them)|"
            r"as\s+always|every\s+month|like\s+(?:always|normal)|de\s+siempre|habitual|"
            r"como\s+siempre|como\s+cada\s+mes|todos\s+los\s+meses|"
            r"normal\s+for\s+me|as\s+usual|always\s+(?:get|have)\s+(?:this|that)|"
            # a familiar episode told by its count: "had loads of these before", "I get these
            # all the time", "had it many times before"
            r"(?:had|get|gets|getting)\s+(?:loads|lots|plenty|dozens|hundreds|a\s+lot|so\s+many|many)\s+"
            r"of\s+(?:these|them|those)|"
            r"(?:had|get|gets)\s+(?:these|this|it|them|those)\s+(?:many|loads\s+of|lots\s+of|so\s+many|"
            r"countless|plenty\s+of)\s+times|"
            r"(?:get|gets)\s+(?:these|them|those)\s+(?:all\s+the\s+time|often|regularly|a\s+lot|every\s+so\s+often))\b"
        ),
        "recurrent",
    ),
    (
        # "typical renal colic", "typical menstrual cramps": the pattern a clinician recognises,
        # described well enough to decide on, but not an episode the patient has had before
        re.compile(r"\b(?:typical|classic|tipic[oa]s?)\b"),
        "typical",
    ),
]

# Pain that wakes the patient or is worst at night: a red flag of serious spinal pathology
# (NICE NG234 spinal metastases: "nocturnal spinal pain preventing sleep")
_NOCTURNAL = re.compile(
    r"\b(?:wak(?:es|ing|e)\s+(?:me|him|her|them)(?:\s+up)?(?:\s+(?:at\s+night|from\s+sleep|in\s+the\s+night))?|"
    r"woken\s+(?:up\s+)?(?:at\s+night\s+)?by\s+(?:the\s+|it)|keeps?\s+(?:me|him|her|them)\s+awake|"
    r"worse\s+at\s+night|worst\s+at\s+night|(?:at|during\s+the)\s+night\s+(?:it|the\s+pain)\s+is\s+worse|"
    r"night\s+pain|nocturnal\s+pain|pain\s+at\s+night|me\s+despierta|peor\s+por\s+la\s+noche)\b"
)
_NEW = re.compile(
    r"\b(?:first\s+time|first\s+ever|never\s+had\s+(?:this|anything\s+like\s+this|one\s+like\s+this)|"
    r"new[\s-]onset|primera\s+vez|nunca\s+me\s+habia)\b"
)


@dataclass(frozen=True, slots=True)
class TimeMention:
    """One time expression: which Finding field it fills and with what."""

    start: int
    end: int
    field: str  # "duration_hours" | "onset" | "timing" | "qualifier"
    hours: float | None = None
    text: str | None = None
    anchor: bool = False  # a named point in time ("yesterday"), usable as the onset phrase


_RATE_LEAD = re.compile(
    r"(?:\d+|twice|once|cigarettes|cigs|fags|units|pints|drinks|glasses|tablets|pills|cups|"
    r"bottles|cans|puffs|joints|coffees)\s+$"
)


def find_time_mentions(norm: str) -> list[TimeMention]:
    """All durations, onsets and timings in ``norm``, ordered by position."""
    found: list[TimeMention] = []
    taken: list[tuple[int, int]] = []

    for m in _NUM_UNIT.finditer(norm):
        if m.group("tail") or _AGE_LEAD.search(norm[max(0, m.start() - 16) : m.start()]):
            continue  # an age or gestation, not a duration
        if _EPISODE_LEAD.search(norm[max(0, m.start() - 40) : m.start()]):
            continue  # "eases within three minutes": how long an episode lasts, not the illness
        lead = norm[max(0, m.start() - 12) : m.start()]
        if m.group("num") in ("a", "an") and _RATE_LEAD.search(lead):
            continue  # "smokes 20 a day", "2 pints a night": a habit's rate, not a duration
        if _EVERY.search(lead[-6:]) or (
            m.group("num") in ("a", "an", "one") and _TIMES.search(lead)
        ):
            found.append(TimeMention(m.start(), m.end(), "timing", text="periodic"))
            taken.append((m.start(), m.end()))
            continue
        number = parse_number(m.group("num"))
        unit = m.group("unit")
        if number is None:
            continue
        if unit in ("d", "h", "y", "w", "mo") and not m.group("num")[0].isdigit():
            continue  # "a d..." is not "1 day"
        if unit in ("y", "w") and not _SHORT_UNIT_LEAD.search(
            norm[max(0, m.start() - 12) : m.start()]
        ):
            continue  # "6y" is an age; "x1y", "over ~1y", "for 2w" are durations
        key = unit if unit in _UNIT_HOURS else unit.rstrip("s")
        if key not in _UNIT_HOURS:
            key = key.rstrip("e")  # "meses"
        hours = _UNIT_HOURS.get(key)
        if hours is None:
            continue
        if "and a half" in m.group(0):
            number += 0.5
        found.append(TimeMention(m.start(), m.end(), "duration_hours", hours=number * hours))
        taken.append((m.start(), m.end()))

    for m in _SLASH_DURATION.finditer(
        norm
    ):  # clinical shorthand: 3/7 days, 2/52 weeks, 6/12 months
        hours = {"7": 24.0, "52": 168.0, "12": 730.0}[m.group("base")] * float(m.group("n"))
        found.append(TimeMention(m.start(), m.end(), "duration_hours", hours=hours))
        taken.append((m.start(), m.end()))

    for m in _HALF_HOUR.finditer(norm):
        found.append(TimeMention(m.start(), m.end(), "duration_hours", hours=0.5))
        taken.append((m.start(), m.end()))

    for pattern, hours in _ANCHORS:
        for m in pattern.finditer(norm):
            if any(s <= m.start() < e for s, e in taken):
                continue
            found.append(
                TimeMention(m.start(), m.end(), "duration_hours", hours=hours, anchor=True)
            )
            taken.append((m.start(), m.end()))

    for m in _PAST_UNIT.finditer(norm):
        if any(s <= m.start() < e for s, e in taken):
            continue
        unit = m.group("unit")
        found.append(TimeMention(m.start(), m.end(), "duration_hours", hours=_UNIT_HOURS[unit]))
        taken.append((m.start(), m.end()))

    for pattern, label in _ONSET:
        for m in pattern.finditer(norm):
            if _ONSET_DENIED.search(norm[max(0, m.start() - 24) : m.start()]):
                continue  # "no sudden change", "not sudden": the onset is what it is not
            found.append(TimeMention(m.start(), m.end(), "onset", text=label))
    for pattern, label in _TIMING:
        for m in pattern.finditer(norm):
            found.append(TimeMention(m.start(), m.end(), "timing", text=label))
    for m in _NEW.finditer(norm):
        found.append(TimeMention(m.start(), m.end(), "qualifier", text="new"))
    for m in _NOCTURNAL.finditer(norm):
        found.append(TimeMention(m.start(), m.end(), "qualifier", text="nocturnal"))
    found.sort(key=lambda t: t.start)
    return found


def parse_duration(text: str) -> float | None:
    """Hours of a bare duration answer ("two days", "since yesterday"); None if none found."""
    for mention in find_time_mentions(text):
        if mention.field == "duration_hours" and mention.hours is not None:
            return mention.hours
    return None
