"""Age, sex and pregnancy from first-person ("I'm 34", "my 2-year-old son") and clinical
third-person prose ("a 45-year-old man", "28 y/o F", "a 3-month-old infant", "G2P1 at 30 weeks").
"""

from __future__ import annotations

import re

from media_host.intake_agent.extraction.numbers import NUMBER_ALTERNATION, parse_number
from media_host.intake_agent.models import Demographics

_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-]\w+"
_N = rf"(?P<n>\d{{1,3}}(?:[.,]\d)?|{NUMBER_ALTERNATION}|{_TENS})"
_UNIT = (
    r"(?P<unit>years?|yrs?|y|months?|mos?|mths?|weeks?|wks?|days?|anos?|meses|mes|semanas?|dias?)"
)
_AGE_PATTERNS = [
    # "45-year-old", "3 month old", "45 yo", "45 y/o", "45 y.o.", "45yo"
    re.compile(rf"\b{_N}[\s-]*{_UNIT}[\s-]*(?:old|o)\b"),
    re.compile(
        r"\b(?P<n>\d{1,3})\s*(?:yo|y/o|y\.o\.?|y\s+o|yr\s+old|yrs\s+old|years\s+of\s+age|year\s+old)\b(?P<unit>)"
    ),
    re.compile(rf"\b(?:aged?|age|edad(?:\s+de)?)\s*:?\s*(?P<n>\d{{1,3}})(?:\s*{_UNIT})?\b"),
    re.compile(
        rf"\b(?:i'?m|i\s+am|he\s+is|she\s+is|he'?s|she'?s|(?:who|baby|son|daughter|child|kid|boy|girl|toddler|nan|nana|nanna|gran|granny|grandma|grandmother|grandad|granddad|grandpa|grandfather|mum|mom|mother|dad|father|husband|wife|partner|brother|sister)\s+is|tengo|tiene)\s+(?:only\s+|just\s+)?(?P<n>\d{{1,3}})(?:\s+{_UNIT})?(?:\s+old)?\b(?!\s*(?:/|out\s+of|%|percent|pregnant|embarazada|de\s+embarazo|degrees|weeks?\s+pregnant|times|kg|lbs?|pounds|minutes|hours|days\s+(?:ago|late)))"
    ),
    re.compile(
        rf"\b(?:bebe|nino|nina|hijo|hija|hombre|mujer|paciente|senor|senora)\s+de\s+{_N}\s+{_UNIT}\b"
    ),
    # Paediatric note shorthand, an age in months, weeks or days over the units per larger unit:
    # "8/12 F" (8 months), "3/52 old" (3 weeks), "5/7 M" (5 days). Before "28M", which would
    # take "12 F" from "8/12 F". A bare "2/52" is a duration (temporality), not an age.
    re.compile(r"\b(?P<n>\d{1,2})\s*/\s*(?P<unit>12|52|7)\s*(?:old\b|o\b|(?P<sexchar>[mf])\b)"),
    # "28M", "45 F", "28 y/o F" handled above; "M45"/"F 28" clinical shorthand
    re.compile(r"\b(?P<n>\d{1,3})\s?(?P<sexchar>[mf])\b(?P<unit>)"),
]
_AGE_WORDS = [
    (re.compile(r"\b(?:newborn|neonate|neonatal|recien\s+nacido)\b"), 0.02),
    (re.compile(r"\b(?:infant|baby|bebe|lactante)\b"), 0.5),
    (re.compile(r"\b(?:toddler)\b"), 2.0),
    (re.compile(r"\b(?:teenager|teenage|adolescent|adolescente)\b"), 15.0),
    (re.compile(r"\b(?:elderly|anciano|anciana)\b"), 80.0),
]
# "I had my baby five days ago", "breastfeeding her baby": the baby is not the patient
_OWN_BABY = re.compile(
    r"\b(?:had|have|delivered|birth\s+to|having|expecting|breastfeeding|breast\s+feeding|nursing|"
    r"feeding|tuve\s+a|dar\s+a\s+luz\s+a|amamantando\s+a)\s+(?:my|a|the|our|her|mi|el|la|un|una)?\s*"
    r"(?:[\w-]+\s+)?$"
)
_FEMALE = re.compile(
    r"\b(?:woman|women|female|lady|girl|daughter|wife|she|her|herself|sister|"
    r"granddaughter|mujer|senora|nina|hija|esposa|ella)\b"
)
_MALE = re.compile(
    r"\b(?:man|men|male|gentleman|guy|boy|son|husband|he|him|his|himself|brother|"
    r"grandson|hombre|senor|nino|hijo|esposo|el\s+paciente)\b"
)
# "wife notes pauses in breathing", "her husband says": the spouse who tells, not the patient
_OBSERVER_AFTER = re.compile(
    r"\s+(?:notes|noted|noticed|notices|says|said|reports|reported|thinks|witnessed|saw|"
    r"describes|described|states|stated|has\s+noticed|dice|nota)\b"
)
_SPOUSE = frozenset({"wife", "husband", "esposa", "esposo"})


