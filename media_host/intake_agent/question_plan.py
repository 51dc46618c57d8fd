"""Which question comes next: the interview order, asking only what is still missing.

Order: consent → chief complaint → HPI attributes the complaint protocol lists → the
protocol's associated symptoms → its red-flag screening questions → age, sex, pregnancy (only
where the protocol says it matters) → conditions, medications, allergies → read-back →
disposition.

A question is skipped when the state already holds its answer — whenever and however the
patient said it (volunteered facts count) — when it was asked before, or when the patient said
they don't know; and when it cannot apply to the person the interview is about (pain when
peeing, a 0–10 score or pregnancy for a baby). When the caller speaks for someone else, that
person's age is asked first, since it decides which questions apply. Consent, the chief
complaint (one retry each) and the read-back (one retry after a correction) are repeated by
their own rules; any other question is asked once more, in other words, only when the reply
did not answer it (``nodes.apply_extraction`` sets ``retry``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from media_host.intake_agent import protocols, wording
from media_host.intake_agent.lexicon import Lexicon
from media_host.intake_agent.models import Finding
from media_host.intake_agent.state import IntakeState, PendingQuestion, Phase, finding_field

MAX_COMPLAINT_ATTEMPTS = 2
MAX_READBACKS = 2
PREGNANCY_AGE_RANGE = (12, 55)


@dataclass(frozen=True)
class PlanStep:
    """The phase the interview is in after planning, and the question to ask (None at the end)."""

    phase: Phase
    question: PendingQuestion | None


def _q(
    key: str, kind: str, concept_id: str | None = None, attribute: str | None = None
) -> PendingQuestion:
    return {"key": key, "kind": kind, "concept_id": concept_id, "attribute": attribute}


def next_question(state: IntakeState, lexicon: Lexicon) -> PlanStep:
    """The next step of the interview for ``state``."""
    consent = state.get("consent")
    if consent is False:
        return PlanStep("closed", None)
    if consent is None and state.get("turn", 0) < 2:
        return PlanStep("greeting", _q("consent", "consent"))
    # Still unclear after asking twice: the patient keeps talking to us, so carry on.

    chief = state.get("chief_complaint")
    if chief is None and state.get("complaint_attempts", 0) < MAX_COMPLAINT_ATTEMPTS:
        return PlanStep("chief_complaint", _q("complaint", "complaint"))

    if (
        wording.is_other(state.get("subject"))
        and state["demographics"].age_years is None
        and not _settled(state, "demo:age_years")
    ):
        # Speaking for someone else: their age decides which questions can apply.
        return PlanStep("hpi", _q("demo:age_years", "demographic", attribute="age_years"))
    if chief is not None:
        for step in _complaint_questions(state, chief):
            return step
    for step in _history_questions(state, chief):
        return step
    return _readback_step(state)


# "Since yesterday" answers both when it started and how long it has lasted: asking one after
# the other was stated would be asking again.
_TIME_FIELDS = ("onset", "duration_hours")


def _attribute_known(finding: Finding, field: str) -> bool:
    if field in _TIME_FIELDS:
        return any(getattr(finding, f) is not None for f in _TIME_FIELDS)
    return getattr(finding, field, None) is not None


def _settled(state: IntakeState, key: str) -> bool:
    return key in state.get("asked", []) or key in state.get("unknown", [])


def _complaint_questions(state: IntakeState, chief: str) -> Iterator[PlanStep]:
    protocol = protocols.complaint_protocol(chief)
    findings = state.get("findings", {})
    complaint = findings.get(chief)
    subject = state.get("subject")
    age, sex = state["demographics"].age_years, state["demographics"].sex
    for attribute in protocol.hpi_attributes:
        key = f"attr:{chief}:{attribute}"
        known = complaint is not None and _attribute_known(complaint, finding_field(attribute))
        applies = protocols.attribute_applies(finding_field(attribute), age, subject)
        if not known and applies and not _settled(state, key):
            yield PlanStep("hpi", _q(key, "attribute", chief, attribute))
    for phase, concepts in (
        ("associated", protocol.associated),
        ("red_flag_screen", protocol.red_flag_screen),
    ):
        for concept_id in concepts:
            key = f"symptom:{concept_id}"
            if not protocols.question_applies(concept_id, age, sex, subject):
                continue
            if concept_id not in findings and not _settled(state, key):
                yield PlanStep(phase, _q(key, "symptom", concept_id))  # type: ignore[arg-type]


def _pregnancy_relevant(state: IntakeState, chief: str | None) -> bool:
    if chief is None or not protocols.complaint_protocol(chief).pregnancy_relevant:
        return False
    demographics = state["demographics"]
    if demographics.sex not in ("female", None) or demographics.pregnant is not None:
        return False
    age = protocols.age_for_rules(demographics.age_years, state.get("subject"))
    return age is None or PREGNANCY_AGE_RANGE[0] <= age <= PREGNANCY_AGE_RANGE[1]


def _history_questions(state: IntakeState, chief: str | None) -> Iterator[PlanStep]:
    demographics = state["demographics"]
    history = state["history"]
    if demographics.age_years is None and not _settled(state, "demo:age_years"):
        yield PlanStep("history", _q("demo:age_years", "demographic", attribute="age_years"))
    if demographics.sex is None and not _settled(state, "demo:sex"):
        yield PlanStep("history", _q("demo:sex", "demographic", attribute="sex"))
    if _pregnancy_relevant(state, chief) and not _settled(state, "demo:pregnant"):
        yield PlanStep("history", _q("demo:pregnant", "demographic", attribute="pregnant"))
    if not history.conditions and not _settled(state, "history:conditions"):
        yield PlanStep("history", _q("history:conditions", "history", attribute="conditions"))
    if not history.medications and not _settled(state, "history:medications"):
        yield PlanStep("history", _q("history:medications", "history", attribute="medications"))
    allergies_known = bool(history.allergies) or history.no_known_allergies is not None
    if not allergies_known and not _settled(state, "history:allergies"):
        yield PlanStep("history", _q("history:allergies", "history", attribute="allergies"))


def _said_something(state: IntakeState) -> bool:
    ext = state.get("extraction")
    if ext is None:
        return False
    return bool(
        ext.findings
        or ext.demographics.model_dump(exclude_none=True)
        or ext.history.model_dump(exclude_none=True, exclude_defaults=True)
    )


def _readback_step(state: IntakeState) -> PlanStep:
    attempts = state.get("readback_attempts", 0)
    confirmed = state.get("confirmed")
    pending = state.get("pending")
    if confirmed is True or attempts >= MAX_READBACKS:
        return PlanStep("disposition", None)
    if attempts == 0:
        return PlanStep("summary", _q("confirm:1", "confirmation"))
    if confirmed is False and pending is not None and pending["kind"] == "confirmation":
        # The patient said the read-back is wrong. If they already said what (new facts in
        # this utterance), read back again; otherwise ask what to correct first.
        if _said_something(state):
            return PlanStep("summary", _q(f"confirm:{attempts + 1}", "confirmation"))
        return PlanStep("summary", _q("fix", "free"))
    if pending is not None and pending["key"] == "fix":
        return PlanStep("summary", _q(f"confirm:{attempts + 1}", "confirmation"))
    # No clear yes or no to the read-back: do not loop, decide with what we have.
    return PlanStep("disposition", None)
