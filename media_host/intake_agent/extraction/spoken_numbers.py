"""Measurements written in words → digits, in place, for the vital-sign patterns.

Callers and speech recognisers write readings as words: "thirty-eight point two", "a hundred
and two", "ninety-two percent", "treinta y ocho y medio", and the thermometer's run-on
"thirty-seven nine". :func:`digitise` rewrites each such number as digits padded with spaces
to the phrase's own length, so every character offset stays valid for the spans the
extraction builds from the original text.

Only compound numbers are rewritten (a tens word, a hundred, a decimal): a bare "five" is a
count ("for five days"), never a reading, and stays a word.
"""

from __future__ import annotations

import re

from media_host.intake_agent.extraction.numbers import ES_TENS, NUMBER_WORDS, TENS


def _values(*words: str) -> dict[str, int]:
    return {word: int(NUMBER_WORDS[word]) for word in words}


_UNITS = _values(
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "uno", "una", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve",
)  # fmt: skip
_DIGITS = {**_UNITS, "zero": 0, "oh": 0, "cero": 0}
_TEENS = _values(
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
)  # fmt: skip
_TENS = _values(*TENS, "veinte", *ES_TENS)
# Spanish writes 21–29 as one word
_VEINTI = {f"veinti{word}": 20 + value for word, value in _UNITS.items() if word != "una"}

_UNIT = "|".join(_UNITS)
_DIGIT = "|".join(_DIGITS)
_TEN = "|".join(_TENS)
_NUMBER = re.compile(
    # "a hundred and two", "ciento veinte", and the "one twenty" of a blood pressure
    r"\b(?:(?P<hundred>(?:(?:a|one)\s+hundred|cien(?:to)?)(?:\s+and)?\s+|one\s+(?=" + _TEN + r"))?"
    r"(?:(?P<tens>" + _TEN + r")(?:(?:[\s-]+|\s+y\s+)(?P<unit>" + _UNIT + r"))?"
    r"|(?P<veinti>" + "|".join(_VEINTI) + r")"
    r"|(?P<teen>" + "|".join(_TEENS) + r")"
    r"|(?P<bare_hundred>(?:a|one)\s+hundred|cien)"
    r"|(?P<single>" + _UNIT + r")))"
    # a decimal: "point two", "coma cinco", "con dos", "y medio", "and a half"
    r"(?:\s+(?:point|coma|punto|con)\s+(?P<decimal>" + _DIGIT + r")"
    r"|\s+(?P<half>y\s+medio|and\s+a\s+half))?"
    # a thermometer read out digit by digit: "thirty-seven nine" is 37.9
    r"(?:\s+(?P<tenth>" + _UNIT + r")(?![\s-]*(?:" + _UNIT + r"|years?|months?|weeks?|days?|"
    r"hours?|minutes?|times|anos|meses|semanas|dias|horas|veces)\b))?"
    r"\b"
)


def _value(m: re.Match[str]) -> str | None:
    """The digits a compound number phrase stands for, or None for a plain count."""
    if m.group("bare_hundred"):
        return "100"
    hundred = 100 if m.group("hundred") else 0
    if m.group("tens"):
        whole = _TENS[m.group("tens")] + (_UNITS[m.group("unit")] if m.group("unit") else 0)
    elif m.group("veinti"):
        whole = _VEINTI[m.group("veinti")]
    elif m.group("teen"):
        whole = _TEENS[m.group("teen")]
    else:
        whole = _UNITS[m.group("single")]
    decimal = m.group("decimal")
    tenth = m.group("tenth")
    if tenth and not (m.group("tens") and 35 <= whole <= 42 and not decimal):
        return None  # "two three-year-olds": not a reading
    if not (hundred or m.group("tens") or m.group("veinti") or decimal or m.group("half")):
        return None  # a bare count ("five days", "twelve times")
    text = str(hundred + whole)
    if decimal:
        text += f".{_DIGITS[decimal]}"
    elif m.group("half"):
        text += ".5"
    elif tenth:
        text += f".{_UNITS[tenth]}"
    return text


def digitise(norm: str) -> tuple[str, list[tuple[int, int]]]:
    """``norm`` with spelled-out readings as digits (same length), and the rewritten ranges."""
    out = list(norm)
    ranges: list[tuple[int, int]] = []
    for m in _NUMBER.finditer(norm):
        digits = _value(m)
        if digits is None or len(digits) > m.end() - m.start():
            continue
        out[m.start() : m.end()] = digits.ljust(m.end() - m.start())
        ranges.append((m.start(), m.end()))
    return "".join(out), ranges


def widen(end: int, ranges: list[tuple[int, int]]) -> int:
    """A match ending inside a rewritten number covers the whole phrase."""
    for start, stop in ranges:
        if start < end < stop:
            return stop
    return end