def _first_about_patient(pattern: re.Pattern[str], norm: str) -> re.Match[str] | None:
    """The first word of ``pattern`` that describes the patient (not a spouse telling)."""
    for m in pattern.finditer(norm):
        if m.group(0) in _SPOUSE and _OBSERVER_AFTER.match(norm, m.end()):
            continue
        return m
    return None


_FIRST_PERSON_SEX = [
    (
        re.compile(
            r"\bi'?m\s+(?:a\s+)?(?:\d+\s*(?:year[\s-]old\s+|yo\s+)?)?(?:woman|female|girl|lady)\b|\bsoy\s+mujer\b"
        ),
        "female",
    ),
    (
        re.compile(
            r"\bi'?m\s+(?:a\s+)?(?:\d+\s*(?:year[\s-]old\s+|yo\s+)?)?(?:man|male|guy|boy)\b|\bsoy\s+hombre\b"
        ),
        "male",
    ),
]
_PREGNANT = re.compile(
    r"\b(?:pregnant|pregnancy|gravid|g\d+\s*p\d+|primigravida|multigravida|gestation(?:al)?|antenatal|"
    r"expecting\s+a\s+baby|embarazada|embarazo|gestante|"
    # "estoy de 28 semanas": how Spanish says how far on a pregnancy is
    r"(?:estoy|esta|estaba)\s+de\s+\d{1,2}\s+semanas)\b"
)
_PREGNANT_NEGATED = re.compile(
    r"\b(?:not|no|isnt|arent|never|cant\s+be|could\s+not\s+be|couldnt\s+be|denies(?:\s+being)?|"
    r"no\s+estoy|no\s+esta|negative)\s+(?:\w+\s+){0,2}(?:pregnant|pregnancy|embarazada)\b|"
    r"\bpregnancy\s+test\s+(?:was\s+|is\s+)?negative\b|\bpossibility\s+of\s+pregnancy\b|"
    r"\b(?:might|may|could)\s+be\s+pregnant\b|\bpodria\s+estar\s+embarazada\b|"
    r"\bpostpartum\b|\bpregnancy\s+test\b"
)
# a negation earlier in the same sentence with no "but" after it
_LIST_NEGATION = re.compile(
    r"\b(?:denies|denied|no|not|negative\s+for|without|niega|sin)\b(?!.*\b(?:but|pero)\b)"
)


_NEW_CLAUSE = re.compile(r"\b(?:i'?m|i\s+am|she\s+is|she'?s|is|currently|weeks?|and\s+(?:i|she))\b")


def _negated_in_list(prefix: str) -> bool:
    """True when ``prefix`` ends inside a negated list ("denies fever, chills or ...")."""
    matches = list(_LIST_NEGATION.finditer(prefix))
    return bool(matches) and not _NEW_CLAUSE.search(prefix[matches[-1].end() :])


def _sentence_prefix(norm: str, pos: int) -> str:
    start = max(norm.rfind(".", 0, pos), norm.rfind(";", 0, pos), norm.rfind("\n", 0, pos)) + 1
    return norm[start:pos]


