"""Contracts of the intake agent: what extraction produces, what safety and triage decide, and
the final intake summary. Every other module of the agent (and the media host) speaks these types.

The summary and its parts (findings, disposition, red flags …) are defined in
:mod:`shared.intake_summary`, since the control plane reads them too; they are re-exported here.

Patient data lives in these objects (findings carry provenance to the utterance they came from);
they must never be logged.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.intake_summary import (
    HPI_FIELDS,
    SUMMARY_SCHEMA_VERSION,
    Demographics,
    Disposition,
    Finding,
    History,
    IntakeSummary,
    Level,
    Presence,
    RedFlagHit,
    Span,
    TranscriptRef,
)

__all__ = [
    "HPI_FIELDS",
    "SUMMARY_SCHEMA_VERSION",
    "AgentReply",
    "AgentTurn",
    "Answer",
    "Demographics",
    "Disposition",
    "Extraction",
    "Finding",
    "History",
    "IntakeSummary",
    "Level",
    "Presence",
    "QuestionContext",
    "RedFlagHit",
    "Span",
    "TranscriptRef",
]


class Answer(StrEnum):
    """The patient's answer to the question the agent just asked, when it is a yes/no-type one."""

    YES = "yes"
    NO = "no"
    DONT_KNOW = "dont_know"


class QuestionContext(BaseModel):
    """What the agent last asked, so a bare "yes", "no" or "since Monday" lands right."""

    model_config = ConfigDict(frozen=True)

    kind: Literal[
        "consent",
        "complaint",
        "symptom",
        "attribute",
        "history",
        "demographic",
        "confirmation",
        "free",
    ] = "free"
    concept_id: str | None = None  # the symptom asked about (kind symptom / attribute)
    attribute: str | None = None  # Finding field asked about, e.g. "severity", "onset"; or the
    # history / demographic field, e.g. "medications", "age_years", "pregnant"


class Extraction(BaseModel):
    """What one utterance told us. Produced by an extraction backend (rules or azure_openai)."""

    findings: list[Finding] = Field(default_factory=list)
    demographics: Demographics = Field(default_factory=Demographics)  # only fields stated
    history: History = Field(default_factory=History)  # only items stated
    answer: Answer | None = None  # yes / no / don't know, relative to the last question
    consent: bool | None = None  # explicit agreement / refusal to proceed
    confirmation: bool | None = None  # "yes that's right" / "no, that's wrong" at read-back
    # clinical words the reading could not interpret (never reassurance; listed for a clinician)
    not_interpreted: list[str] = Field(default_factory=list)
    backend: str = "rules"
    trace: list[str] = Field(
        default_factory=list
    )  # e.g. "azure_openai failed: timeout; used rules"


class AgentReply(BaseModel):
    """What the agent says next: the exact sentence, plus guidance for a realtime model."""

    say: str  # the exact sentence to speak, in the session language
    guidance: str  # short instructions for a realtime model to phrase it naturally
    phase: str  # current interview phase after this turn
    end_of_interview: bool = False


class AgentTurn(BaseModel):
    """Everything one patient utterance produced, for the caller (the media host) to act on."""

    reply: AgentReply
    new_red_flags: list[RedFlagHit] = Field(default_factory=list)  # → `red_flag` events
    summary: IntakeSummary | None = None  # set when the interview just finished
    notices: list[str] = Field(default_factory=list)  # e.g. "utterance truncated to 2000 chars"
    # True when the utterance was NOT applied (a failure inside the turn; the pre-turn state was
    # kept): the caller may run the same utterance again.
    failed: bool = False
