"""Vital signs in clinical prose: temperature, heart rate, blood pressure, SpO2, respiratory rate,
blood glucose and GCS → sign findings carrying the measured value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from media_host.intake_agent.extraction.spoken_numbers import digitise, widen

_TEMP = re.compile(
    r"\b(?:temp(?:erature)?s?|t|fever|febrile|temperaturas?|fiebre)\s*"
    r"(?:of|is|was|at|to|:|=|de|around|about|up\s+to|reaching|hitting|de\s+hasta|alrededor\s+de)?\s*"
    r"(?:of\s+|around\s+|about\s+)?"
    r"(?P<v>\d{2,3}(?:[.,]\d)?)\s*(?P<u>°\s*[cf]|degrees?\s*(?:c|f|celsius|fahrenheit)?|[cf]\b|grados)?|"
    r"\b(?P<v2>\d{2,3}(?:[.,]\d)?)\s*(?P<u2>°\s*[cf]?|degrees?\s*(?:c|f|celsius|fahrenheit)?|grados)"
)
_HR = re.compile(
    r"\b(?:hr|heart\s+rate|pulse(?:\s+rate)?|pulse\s+of|p|fc|frecuencia\s+cardiaca|pulso)\s*(?:of|is|was|at|:|=|de)?\s*"
    r"(?P<v>\d{2,3})\b(?:\s*(?:bpm|beats))?|\b(?P<v2>\d{2,3})\s*(?:bpm|beats\s+per\s+minute|lpm)\b"
)
# "BP 150/95", "my blood pressure at the pharmacy came out 150/95", "presión ... salió 150/95"
_BP = re.compile(
    r"\b(?:bp|blood\s+pressure|ta|presion(?:\s+arterial)?|tension(?:\s+arterial)?)\b[^.;\d]{0,50}?"
    r"(?P<s>\d{2,3})\s*(?:/|over)\s*(?P<d>\d{2,3})|"
    r"\b(?P<s2>\d{2,3})\s*/\s*(?P<d2>\d{2,3})\s*(?:mm\s*hg|mmhg)"
)
_SPO2 = re.compile(
    r"\b(?:spo2|sp\s*o2|sao2|o2\s+sat(?:uration)?s?|sats?|oxygen\s+sat(?:uration)?s?|oxygen(?:\s+level)?|"
    r"pulse\s+ox(?:imetry)?|saturation|saturating|sating|saturacion|saturando)\s*(?:of|is|was|at|:|=|de)?\s*(?P<v>\d{2,3})\s*%?"
)
_RR = re.compile(
    r"\b(?:rr|resp(?:iratory)?\s+rate|breathing\s+rate|respirations?|breaths?|fr|frecuencia\s+respiratoria)\s*(?:of|is|was|at|:|=|de)?\s*"
    r"(?P<v>\d{1,2})\b(?:\s*(?:/min|per\s+minute|breaths))?|\b(?P<v2>\d{1,2})\s*breaths\s+(?:per|a|/)\s*min"
)
_GLUCOSE = re.compile(
    r"\b(?:glucose|blood\s+sugar|sugar|bg|bm|cbg|glucemia|glucosa|azucar)\s*(?:level\s*)?"
    r"(?:of|is|was|at|:|=|de|reading|en|(?:esta|estaba)\s+(?:en|a))?\s*"
    r"(?P<v>\d{1,3}(?:[.,]\d)?)\s*(?P<u>mmol(?:/l)?|mg/dl|mg)?"
)
# A glucose meter shows "HI" above its range (about 33 mmol/L): "my sugar meter just says HI"
_GLUCOSE_HI = re.compile(
    r"\b(?:meter|glucometer|monitor|sugar|glucose|reading|bm|cgm|libre|dexcom|glucometro)\b"
    r"[^.;]{0,20}?\b(?:says|reads|shows|showing|said|read|is|just|marca|dice)\s+(?:just\s+)?[\"']?hi\b"
)
# "took her temperature in her bottom: 38.2", "la temperatura en el culito: 38,2": the thermometer
# word and a reading with a decimal later in the clause (a decimal, so "temperature for 3 days"
# or "temperature 2 days ago" is no reading)
_TEMP_LOOSE = re.compile(
    r"\b(?:temp(?:erature)?s?|temperaturas?|thermometer|termometro)\b[^.;\d]{0,50}?"
    r"(?P<v>\d{2}[.,]\d)\b(?!\s*(?:%|kg|lb|mg|mmol|cm|mm|weeks?|semanas))"
)
# "tiene 38,5 de fiebre", "39 de temperatura": Spanish puts the reading before the word
_TEMP_BEFORE = re.compile(
    r"\b(?P<v>\d{2}(?:[.,]\d)?)\s*(?:°\s*c?|grados)?\s+de\s+(?:fiebre|temperatura)\b"
)
# "PEF 65% of best", "peak flow is 200, her best is 400", "el pico de flujo está al 65 %"
_PEF = re.compile(
    r"\b(?:pef(?:r)?|peak\s+(?:expiratory\s+)?flow|flujo\s+espiratorio\s+maximo|pico\s+de\s+flujo)\s*"
    r"(?:is|was|of|at|:|=|de|down\s+to|(?:esta|estaba)\s+(?:al|en)|al|en)?\s*"
    r"(?:(?P<pct>\d{1,3})\s*%|(?P<v>\d{2,3})(?:\s*(?:l/min|litres|liters))?[^.;]{0,30}?\b(?:best|usual|normal|predicted)"
    r"(?:\s+(?:is|of|was))?\s*(?P<best>\d{2,3}))"
)
# "my heart's going really fast, like 120", "pulse on my watch says 130"
_HR_LOOSE = re.compile(
    r"\b(?:heart(?:'s|\s+is|\s+was|\s+has\s+been)?|pulse|heart\s+rate)\b[^.;\d]{0,40}?\b(?P<v>\d{2,3})\b"
    r"(?!\s*(?:%|years?|months?|weeks?|days?|hours?|minutes?|kg|lb|mg|/\d))"
)
_GCS = re.compile(
    r"\b(?:gcs|glasgow\s+coma\s+scale|glasgow)\s*(?:of|is|was|:|=|de)?\s*(?P<v>\d{1,2})\b"
)


@dataclass(frozen=True, slots=True)
class VitalReading:
    start: int
    end: int
    concept_id: str  # e.g. "fever", "tachycardia"
    value: float
    abnormal: bool  # False → the concept is stated absent (normal reading)


def _f(text: str) -> float:
    return float(text.replace(",", "."))


def _overlaps(m: re.Match[str], spans: list[tuple[int, int]]) -> bool:
    """Does a loose reading overlap one a strict pattern already made?"""
    return any(a < m.end() and m.start() < b for a, b in spans)


def find_vitals(norm: str) -> list[VitalReading]:
    """All vital-sign readings in ``norm``, each mapped to its sign concept.

    Readings written in words ("thirty-eight point two") are read as their digits; a reading's
    span then covers the whole phrase.
    """
    digits, rewritten = digitise(norm)
    readings = _find_vitals(digits)
    if not rewritten:
        return readings
    return [replace(r, end=widen(r.end, rewritten)) for r in readings]


def _find_vitals(norm: str) -> list[VitalReading]:
    out: list[VitalReading] = []
    for m in _TEMP.finditer(norm):
        raw = m.group("v") or m.group("v2")
        unit = (m.group("u") or m.group("u2") or "").replace(" ", "")
        value = _f(raw)
        if "f" in unit or (not unit and 93 <= value <= 110):
            value = round((value - 32) * 5 / 9, 1)
        if not 30 <= value <= 44:
            continue
        out.append(VitalReading(m.start(), m.end(), "fever", value, value >= 38.0))
    temp_spans = [(r.start, r.end) for r in out]
    for m in [*_TEMP_LOOSE.finditer(norm), *_TEMP_BEFORE.finditer(norm)]:
        value = _f(m.group("v"))
        if 34 <= value <= 43 and not _overlaps(m, temp_spans):
            out.append(VitalReading(m.start(), m.end(), "fever", value, value >= 38.0))
    for m in _HR.finditer(norm):
        value = _f(m.group("v") or m.group("v2"))
        if not 20 <= value <= 260:
            continue
        if value > 100:
            out.append(VitalReading(m.start(), m.end(), "tachycardia", value, True))
        elif value < 50:
            out.append(VitalReading(m.start(), m.end(), "bradycardia", value, True))
        else:
            out.append(VitalReading(m.start(), m.end(), "tachycardia", value, False))
    hr_spans = [(r.start, r.end) for r in out if r.concept_id in ("tachycardia", "bradycardia")]
    for m in _HR_LOOSE.finditer(norm):
        if _overlaps(m, hr_spans):
            continue
        value = _f(m.group("v"))
        if 30 <= value <= 250:
            concept = "bradycardia" if value < 50 else "tachycardia"
            out.append(VitalReading(m.start(), m.end(), concept, value, value > 100 or value < 50))
    for m in _PEF.finditer(norm):
        if m.group("pct"):
            pct = _f(m.group("pct"))
        else:
            best = _f(m.group("best"))
            pct = round(100 * _f(m.group("v")) / best) if best else 0
        if 5 <= pct <= 130:
            out.append(VitalReading(m.start(), m.end(), "reduced_peak_flow", pct, pct < 75))
    for m in _BP.finditer(norm):
        systolic = _f(m.group("s") or m.group("s2"))
        diastolic = _f(m.group("d") or m.group("d2"))
        if not (40 <= systolic <= 300 and 20 <= diastolic <= 200):
            continue
        out.append(VitalReading(m.start(), m.end(), "hypotension", systolic, systolic < 90))
        if systolic >= 140 or diastolic >= 90:  # raised; the rules grade 160 / 180 systolic
            out.append(VitalReading(m.start(), m.end(), "hypertension_reading", systolic, True))
    for m in _SPO2.finditer(norm):
        value = _f(m.group("v"))
        if not 50 <= value <= 100:
            continue
        out.append(VitalReading(m.start(), m.end(), "hypoxia", value, value < 94))
    for m in _RR.finditer(norm):
        value = _f(m.group("v") or m.group("v2"))
        if not 4 <= value <= 90:
            continue
        out.append(VitalReading(m.start(), m.end(), "tachypnea", value, value > 24))
    for m in _GLUCOSE.finditer(norm):
        value = _f(m.group("v"))
        unit = m.group("u") or ""
        mmol = value / 18.0 if ("mg" in unit or value > 35) else value
        if not 0.5 <= mmol <= 100:
            continue
        if mmol >= 15:
            out.append(VitalReading(m.start(), m.end(), "high_blood_sugar", round(mmol, 1), True))
        elif mmol < 4:
            out.append(VitalReading(m.start(), m.end(), "low_blood_sugar", round(mmol, 1), True))
    for m in _GLUCOSE_HI.finditer(norm):
        out.append(VitalReading(m.start(), m.end(), "high_blood_sugar", 33.3, True))
    for m in _GCS.finditer(norm):
        value = _f(m.group("v"))
        if 3 <= value <= 15 and value < 15:
            concept = "unresponsive" if value <= 8 else "confusion"
            out.append(VitalReading(m.start(), m.end(), concept, value, True))
    return out


# Upper limits of normal by age (years) for children; adults use the limits in find_vitals.
# Approximate APLS / NICE NG143 ranges.
_CHILD_HR_LIMITS = ((1.0, 160.0), (2.0, 150.0), (5.0, 140.0), (12.0, 120.0))
_CHILD_RR_LIMITS = ((1.0, 50.0), (2.0, 40.0), (5.0, 40.0), (12.0, 30.0))


def abnormal_for_age(concept_id: str, value: float, age_years: float | None) -> bool | None:
    """Re-grade a fast heart or breathing rate for a child's age; None when not applicable."""
    if age_years is None or age_years >= 12:
        return None
    limits = {"tachycardia": _CHILD_HR_LIMITS, "tachypnea": _CHILD_RR_LIMITS}.get(concept_id)
    if limits is None:
        return None
    for below_age, limit in limits:
        if age_years < below_age:
            return value > limit
    return None