_PREGNANCY_WEEKS = re.compile(
    r"\b(?P<n>\d{1,2})\s*(?:\+\d)?\s*(?:weeks?|wks?|semanas?)\s*(?:pregnant|gestation|of\s+pregnancy|"
    r"gestational\s+age|ga|de\s+embarazo|embarazada)\b|\b(?:at|a\s+las)\s+(?P<n2>\d{1,2})\s*(?:weeks?|semanas)\b|"
    # obstetric shorthand: "36/40" is 36 weeks of a 40-week pregnancy
    r"\b(?P<n3>\d{1,2})\s*/\s*40\b"
)
_UNIT_YEARS = {
    "y": 1.0,
    "yr": 1.0,
    "year": 1.0,
    "ano": 1.0,
    "mo": 1 / 12,
    "mth": 1 / 12,
    "month": 1 / 12,
    "mes": 1 / 12,
    "mese": 1 / 12,
    "week": 1 / 52,
    "wk": 1 / 52,
    "semana": 1 / 52,
    "day": 1 / 365,
    "dia": 1 / 365,
}


_SLASH_UNITS = {"12": "month", "52": "week", "7": "day"}


def _age_from(match: re.Match[str]) -> float | None:
    number = parse_number(match.group("n"))
    if number is None:
        return None
    unit = match.groupdict().get("unit") or "year"
    unit = _SLASH_UNITS.get(unit, unit)
    if unit.startswith("mes"):  # Spanish "mes" / "meses"
        unit = "month"
    unit = unit.rstrip("s") or "year"
    factor = _UNIT_YEARS.get(unit, 1.0)
    age = number * factor
    return round(age, 3) if 0 <= age <= 130 else None


def extract_demographics(norm: str) -> Demographics:
    """Age, sex and pregnancy stated anywhere in ``norm`` (first statement wins)."""
    age: float | None = None
    sex: str | None = None
    for pattern in _AGE_PATTERNS:
        m = pattern.search(norm)
        if m is None:
            continue
        candidate = _age_from(m)
        if candidate is None:
            continue
        if m.groupdict().get("sexchar"):
            sex = "female" if m.group("sexchar") == "f" else "male"
        age = candidate
        break
    if age is None:
        for pattern, years in _AGE_WORDS:
            if any(not _OWN_BABY.search(norm[: m.start()]) for m in pattern.finditer(norm)):
                age = years
                break
    if sex is None:
        for pattern, label in _FIRST_PERSON_SEX:
            if pattern.search(norm):
                sex = label
                break
    if sex is None:
        female = _first_about_patient(_FEMALE, norm)
        male = _first_about_patient(_MALE, norm)
        if female and (not male or female.start() < male.start()):
            sex = "female"
        elif male:
            sex = "male"
    pregnant: bool | None = None
    weeks: int | None = None
    mention = _PREGNANT.search(norm)
    if mention:
        negated = _PREGNANT_NEGATED.search(norm)
        if negated is None and _negated_in_list(_sentence_prefix(norm, mention.start())):
            pregnant = False  # "denies fever, flank pain or pregnancy"
        elif negated is None:
            pregnant = True
        elif re.search(r"negative|not|no\s|isnt|never|denies|cant|couldnt", negated.group(0)):
            pregnant = False
    wm = _PREGNANCY_WEEKS.search(norm)
    if wm and pregnant is not False:
        value = int(wm.group("n") or wm.group("n2") or wm.group("n3"))
        # "a 34-year-old woman at 36 weeks": weeks of pregnancy when she is of childbearing age
        of_childbearing_age = sex == "female" and age is not None and 12 <= age <= 55
        stated = wm.group("n") or wm.group("n3") or pregnant or of_childbearing_age
        if 4 <= value <= 42 and stated:
            weeks = value
            pregnant = True
    if pregnant:
        sex = "female"
    return Demographics(
        age_years=age,
        sex=sex,  # type: ignore[arg-type]
        pregnant=pregnant,
        pregnancy_weeks=weeks,
    )


_BARE_AGE = re.compile(
    rf"^\s*(?:i'?m|i\s+am|he'?s|she'?s|he\s+is|she\s+is|tengo|tiene|about|around|just|only|\s)*{_N}"
    rf"(?:\s*{_UNIT})?(?:\s+old|\s+de\s+edad)?\s*[.!]?\s*$"
)


def parse_bare_age(norm: str) -> float | None:
    """A bare answer to "how old are you?": "34", "I'm 34", "two years", "tengo 40 años"."""
    m = _BARE_AGE.match(norm)
    if m:
        return _age_from(m)
    demo = extract_demographics(norm)
    return demo.age_years
