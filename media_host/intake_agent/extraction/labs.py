"""Laboratory values in clinical prose ("K 6.9", "Hb 68 g/L", "lactate 4.8", "troponin raised").

Each analyte has a reference range and, where UK laboratories phone a result out at once, a
critical limit. Sources: Royal College of Pathologists, *The communication of critical and
unexpected pathology results* (G196, 2017) for the phone-out limits; NICE NG51 (lactate ≥ 4 mmol/L
is a high-risk sepsis criterion); NICE NG151 (neutrophils < 0.5 × 10⁹/L with fever is neutropenic
sepsis); BSH/BNF warfarin guidance (INR ≥ 5: withhold warfarin that day; > 8: vitamin K); BNF /
NICE CG185 (lithium above 1.5 mmol/L: toxic, withheld and reviewed the same day); NICE
CG95 / ESC 2023 (a raised troponin with symptoms
is acute coronary syndrome until shown otherwise). Units are inferred from the value's range
where a note leaves them out (haemoglobin 7.2 is g/dL, 72 is g/L).

A value outside its reference range but inside the critical limits is reported as *abnormal*:
the engine does not grade it, but it is never reassurance (see ``disposition``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from media_host.intake_agent.models import Level

LAB_SOURCE = (
    "RCPath G196 critical results (2017); NICE NG51; NICE NG151; BSH/BNF warfarin; NICE CG95; "
    "BNF lithium"
)


@dataclass(frozen=True, slots=True)
class Analyte:
    name: str
    pattern: str  # how notes name it
    low: float | None  # reference range, in the canonical unit
    high: float | None
    critical_low: float | None = None
    critical_high: float | None = None
    critical_level: Level = Level.EMERGENCY
    scale_below: float | None = None  # values below this are in the other unit (× 10)


_ANALYTES = (
    Analyte("potassium", r"k\+?|potassium|potasio", 3.5, 5.3, 2.5, 6.5),
    Analyte("sodium", r"na\+?|sodium|sodio", 133.0, 146.0, 120.0, 160.0),
    Analyte(
        "haemoglobin",
        r"hb|hgb|ha?emoglobin|hemoglobina",
        115.0,
        180.0,
        70.0,
        None,
        Level.URGENT,
        scale_below=25.0,
    ),
    Analyte("platelets", r"plts?|platelets?|plaquetas", 150.0, 450.0, 20.0, 1000.0, Level.URGENT),
    Analyte(
        "white cells",
        r"wbc|wcc|white\s+(?:cell|blood\s+cell)\s+count|leucocitos",
        4.0,
        11.0,
        1.0,
        30.0,
        Level.URGENT,
    ),
    Analyte("neutrophils", r"neutrophils?|anc|neut|neutrofilos", 2.0, 7.5, 0.5, None, Level.URGENT),
    Analyte("lactate", r"lactate|lactato", 0.5, 2.0, None, 4.0),
    Analyte(
        "ketones", r"(?:blood\s+)?ketones|cetonas|beta[\s-]?hydroxybutyrate", 0.0, 0.6, None, 3.0
    ),
    Analyte("INR", r"inr", 0.8, 1.2, None, 5.0, Level.URGENT),
    Analyte("CRP", r"crp|c[\s-]reactive\s+protein|pcr", 0.0, 5.0, None, 300.0, Level.URGENT),
    Analyte("creatinine", r"creatinine|creat|creatinina", 45.0, 120.0, None, 500.0, Level.URGENT),
    Analyte("calcium", r"(?:adjusted\s+|corrected\s+)?calcium|ca2?\+|calcio", 2.2, 2.6, 1.8, 3.5),
    Analyte("bilirubin", r"bilirubin|bili|bilirrubina", 0.0, 21.0, None, None),
    Analyte("ALT", r"alt|alanine\s+aminotransferase", 0.0, 50.0, None, None),
    Analyte("d-dimer", r"d[\s-]?dimer", 0.0, 0.5, None, None),
    # BNF / NICE CG185: 0.4–1.0 mmol/L; above 1.5 toxic effects, withheld and reviewed that day
    Analyte("lithium", r"lithium|litio|li", 0.4, 1.0, None, 1.5, Level.URGENT),
)

_NUMBER = r"(?P<v>\d{1,4}(?:[.,]\d{1,2})?)"
_LINK = (
    r"\s*(?:(?:today|yesterday|this\s+morning|hoy|ayer)\s*)?"  # "INR today 6.2"
    # "las cetonas en 0,8", "el potasio está en 6,5": Spanish links a value with "en"
    r"(?:of|is|was|at|:|=|de|en|(?:esta|estan|estaba|estaban)\s+(?:en|a)|came\s+back(?:\s+at)?|"
    r"level(?:\s+of)?)?\s*"
)
_PATTERNS = [
    # "ketones 3+", "protein 2+": a dipstick grade, not a concentration
    (
        a,
        re.compile(
            rf"\b(?:{a.pattern})\b{_LINK}{_NUMBER}(?!\d|[.,]\d|\s*(?:\+|%|years?|y/?o|weeks?|days?))"
        ),
    )
    for a in _ANALYTES
]
# "on lithium for bipolar disorder, level this morning 1.6 mmol/L": the analyte named, then
# its level later in the clause
_LEVEL_LATER = [
    (
        a,
        re.compile(
            rf"\b(?:{a.pattern})\b[^.;\d]{{0,60}}?\blevels?\b[^.;\d]{{0,25}}?{_NUMBER}"
            r"(?!\d|[.,]\d|\s*(?:\+|%|years?|y/?o|weeks?|days?))"
        ),
    )
    for a in _ANALYTES
    if len(a.pattern) > 4  # named by a word ("lithium"), not only by a letter or two ("k", "inr")
]
# qualitative reports: "troponin raised", "positive troponin", "elevated lactate"
_RAISED = re.compile(
    r"\b(?:raised|elevated|high|positive|rising|up|increased|detectable|elevada|elevado|positiva|positivo)"
    r"\s+(?:hs[\s-]?)?(?P<a1>troponin|trop|tnt|tni|lactate|ketones|potassium|crp|d[\s-]?dimer|bnp|lipase|amylase|ck|inr|troponina)\b|"
    r"\b(?:hs[\s-]?)?(?P<a2>troponin|trop|tnt|tni|lactate|ketones|potassium|crp|d[\s-]?dimer|bnp|lipase|amylase|ck|inr|troponina)"
    r"\s+(?:is\s+|was\s+|came\s+back\s+)?(?:raised|elevated|high|positive|rising|up|increased|elevada|elevado|positiva|positivo)\b"
)


# The finding a reading becomes: the red-flag table grades the first two (data/red_flags.yaml).
CRITICAL = "critical_lab_value"  # phone-out limit with an emergency meaning
ALERT = "alert_lab_value"  # phone-out limit needing same-day review
ABNORMAL = "abnormal_lab_value"  # outside the reference range: not graded, never reassurance


@dataclass(frozen=True, slots=True)
class LabReading:
    start: int
    end: int
    analyte: str
    value: float | None  # canonical unit; None for "raised"
    concept_id: str | None  # CRITICAL / ALERT / ABNORMAL, None when normal


def _canonical(analyte: Analyte, value: float) -> float:
    if analyte.scale_below is not None and value < analyte.scale_below:
        return value * 10.0  # g/dL → g/L
    return value


def find_labs(norm: str) -> list[LabReading]:
    """All laboratory values in ``norm`` with their status against reference and critical ranges."""
    out: list[LabReading] = []
    taken: list[tuple[int, int]] = []
    for analyte, pattern in [*_PATTERNS, *_LEVEL_LATER]:
        for m in pattern.finditer(norm):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue  # already read (the adjacent pattern runs first)
            taken.append((m.start(), m.end()))
            value = _canonical(analyte, float(m.group("v").replace(",", ".")))
            critical = (analyte.critical_low is not None and value < analyte.critical_low) or (
                analyte.critical_high is not None and value >= analyte.critical_high
            )
            abnormal = (analyte.low is not None and value < analyte.low) or (
                analyte.high is not None and value > analyte.high
            )
            concept: str | None
            if critical:
                concept = CRITICAL if analyte.critical_level is Level.EMERGENCY else ALERT
            else:
                concept = ABNORMAL if abnormal else None
            out.append(LabReading(m.start(), m.end(), analyte.name, value, concept))
    for m in _RAISED.finditer(norm):
        name = (m.group("a1") or m.group("a2")).replace(" ", "").replace("-", "")
        if name.startswith("trop") or name in ("tnt", "tni"):
            # a raised troponin with symptoms is an acute coronary syndrome until shown otherwise
            out.append(LabReading(m.start(), m.end(), "troponin", None, CRITICAL))
        else:
            out.append(LabReading(m.start(), m.end(), name, None, ABNORMAL))
    return out
