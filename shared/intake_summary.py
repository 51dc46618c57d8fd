"""The intake summary contract: what the agent hands over when an interview ends.

The media host writes it (``symptom_complete`` event, ``summary`` column of the session); the
control plane reads it back to serve ``GET …/summary`` and its FHIR export. It lives in
``shared`` so both sides speak the same types without importing each other.

Patient data lives in these objects (findings carry provenance to the utterance they came from);
they must never be logged.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SUMMARY_SCHEMA_VERSION = 1


class Level(StrEnum):
    """Disposition levels, most urgent first."""

    EMERGENCY = "emergency"  # call an ambulance / go to the emergency department now
    URGENT = "urgent"  # be seen within 24 hours
    NON_URGENT = "non_urgent"  # primary-care appointment within about a week
    SELF_CARE = "self_care"

    @property
    def rank(self) -> int:
        """0 for emergency … 3 for self-care; lower is more urgent."""
        return _LEVEL_ORDER.index(self)

    @classmethod
    def most_urgent(cls, *levels: Level) -> Level:
        return min(levels, key=lambda lvl: lvl.rank)


_LEVEL_ORDER = [Level.EMERGENCY, Level.URGENT, Level.NON_URGENT, Level.SELF_CARE]


class Presence(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"  # negated: "no fever", "denies chest pain"
    UNCERTAIN = "uncertain"  # hedged: "I don't think so", "maybe"


class Span(BaseModel):
    """Where a finding came from: the utterance (realtime item id) and a character span in it."""

    model_config = ConfigDict(frozen=True)

    item_id: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


# History-of-present-illness (OLDCARTS) fields of a Finding, in the order the interview asks them.
HPI_FIELDS: tuple[str, ...] = (
    "onset",
    "site",
    "duration_hours",
    "character",
    "aggravating",
    "relieving",
    "radiation",
    "timing",
    "severity",
)


class Finding(BaseModel):
    """One symptom / sign concept as the patient reported it, with its attributes."""

    model_config = ConfigDict(frozen=True)

    concept_id: str  # our lexicon id, e.g. "chest_pain"
    label: str  # canonical English label, e.g. "chest pain"
    snomed_ct: str | None = None  # SNOMED CT concept id where one exists
    presence: Presence = Presence.PRESENT
    # History-of-present-illness attributes (OLDCARTS); None = not reported yet.
    onset: str | None = None  # normalised phrase, e.g. "sudden", "this morning"
    duration_hours: float | None = Field(default=None, ge=0)
    site: str | None = None  # body site, e.g. "head", "lower abdomen"
    laterality: Literal["left", "right", "bilateral"] | None = None
    character: str | None = None  # e.g. "crushing", "sharp", "burning"
    radiation: str | None = None  # e.g. "left arm", "jaw"
    timing: str | None = None  # e.g. "constant", "comes and goes"
    aggravating: str | None = None
    relieving: str | None = None
    severity: int | None = Field(default=None, ge=0, le=10)  # 0–10 scale
    qualifiers: tuple[str, ...] = ()  # e.g. ("worst_ever", "thunderclap"), ("high",)
    value: float | None = None  # numeric sign where relevant, e.g. temperature in °C
    provenance: tuple[Span, ...] = ()


class Demographics(BaseModel):
    age_years: float | None = Field(default=None, ge=0, le=130)
    sex: Literal["female", "male", "other"] | None = None
    pregnant: bool | None = None
    pregnancy_weeks: int | None = Field(default=None, ge=0, le=45)


class History(BaseModel):
    conditions: list[str] = Field(default_factory=list)
    medications: list[str] = Field(default_factory=list)
    allergies: list[str] = Field(default_factory=list)
    no_known_allergies: bool | None = None


class RedFlagHit(BaseModel):
    """A red-flag rule that matched. Rules are data (see rules table); never decided by a model."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    level: Level
    title: str
    advice: str  # patient-facing, in the session language
    rationale: str  # clinician-facing
    source: str  # the published guidance it follows, e.g. "BE-FAST (stroke)"
    evidence: tuple[str, ...] = ()  # concept ids / demographic facts that triggered it


class Disposition(BaseModel):
    level: Level
    matched_rules: list[str] = Field(default_factory=list)
    rationale: list[str] = Field(default_factory=list)  # clinician-readable sentences
    advice: str  # patient-facing, session language
    cautious: bool = False  # True when the level was raised because evidence was thin


class TranscriptRef(BaseModel):
    item_id: str
    role: Literal["patient", "agent"]


class IntakeSummary(BaseModel):
    schema_version: int = SUMMARY_SCHEMA_VERSION
    session_id: str
    language: str
    chief_complaint: str | None = None  # concept id of the chief complaint, if established
    chief_complaint_label: str | None = None
    findings_present: list[Finding] = Field(default_factory=list)
    findings_absent: list[Finding] = Field(default_factory=list)
    findings_uncertain: list[Finding] = Field(default_factory=list)
    demographics: Demographics = Field(default_factory=Demographics)
    history: History = Field(default_factory=History)
    red_flags: list[RedFlagHit] = Field(default_factory=list)
    disposition: Disposition
    transcript_refs: list[TranscriptRef] = Field(default_factory=list)
    # clinical words the engine could not interpret, for the clinician to read
    not_interpreted: list[str] = Field(default_factory=list)
    completed_at: datetime
    confirmed_by_patient: bool | None = None
    # Patient utterances (realtime item ids; their text is in the session's event log) that the
    # agent never processed, e.g. storage or model failures outlasting the retries. Non-empty
    # means the summary may miss clinical content: then ``confirmed_by_patient`` is never true.
    unprocessed_utterances: list[str] = Field(default_factory=list)
