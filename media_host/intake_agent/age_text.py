"""Ages written as text ("18 months", "6-week-old", "3 semanas", "2 and a half") → years.

Used by ``triage eval`` so that case files may give ``age`` the way vignettes say it. English and
Spanish units; a number without a unit is years. Vague quantities ("a few weeks") are refused:
an evaluation case needs an age, not a guess.
"""

from __future__ import annotations

import re

from media_host.intake_agent.extraction.numbers import NUMBER_WORDS, parse_number

MAX_AGE_TEXT_CHARS = 100
MAX_AGE_YEARS = 130.0

_DAYS_PER_YEAR = 365.25
_YEARS_PER_UNIT: dict[str, float] = {
    "year": 1.0,
    "month": 1 / 12,
    "week": 7 / _DAYS_PER_YEAR,
    "day": 1 / _DAYS_PER_YEAR,
    "hour": 1 / (_DAYS_PER_YEAR * 24),
}
# Unit spellings (en, es, clinical shorthand) → canonical unit.
_UNIT_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("years", "year", "yrs", "yr", "y/o", "yo", "y", "años", "año", "anos"), "year"
    ),
    # No bare "m": "38M" in a note is a 38-year-old man, not 38 months.
    **dict.fromkeys(("months", "month", "mos", "mo", "meses", "mes"), "month"),
    **dict.fromkeys(("weeks", "week", "wks", "wk", "w", "semanas", "semana"), "week"),
    **dict.fromkeys(("days", "day", "d", "días", "día", "dias", "dia"), "day"),
    **dict.fromkeys(("hours", "hour", "hrs", "hr", "h", "horas", "hora"), "hour"),
}
# Exact number words only: "couple", "few", "several", "unos" … are not ages.
_VAGUE = {"couple", "couple of", "a couple of", "few", "a few", "several", "many", "half"}
_VAGUE |= {"varios", "varias", "unos", "unas", "par de", "un par de", "pocos", "pocas"}
_ARTICLES = {"a", "an", "un", "una", "uno"}
_WORDS = sorted((w for w in NUMBER_WORDS if w not in _VAGUE), key=len, reverse=True)
_WORD_NUMBER = "|".join(re.escape(w) for w in _WORDS)
_NUMBER = rf"\d+(?:[.,]\d+)?|(?:{_WORD_NUMBER})(?:[\s-](?:{_WORD_NUMBER}))?"
_UNIT = "|".join(re.escape(u) for u in sorted(_UNIT_WORDS, key=len, reverse=True))
_HALF = r"\s*(?:and\s+a\s+half|y\s+medio|y\s+media|½)"
_AGE = re.compile(
    rf"(?<![\w.,])(?P<num>{_NUMBER})(?P<decade>s\b)?(?P<half>{_HALF})?"
    rf"(?:\s*-?\s*(?P<unit>{_UNIT})(?![\w/])(?P<half_after>{_HALF})?)?",
    re.IGNORECASE,
)


class AgeTextError(ValueError):
    """The text does not say one age in a form we read."""


def parse_age_text(text: str) -> float:
    """Return the age in years that ``text`` states.

    A number with a unit wins over a bare number ("a 6-week-old" is six weeks, not one year);
    a bare number is years; a decade ("50s") is its middle year.

    Raises:
        AgeTextError: too long, no age found, or outside 0–130 years.
    """
    if len(text) > MAX_AGE_TEXT_CHARS:
        raise AgeTextError(f"longer than {MAX_AGE_TEXT_CHARS} characters")
    with_unit: list[float] = []
    bare: list[float] = []
    for match in _AGE.finditer(text):
        number_text = match["num"].lower()
        unit = match["unit"]
        if unit is None and number_text in _ARTICLES:
            continue  # "a baby", "una niña": an article, not a number
        number = parse_number(number_text)
        if number is None:
            continue
        if match["decade"]:
            number += 5  # "in her 50s": the middle of the decade
        if match["half"] or match["half_after"]:
            number += 0.5
        if unit is None:
            bare.append(number)
        else:
            with_unit.append(number * _YEARS_PER_UNIT[_UNIT_WORDS[unit.lower()]])
    if with_unit:
        years = with_unit[0]
    elif len(bare) == 1:
        years = bare[0]
    else:
        raise AgeTextError("no single age found" if not bare else "more than one bare number")
    if not 0 <= years <= MAX_AGE_YEARS:
        raise AgeTextError(f"age outside 0–{MAX_AGE_YEARS:g} years")
    return years
