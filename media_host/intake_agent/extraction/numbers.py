"""Number words (en/es) → numbers, for durations, ages and severities."""

from __future__ import annotations

NUMBER_WORDS: dict[str, float] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "half": 0.5,
    "couple": 2,
    "couple of": 2,
    "a couple of": 2,
    "few": 3,
    "a few": 3,
    "several": 4,
    "many": 5,
    "un": 1,
    "una": 1,
    "uno": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "once": 11,
    "doce": 12,
    "quince": 15,
    "veinte": 20,
    "treinta": 30,
    "cuarenta": 40,
    "cincuenta": 50,
    "sesenta": 60,
    "setenta": 70,
    "ochenta": 80,
    "noventa": 90,
    "varios": 4,
    "varias": 4,
    "unos": 3,
    "unas": 3,
    "par de": 2,
    "un par de": 2,
    "pocos": 3,
    "pocas": 3,
}

# Alternation for regexes: longest first so "a couple of" beats "a".
NUMBER_ALTERNATION = "|".join(
    sorted((k.replace(" ", r"\s+") for k in NUMBER_WORDS), key=len, reverse=True)
)
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# the Spanish tens that take "y" and a unit (21–29 are one word: "veintidós")
ES_TENS = ("treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta", "noventa")
# "setenta y dos": Spanish tens and units joined by "y" (for regexes)
SPANISH_COMPOUND = r"(?:" + "|".join(ES_TENS) + r")\s+y\s+\w+"


def parse_number(text: str) -> float | None:
    """Parse "3", "3.5", "three", "a couple of", "twenty-five" / "twenty five"; None if unknown."""
    cleaned = " ".join(text.replace("-", " ").split())
    if not cleaned:
        return None
    try:
        return float(cleaned.replace(",", "."))
    except ValueError:
        pass
    if cleaned in NUMBER_WORDS:
        return float(NUMBER_WORDS[cleaned])
    parts = cleaned.split()
    if len(parts) == 2 and parts[0] in TENS and parts[1] in NUMBER_WORDS:
        return float(NUMBER_WORDS[parts[0]] + NUMBER_WORDS[parts[1]])
    if len(parts) == 3 and parts[0] in ES_TENS and parts[1] == "y" and parts[2] in NUMBER_WORDS:
        return float(NUMBER_WORDS[parts[0]] + NUMBER_WORDS[parts[2]])
    return None
