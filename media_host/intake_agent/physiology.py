"""Physiology sets a floor: measured vital signs scored the way acute services score them.

Adults (16 and over): the Royal College of Physicians' National Early Warning Score 2 (NEWS2,
2017). Missing parameters score 0, so an account that gives only some vitals gets a lower bound
of its score — a floor, never a reassurance. Response thresholds (RCP NEWS2 chart 2): aggregate
≥ 7 → emergency response; 5–6, or 3 in any single parameter → urgent response.

Children under 16: NEWS2 does not apply. Under 5 years the NICE NG143 traffic-light table for
fever in under 5s (2019, updated 2021) gives red (emergency) and amber (same-day face-to-face
assessment) features; from 5 to 15 the APLS normal ranges stand in for it (above the upper limit
of heart or breathing rate for age → amber).

Peak expiratory flow as a percentage of best or predicted: BTS/SIGN 158 (asthma, 2019) — 33–50 %
acute severe (emergency), 50–75 % moderate (same day), < 33 % life-threatening.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from media_host.intake_agent.models import Finding, Level

# concept id of the vital reading → parameter it measures (see extraction/vitals.py)
_PARAMETER = {
    "fever": "temperature",
    "tachycardia": "pulse",
    "bradycardia": "pulse",
    "hypotension": "systolic",
    "hypoxia": "spo2",
    "tachypnea": "respiration",
    "reduced_peak_flow": "peak_flow_percent",
}
_GCS_CONCEPTS = frozenset({"confusion", "unresponsive"})

NEWS2_SOURCE = "Royal College of Physicians NEWS2 (2017)"
NG143_SOURCE = "NICE NG143 (fever in under 5s: traffic-light table)"
APLS_SOURCE = "APLS normal vital signs by age (Advanced Paediatric Life Support, 6th ed.)"
RCUK_SOURCE = "Resuscitation Council UK, the ABCDE approach (2021)"
PEF_SOURCE = "BTS/SIGN 158 British guideline on the management of asthma (2019)"


@dataclass(frozen=True, slots=True)
class Vitals:
    """The measured values an account gave (None = not measured)."""

    temperature: float | None = None  # °C
    pulse: float | None = None  # beats per minute
    systolic: float | None = None  # mmHg
    spo2: float | None = None  # %
    respiration: float | None = None  # breaths per minute
    gcs: float | None = None
    peak_flow_percent: float | None = None  # % of best or predicted

    @classmethod
    def from_findings(cls, findings: Sequence[Finding]) -> Vitals:
        values: dict[str, float] = {}
        for f in findings:
            if f.value is None:
                continue
            parameter = _PARAMETER.get(f.concept_id)
            if parameter is None and f.concept_id in _GCS_CONCEPTS and 3 <= f.value <= 15:
                parameter = "gcs"
            if parameter is None:
                continue
            # the most abnormal of several readings of one parameter is what counts
            old = values.get(parameter)
            values[parameter] = f.value if old is None else _worse(parameter, old, f.value)
        return cls(**values)

    def any(self) -> bool:
        return any(getattr(self, name) is not None for name in self.__slots__)


def _worse(parameter: str, a: float, b: float) -> float:
    if parameter in ("spo2", "systolic", "gcs", "peak_flow_percent"):
        return min(a, b)
    if parameter == "temperature":
        return a if abs(a - 37.0) >= abs(b - 37.0) else b
    return max(a, b)


@dataclass(frozen=True, slots=True)
class PhysiologyFlag:
    """One floor the measured physiology sets, with the reason a clinician reads."""

    rule_id: str
    level: Level
    title: str
    rationale: str
    source: str
    evidence: tuple[str, ...]


# NEWS2 bands: (inclusive upper bound, score), scanned in order; past the last bound → last score.
_NEWS2_BANDS: dict[str, tuple[tuple[float, int], ...]] = {
    "respiration": ((8, 3), (11, 1), (20, 0), (24, 2), (float("inf"), 3)),
    "spo2": ((91, 3), (93, 2), (95, 1), (float("inf"), 0)),  # scale 1, on air
    "systolic": ((90, 3), (100, 2), (110, 1), (219, 0), (float("inf"), 3)),
    "pulse": ((40, 3), (50, 1), (90, 0), (110, 1), (130, 2), (float("inf"), 3)),
    "temperature": ((35.0, 3), (36.0, 1), (38.0, 0), (39.0, 1), (float("inf"), 2)),
}


def _band(value: float, bands: tuple[tuple[float, int], ...]) -> int:
    return next(score for upper, score in bands if value <= upper)


def news2_parts(v: Vitals) -> dict[str, int]:
    """NEWS2 sub-scores of the parameters that were measured."""
    parts: dict[str, int] = {}
    for parameter, bands in _NEWS2_BANDS.items():
        value = getattr(v, parameter)
        if value is not None:
            parts[parameter] = _band(value, bands)
    if v.gcs is not None and v.gcs < 15:
        parts["consciousness"] = 3  # anything but Alert scores 3
    return parts


def _news2_flags(v: Vitals) -> list[PhysiologyFlag]:
    parts = news2_parts(v)
    if not parts:
        return []
    if v.respiration is not None and v.respiration <= 8:
        # a breathing rate of 8 or less is respiratory depression: immediate help (ABCDE)
        return [
            PhysiologyFlag(
                "respiratory_depression",
                Level.EMERGENCY,
                f"Breathing rate {v.respiration:g}/min (respiratory depression)",
                f"A breathing rate of {v.respiration:g}/min (8 or less) is a life-threatening "
                "sign (opioid or sedative toxicity, exhaustion, raised intracranial pressure).",
                RCUK_SOURCE,
                ("news2_respiration",),
            )
        ]
    total = sum(parts.values())
    shown = ", ".join(f"{k} {n}" for k, n in parts.items() if n)
    evidence = tuple(f"news2_{k}" for k, n in parts.items() if n)
    if total >= 7:
        return [
            PhysiologyFlag(
                "news2_high",
                Level.EMERGENCY,
                f"Early warning score NEWS2 {total} (high)",
                f"NEWS2 aggregate {total} from the measured vital signs ({shown}); 7 or more "
                "calls for an emergency response.",
                NEWS2_SOURCE,
                evidence,
            )
        ]
    single = [k for k, n in parts.items() if n >= 3]
    if total >= 5 or single:
        why = f"aggregate {total}" if total >= 5 else f"a score of 3 in {single[0]}"
        return [
            PhysiologyFlag(
                "news2_medium",
                Level.URGENT,
                f"Early warning score NEWS2 {total} ({why})",
                f"NEWS2 {why} from the measured vital signs ({shown}) calls for an urgent "
                "clinical review.",
                NEWS2_SOURCE,
                evidence,
            )
        ]
    return []


# NICE NG143 amber heart-rate and breathing-rate limits by age (months → limit).
_NG143_HR = ((12.0, 160.0), (24.0, 150.0), (60.0, 140.0))
_NG143_RR_AMBER = ((12.0, 50.0), (60.0, 40.0))
# APLS upper limits of normal for 5–15 years (years → limit).
_APLS_HR = ((12.0, 120.0), (16.0, 100.0))
_APLS_RR = ((12.0, 25.0), (16.0, 20.0))


def _limit(table: tuple[tuple[float, float], ...], age: float) -> float | None:
    return next((limit for below, limit in table if age < below), None)


def _child_flags(v: Vitals, age_years: float) -> list[PhysiologyFlag]:
    months = age_years * 12
    red: list[str] = []
    amber: list[str] = []
    if age_years < 5:
        if v.respiration is not None and v.respiration > 60:
            red.append(f"breathing rate {v.respiration:g}/min (> 60)")
        elif v.respiration is not None:
            limit = _limit(_NG143_RR_AMBER, months)
            if limit is not None and v.respiration > limit:
                amber.append(f"breathing rate {v.respiration:g}/min (> {limit:g} for age)")
        if v.spo2 is not None and v.spo2 <= 95:
            amber.append(f"SpO2 {v.spo2:g}% (≤ 95%)")
        hr_limit = _limit(_NG143_HR, months)
        if v.pulse is not None and hr_limit is not None and v.pulse > hr_limit:
            amber.append(f"heart rate {v.pulse:g}/min (> {hr_limit:g} for age)")
        if v.temperature is not None:
            if months < 3 and v.temperature >= 38.0:
                red.append(f"temperature {v.temperature:g} °C under 3 months")
            elif months < 6 and v.temperature >= 39.0:
                amber.append(f"temperature {v.temperature:g} °C at 3–6 months")
        source = NG143_SOURCE
    else:
        hr_limit = _limit(_APLS_HR, age_years)
        rr_limit = _limit(_APLS_RR, age_years)
        if v.pulse is not None and hr_limit is not None and v.pulse > hr_limit + 20:
            amber.append(f"heart rate {v.pulse:g}/min (> {hr_limit:g} for age)")
        if v.respiration is not None and rr_limit is not None and v.respiration > rr_limit + 5:
            amber.append(f"breathing rate {v.respiration:g}/min (> {rr_limit:g} for age)")
        if v.spo2 is not None and v.spo2 <= 92:
            red.append(f"SpO2 {v.spo2:g}% (≤ 92%)")
        elif v.spo2 is not None and v.spo2 <= 95:
            amber.append(f"SpO2 {v.spo2:g}% (≤ 95%)")
        source = APLS_SOURCE
    if v.systolic is not None and v.systolic < 70 + 2 * min(age_years, 10):
        red.append(f"systolic {v.systolic:g} mmHg (below 70 + 2 × age)")
    if v.gcs is not None and v.gcs < 15:
        red.append(f"GCS {v.gcs:g}")
    if red:
        return [
            PhysiologyFlag(
                "child_physiology_red",
                Level.EMERGENCY,
                "Child's vital signs in the red range",
                "Measured vital signs with red features: " + "; ".join(red) + ".",
                source,
                ("vital_signs",),
            )
        ]
    if amber:
        return [
            PhysiologyFlag(
                "child_physiology_amber",
                Level.URGENT,
                "Child's vital signs in the amber range",
                "Measured vital signs with amber features: " + "; ".join(amber) + ".",
                source,
                ("vital_signs",),
            )
        ]
    return []


def _peak_flow_flags(v: Vitals) -> list[PhysiologyFlag]:
    pef = v.peak_flow_percent
    if pef is None or pef >= 75:
        return []
    level = Level.EMERGENCY if pef < 50 else Level.URGENT
    band = "acute severe or life-threatening" if pef < 50 else "moderate"
    return [
        PhysiologyFlag(
            "peak_flow_reduced",
            level,
            f"Peak flow {pef:g}% of best ({band} asthma)",
            f"Peak expiratory flow {pef:g}% of best or predicted: {band} exacerbation "
            "(BTS/SIGN: 50–75% moderate, 33–50% acute severe, < 33% life-threatening).",
            PEF_SOURCE,
            ("reduced_peak_flow",),
        )
    ]


def physiology_flags(findings: Sequence[Finding], age_years: float | None) -> list[PhysiologyFlag]:
    """Floors set by the measured vital signs in ``findings`` (any presence: a normal reading is
    recorded as the sign being absent, with its value)."""
    vitals = Vitals.from_findings(findings)
    if not vitals.any():
        return []
    flags = _peak_flow_flags(vitals)
    if age_years is not None and age_years < 16:
        flags += _child_flags(vitals, age_years)
    else:
        # unknown age is scored as an adult: NEWS2's thresholds are the more conservative ones
        # for most adult-range values, and the child tables need an age to apply
        flags += _news2_flags(vitals)
    return flags
