"""The typed state of one intake interview, and the pure functions that merge new facts into it.

Every channel is a plain last-value channel (no reducers): nodes return the complete new value
of what they change. That keeps a checkpoint self-describing and makes re-applying a saved state
(roll-back after a failed turn) idempotent.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from media_host.intake_agent import models
from media_host.intake_agent.models import (
    HPI_FIELDS,
    Demographics,
    Disposition,
    Extraction,
    Finding,
    History,
    IntakeSummary,
    Presence,
    QuestionContext,
    RedFlagHit,
    TranscriptRef,
)

Phase = Literal[
    "greeting",
    "chief_complaint",
    "hpi",
    "associated",
    "red_flag_screen",
    "history",
    "summary",
    "disposition",
    "emergency",
    "closed",
]

PHASES_ENDED: frozenset[str] = frozenset({"disposition", "emergency", "closed"})

# Protocol spellings of the HPI fields (models.HPI_FIELDS) that map onto Finding fields.
ATTRIBUTE_ALIASES = {
    "location": "site",
    "duration": "duration_hours",
    "quality": "character",
    "provoking": "aggravating",
    "palliating": "relieving",
}


def finding_field(attribute: str) -> str:
    """The :class:`Finding` field a protocol HPI attribute name refers to."""
    return ATTRIBUTE_ALIASES.get(attribute, attribute)


class PendingQuestion(TypedDict):
    """The question the agent asked last and is waiting for an answer to."""

    key: str  # stable id, e.g. "attr:chest_pain:severity", "symptom:fever", "history:medications"
    kind: str  # QuestionContext.kind
    concept_id: str | None
    attribute: str | None


class TurnInput(TypedDict, total=False):
    """What the caller feeds into one graph run."""

    kind: Literal["start", "utterance"]
    item_id: str
    text: str


class Subject(TypedDict):
    """The person a caller is asking about ("my 5-month-old", "my mother", "she")."""

    relation: str | None  # e.g. "son", "baby", "mother"; None when only a pronoun was heard
    pronoun: Literal["she", "he"] | None


class IntakeState(TypedDict, total=False):
    """Everything the interview knows. Patient data: never log it."""

    session_id: str
    language: str
    phase: Phase
    turn: int
    turn_input: TurnInput
    consent: bool | None
    chief_complaint: str | None
    complaint_attempts: int
    findings: dict[str, Finding]  # by concept id, merged across turns
    demographics: Demographics
    history: History
    asked: list[str]  # question keys already asked (never asked twice)
    unknown: list[str]  # question keys answered "I don't know"
    pending: PendingQuestion | None
    extraction: Extraction | None  # this turn's, for tracing
    red_flags: list[RedFlagHit]
    new_red_flags: list[RedFlagHit]  # hits first seen this turn
    readback_attempts: int
    confirmed: bool | None
    disposition: Disposition | None
    summary: IntakeSummary | None
    transcript_refs: list[TranscriptRef]
    reply_say: str
    reply_guidance: str
    ended: bool
    # --- answers that did not answer (additive; older checkpoints simply lack them) ---------
    retry: str | None  # key of the question being asked again, in other words, this turn
    reasked: list[str]  # keys already asked a second time (never a third)
    unanswered: list[str]  # keys still unclear after asking again: recorded as unknown
    # red-flag screening concepts neither confirmed nor ruled out (unclear twice, or "don't
    # know"); the disposition keeps a cautious floor while they stay unresolved
    unresolved_red_flags: list[str]
    # who the interview is about when the caller speaks for someone else (None: the caller)
    subject: Subject | None
    # clinical words the reading could not interpret, across turns (additive)
    not_interpreted: list[str]


# Every contract type the state holds. Checkpoints are deserialized with this explicit allowlist
# (strict msgpack): nothing else can be revived from a stored checkpoint.
SERDE_ALLOWLIST: tuple[tuple[str, str], ...] = tuple(
    (cls.__module__, cls.__name__)
    for cls in (
        models.Level,
        models.Presence,
        models.Span,
        models.Finding,
        models.Demographics,
        models.History,
        models.Answer,
        models.QuestionContext,
        models.Extraction,
        models.RedFlagHit,
        models.Disposition,
        models.AgentReply,
        models.TranscriptRef,
        models.IntakeSummary,
    )
)


def intake_serializer() -> JsonPlusSerializer:
    """LangGraph's serializer, reviving only the intake contract types (plus its safe core)."""
    return JsonPlusSerializer(allowed_msgpack_modules=SERDE_ALLOWLIST)


def question_context(pending: PendingQuestion | None) -> QuestionContext | None:
    """The extractor's view of the pending question."""
    if pending is None:
        return None
    return QuestionContext.model_validate(
        {
            "kind": pending["kind"],
            "concept_id": pending["concept_id"],
            "attribute": pending["attribute"],
        }
    )


def merge_finding(old: Finding | None, new: Finding) -> Finding:
    """Merge a newly reported finding into what was known about the same concept.

    The later statement wins for presence ("no wait, I do have a fever") and for every
    attribute it states ("actually it started yesterday"); attributes it does not mention keep
    their earlier value. Qualifiers and provenance accumulate.
    """
    if old is None:
        return new
    updates: dict[str, object] = {"presence": new.presence}
    for name in (*HPI_FIELDS, "laterality", "value"):
        value = getattr(new, name)
        if value is not None:
            updates[name] = value
    updates["qualifiers"] = tuple(dict.fromkeys((*old.qualifiers, *new.qualifiers)))
    updates["provenance"] = tuple(dict.fromkeys((*old.provenance, *new.provenance)))
    if new.snomed_ct and not old.snomed_ct:
        updates["snomed_ct"] = new.snomed_ct
    return old.model_copy(update=updates)


def merge_findings(known: dict[str, Finding], new: list[Finding]) -> dict[str, Finding]:
    """Return ``known`` with every finding of ``new`` merged in (input untouched)."""
    merged = dict(known)
    for finding in new:
        merged[finding.concept_id] = merge_finding(merged.get(finding.concept_id), finding)
    return merged


def merge_demographics(old: Demographics, new: Demographics) -> Demographics:
    """Fields stated in ``new`` replace the old ones; unstated fields are kept."""
    stated = new.model_dump(exclude_none=True)
    return old.model_copy(update=stated) if stated else old


def merge_history(old: History, new: History) -> History:
    """Union of conditions, medications and allergies (order kept, no duplicates)."""

    def union(a: list[str], b: list[str]) -> list[str]:
        return list(dict.fromkeys([*a, *b]))

    no_known = old.no_known_allergies
    if new.no_known_allergies is not None:
        no_known = new.no_known_allergies
    if new.allergies:
        no_known = False
    return History(
        conditions=union(old.conditions, new.conditions),
        medications=union(old.medications, new.medications),
        allergies=union(old.allergies, new.allergies),
        no_known_allergies=no_known,
    )


def findings_by_presence(
    findings: dict[str, Finding],
) -> tuple[list[Finding], list[Finding], list[Finding]]:
    """(present, absent, uncertain) in the order they were first reported."""
    present = [f for f in findings.values() if f.presence == Presence.PRESENT]
    absent = [f for f in findings.values() if f.presence == Presence.ABSENT]
    uncertain = [f for f in findings.values() if f.presence == Presence.UNCERTAIN]
    return present, absent, uncertain
