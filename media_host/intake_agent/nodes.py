"""Node functions and routers of the intake graph.

Each node takes the state (plus its dependencies, bound in :mod:`.graph`) and returns a partial
update. Routers return ``Literal`` node names. Clinical decisions are delegated to the
deterministic core: red flags (:mod:`.safety`), disposition (:mod:`.disposition`) and
complaint protocols (:mod:`.protocols`); the model never decides them.

Per utterance: extract → safety → update → (emergency | plan → (respond | conclude |
close)). Session start: greet.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from media_host.intake_agent import answer_check, caller, protocols, replies, wording
from media_host.intake_agent.disposition import (
    decide_disposition,
    floor_for_unresolved_red_flags,
)
from media_host.intake_agent.extraction import answers
from media_host.intake_agent.extraction.base import Extractor
from media_host.intake_agent.lexicon import Lexicon
from media_host.intake_agent.models import (
    Answer,
    Demographics,
    Disposition,
    Extraction,
    Finding,
    History,
    IntakeSummary,
    Level,
    Presence,
    RedFlagHit,
    Span,
    TranscriptRef,
)
from media_host.intake_agent.question_plan import next_question
from media_host.intake_agent.safety import evaluate_red_flags
from media_host.intake_agent.state import (
    IntakeState,
    PendingQuestion,
    Subject,
    findings_by_presence,
    merge_demographics,
    merge_findings,
    merge_history,
    question_context,
)
from media_host.intake_agent.textnorm import normalise

# --- start ------------------------------------------------------------------------------------

_MAX_NOT_INTERPRETED = 20  # bounded like every list in the state


def route_start(state: IntakeState) -> Literal["greet", "extract"]:
    """A ``start`` input greets; an utterance goes through the interview."""
    return "greet" if state["turn_input"].get("kind") == "start" else "extract"


def greet(state: IntakeState) -> dict[str, Any]:
    """Open the session: empty facts, consent question pending."""
    consent: PendingQuestion = {
        "key": "consent",
        "kind": "consent",
        "concept_id": None,
        "attribute": None,
    }
    language = state["language"]
    return {
        "phase": "greeting",
        "turn": 0,
        "consent": None,
        "chief_complaint": None,
        "complaint_attempts": 0,
        "findings": {},
        "demographics": Demographics(),
        "history": History(),
        "asked": ["consent"],
        "unknown": [],
        "pending": consent,
        "extraction": None,
        "red_flags": [],
        "new_red_flags": [],
        "readback_attempts": 0,
        "confirmed": None,
        "disposition": None,
        "summary": None,
        "transcript_refs": [],
        "reply_say": replies.text("greeting", language),
        "reply_guidance": replies.guidance("greeting", language),
        "ended": False,
        "retry": None,
        "reasked": [],
        "unanswered": [],
        "unresolved_red_flags": [],
        "subject": None,
    }


# --- per utterance ----------------------------------------------------------------------------


def extract(state: IntakeState, *, extractor: Extractor) -> dict[str, Any]:
    """Count the turn, keep a transcript reference (item id) and run the extraction backend
    on the utterance, relative to the pending question."""
    turn = state["turn_input"]
    refs = [
        *state.get("transcript_refs", []),
        TranscriptRef(item_id=turn["item_id"], role="patient"),
    ]
    extraction = extractor.extract(
        turn["text"],
        item_id=turn["item_id"],
        language=state["language"],
        context=question_context(state.get("pending")),
    )
    return {
        "turn": state.get("turn", 0) + 1,
        "transcript_refs": refs,
        "new_red_flags": [],
        "extraction": extraction,
    }


_YES_NO = (Answer.YES, Answer.NO)


def apply_extraction(state: IntakeState, lexicon: Lexicon) -> dict[str, Any]:
    """Merge this turn's extraction into the state (pure; used by ``safety`` and ``update``).

    Besides merging findings, demographics and history, a bare yes / no / "I don't know" is
    applied to the pending question, consent and read-back confirmation are recorded, and the
    chief complaint is chosen from the first complaint-capable symptom reported. A reply that
    does not answer the pending question has it asked once more in other words (``retry``),
    then recorded as unknown (:mod:`.answer_check`).
    """
    ext: Extraction = state.get("extraction") or Extraction()
    pending = state.get("pending")
    turn = state["turn_input"]
    norm = normalise(turn["text"])
    if ext.answer is not None and ext.answer != answers.detect_answer(norm):
        # Whatever the backend (a language model may read "It is what it is" as yes), a yes,
        # no or "don't know" counts only when the words say it.
        ext = ext.model_copy(update={"answer": None})
    said_history = answer_check.clean_history(ext.history)
    findings = merge_findings(state.get("findings", {}), ext.findings)
    demographics = merge_demographics(state.get("demographics", Demographics()), ext.demographics)
    history = merge_history(state.get("history", History()), said_history)
    unknown = list(state.get("unknown", []))
    consent = state.get("consent")
    confirmed = state.get("confirmed")
    whole = (Span(item_id=turn["item_id"], start=0, end=len(turn["text"])),)
    stated_ids = {f.concept_id for f in ext.findings}

    if pending is not None:
        kind, key, attribute = pending["kind"], pending["key"], pending["attribute"]
        concept_id = pending["concept_id"]
        if ext.answer == Answer.DONT_KNOW and key not in unknown:
            unknown.append(key)
        if kind == "symptom" and concept_id and concept_id not in stated_ids and ext.answer:
            presence = {
                Answer.YES: Presence.PRESENT,
                Answer.NO: Presence.ABSENT,
                Answer.DONT_KNOW: Presence.UNCERTAIN,
            }[ext.answer]
            findings = merge_findings(
                findings, [_bare_finding(lexicon, concept_id, presence, whole)]
            )
        elif (
            kind == "demographic" and attribute == "pregnant" and ext.demographics.pregnant is None
        ):
            if ext.answer in _YES_NO:
                demographics = demographics.model_copy(
                    update={"pregnant": ext.answer == Answer.YES}
                )
        elif kind == "history" and attribute == "allergies" and ext.answer == Answer.NO:
            if not history.allergies and history.no_known_allergies is None:
                history = history.model_copy(update={"no_known_allergies": True})
        elif kind == "consent" and ext.consent is None and ext.answer in _YES_NO:
            consent = ext.answer == Answer.YES
        elif kind == "consent" and ext.consent is None and answers.detect_assent(norm):
            consent = True  # "okay": agreeing to go on
        elif kind == "confirmation" and ext.confirmation is None and ext.answer in _YES_NO:
            confirmed = ext.answer == Answer.YES
        elif kind == "confirmation" and ext.confirmation is None and answers.detect_assent(norm):
            confirmed = True
    asking_consent = pending is not None and pending["kind"] == "consent"
    if ext.consent is not None and (consent is None or asking_consent):
        # Only an answer to the consent question (or a first statement) sets consent: a stray
        # "no" later in the interview must not end it.
        consent = ext.consent
    elif consent is None and (
        ext.findings or ext.answer == Answer.YES or answers.detect_assent(norm)
    ):
        consent = True  # describing symptoms right away is taken as agreeing to go on
    if ext.confirmation is not None and pending is not None and pending["kind"] == "confirmation":
        confirmed = ext.confirmation

    chief = state.get("chief_complaint")
    attempts = state.get("complaint_attempts", 0)
    if chief is None:
        chief = _choose_complaint(ext.findings, lexicon)
        if chief is None and pending is not None and pending["kind"] == "complaint":
            attempts += 1

    subject = _subject_after(state, norm)
    relation = subject.get("relation") if subject else None
    implied_sex = wording.RELATIONS[relation][2] if relation in wording.RELATIONS else None
    if implied_sex is not None and demographics.sex is None:
        # "my son": the sex question cannot add anything (and pregnancy cannot apply)
        demographics = demographics.model_copy(update={"sex": implied_sex})

    retry: str | None = None
    reasked = list(state.get("reasked", []))
    unanswered = list(state.get("unanswered", []))
    unresolved = list(state.get("unresolved_red_flags", []))
    if pending is not None:
        key, concept_id = pending["key"], pending["concept_id"]
        clear = answer_check.answered(pending, ext, said_history, norm)
        if not clear and key not in reasked:
            reasked.append(key)
            retry = key  # ask once more, in other words
        elif not clear:
            # Still no answer: record the question as unknown; never infer one.
            unanswered.append(key)
            if key not in unknown:
                unknown.append(key)
            if pending["kind"] == "symptom" and concept_id and concept_id in lexicon:
                findings = merge_findings(
                    findings, [_bare_finding(lexicon, concept_id, Presence.UNCERTAIN, whole)]
                )
        red_flag_question = pending["kind"] == "symptom" and state.get("phase") == (
            "red_flag_screen"
        )
        unsettled = (not clear and retry is None) or ext.answer == Answer.DONT_KNOW
        if red_flag_question and unsettled and concept_id and concept_id not in unresolved:
            unresolved.append(concept_id)
    return {
        "findings": findings,
        "demographics": demographics,
        "history": history,
        "unknown": unknown,
        "retry": retry,
        "reasked": reasked,
        "unanswered": unanswered,
        "unresolved_red_flags": unresolved,
        # clinical words no reading understood: never reassurance, listed for the clinician
        "not_interpreted": list(
            dict.fromkeys([*state.get("not_interpreted", []), *ext.not_interpreted])
        )[:_MAX_NOT_INTERPRETED],
        "subject": subject,
        "consent": consent,
        "confirmed": confirmed,
        "chief_complaint": chief,
        "complaint_attempts": attempts,
    }


def _subject_after(state: IntakeState, norm: str) -> Subject | None:
    """Who the interview is about after this utterance: read from the opening account (until
    the chief complaint is known), or from an explicit "I'm calling about my mother"."""
    known = state.get("subject")
    if known is not None:
        return known
    if state.get("chief_complaint") is None:
        return caller.detect_subject(norm)
    return caller.explicit_subject(norm)


def _bare_finding(
    lexicon: Lexicon, concept_id: str, presence: Presence, provenance: tuple[Span, ...]
) -> Finding:
    concept = lexicon.concept(concept_id)
    return Finding(
        concept_id=concept_id,
        label=concept.label,
        snomed_ct=concept.snomed_ct,
        presence=presence,
        provenance=provenance,
    )


def _choose_complaint(findings: list[Finding], lexicon: Lexicon) -> str | None:
    for finding in findings:
        if finding.presence != Presence.PRESENT or finding.concept_id not in lexicon:
            continue
        if lexicon.concept(finding.concept_id).complaint:
            return finding.concept_id
    return None


def safety(state: IntakeState, *, lexicon: Lexicon) -> dict[str, Any]:
    """Evaluate the red-flag rules on everything known, including this utterance."""
    merged = apply_extraction(state, lexicon)
    hits = evaluate_red_flags(
        list(merged["findings"].values()),
        merged["demographics"],
        merged["history"],
        language=state["language"],
    )
    known = {hit.rule_id for hit in state.get("red_flags", [])}
    new = [hit for hit in hits if hit.rule_id not in known]
    return {"red_flags": [*state.get("red_flags", []), *new], "new_red_flags": new}


def update(state: IntakeState, *, lexicon: Lexicon) -> dict[str, Any]:
    """Commit this turn's facts to the state."""
    return apply_extraction(state, lexicon)


def route_after_update(state: IntakeState) -> Literal["emergency", "plan"]:
    """An emergency red flag first seen this turn ends the interview at once."""
    if any(hit.level == Level.EMERGENCY for hit in state.get("new_red_flags", [])):
        return "emergency"
    return "plan"


def plan(state: IntakeState, *, lexicon: Lexicon) -> dict[str, Any]:
    """Choose the next question (only what is still missing) or the end of the interview."""
    retry = state.get("retry")
    pending = state.get("pending")
    if retry is not None and pending is not None and pending["key"] == retry:
        return {"pending": pending}  # the same question again; `respond` words it differently
    step = next_question(state, lexicon)
    update: dict[str, Any] = {"phase": step.phase, "pending": step.question}
    if step.question is not None and step.question["key"] not in state.get("asked", []):
        update["asked"] = [*state.get("asked", []), step.question["key"]]
    if step.question is not None and step.question["kind"] == "confirmation":
        update["readback_attempts"] = state.get("readback_attempts", 0) + 1
        update["confirmed"] = None
    return update


def route_after_plan(state: IntakeState) -> Literal["respond", "conclude", "close"]:
    phase = state["phase"]
    if phase == "disposition":
        return "conclude"
    if phase == "closed":
        return "close"
    return "respond"


def respond(state: IntakeState, *, lexicon: Lexicon) -> dict[str, Any]:
    """Phrase the pending question as the agent's reply."""
    return {
        "reply_say": question_sentence(state, lexicon),
        "reply_guidance": replies.guidance(
            "readback" if state["phase"] == "summary" else "question", state["language"]
        ),
    }


def question_sentence(state: IntakeState, lexicon: Lexicon) -> str:
    """The exact sentence asking the pending question, in the session language, to the caller
    or about the person they call for; in other words when it is being asked again."""
    pending = state.get("pending")
    language = state["language"]
    if pending is None:
        return replies.text("complaint", language)
    key, kind = pending["key"], pending["kind"]
    subject = state.get("subject")
    again = state.get("retry") == key
    if kind == "consent":
        return replies.text("consent_again" if state.get("turn", 0) else "greeting", language)
    if kind == "complaint":
        again = state.get("complaint_attempts", 0) > 0
        return replies.text("complaint_again" if again else "complaint", language)
    if kind == "attribute" and pending["concept_id"] and pending["attribute"]:
        return protocols.attribute_question(
            pending["concept_id"], pending["attribute"], language, subject, again=again
        )
    if kind == "symptom" and pending["concept_id"]:
        if again:
            return protocols.question_again(pending["concept_id"], language, subject)
        return protocols.question_text(pending["concept_id"], language, subject)
    if replies.has_question(key):
        return replies.question(key, language, subject, again=again)
    if kind == "confirmation":
        return replies.text("readback", language, summary=readback(state, lexicon))
    if key == "fix":
        return replies.text("readback_fix", language)
    return replies.text(key, language)


def readback(state: IntakeState, lexicon: Lexicon) -> str:
    """The spoken summary of what the patient said."""
    language = state["language"]
    present, absent, _ = findings_by_presence(state.get("findings", {}))

    def label(f: Finding) -> str:
        return protocols.short_label(f.concept_id, language) if f.concept_id in lexicon else f.label

    chief = state.get("chief_complaint")
    ordered = sorted(present, key=lambda f: f.concept_id != chief)
    return replies.readback_summary(
        language=language,
        complaint_label=label(state["findings"][chief]) if chief else None,
        present=[(f, label(f)) for f in ordered],
        absent=[(f, label(f)) for f in absent],
        demographics=state.get("demographics", Demographics()),
        history=state.get("history", History()),
        subject=state.get("subject"),
    )


# --- endings ----------------------------------------------------------------------------------


def decide_for(state: IntakeState) -> Disposition:
    """The disposition for everything gathered so far (deterministic core), kept at a cautious
    floor while a red-flag question stays unresolved (neither confirmed nor ruled out)."""
    findings = state.get("findings", {})
    present, absent, uncertain = findings_by_presence(findings)
    disposition = decide_disposition(
        [*present, *absent, *uncertain],
        state.get("demographics", Demographics()),
        state.get("history", History()),
        state.get("red_flags", []),
        language=state["language"],
        not_interpreted=state.get("not_interpreted", []),
    )
    settled = (Presence.PRESENT, Presence.ABSENT)
    unresolved = [
        cid
        for cid in state.get("unresolved_red_flags", [])
        if cid not in findings or findings[cid].presence not in settled
    ]
    return floor_for_unresolved_red_flags(disposition, unresolved, language=state["language"])


def build_summary(state: IntakeState, disposition: Disposition) -> IntakeSummary:
    """The intake summary handed to clinicians (and exported as FHIR)."""
    present, absent, uncertain = findings_by_presence(state.get("findings", {}))
    chief = state.get("chief_complaint")
    return IntakeSummary(
        session_id=state["session_id"],
        language=state["language"],
        chief_complaint=chief,
        chief_complaint_label=state["findings"][chief].label if chief else None,
        findings_present=present,
        findings_absent=absent,
        findings_uncertain=uncertain,
        demographics=state.get("demographics", Demographics()),
        history=state.get("history", History()),
        red_flags=list(state.get("red_flags", [])),
        disposition=disposition,
        transcript_refs=list(state.get("transcript_refs", [])),
        not_interpreted=list(state.get("not_interpreted", [])),
        completed_at=datetime.now(UTC),
        confirmed_by_patient=state.get("confirmed"),
    )


def conclude(state: IntakeState) -> dict[str, Any]:
    """Decide the disposition from everything gathered and close with its advice."""
    disposition = decide_for(state)
    language = state["language"]
    return {
        "phase": "disposition",
        "pending": None,
        "disposition": disposition,
        "summary": build_summary(state, disposition),
        "reply_say": replies.text("closing", language, advice=disposition.advice),
        "reply_guidance": replies.guidance("closing", language),
        "ended": True,
    }


def emergency(state: IntakeState) -> dict[str, Any]:
    """End at once: emergency advice, emergency disposition, summary."""
    hits: list[RedFlagHit] = [
        h for h in state.get("new_red_flags", []) if h.level == Level.EMERGENCY
    ]
    disposition = decide_for(state)
    if disposition.level != Level.EMERGENCY:
        # The red-flag rule is authoritative; never let a lower disposition mask it.
        disposition = disposition.model_copy(
            update={
                "level": Level.EMERGENCY,
                "matched_rules": [*disposition.matched_rules, *(h.rule_id for h in hits)],
                "advice": hits[0].advice,
            }
        )
    language = state["language"]
    return {
        "phase": "emergency",
        "pending": None,
        "disposition": disposition,
        "summary": build_summary(state, disposition),
        "reply_say": replies.text("emergency", language, advice=hits[0].advice),
        "reply_guidance": replies.guidance("emergency", language),
        "ended": True,
    }


def close(state: IntakeState) -> dict[str, Any]:
    """The patient declined to continue: stop politely, keep a (cautious) summary."""
    disposition = decide_for(state)
    language = state["language"]
    return {
        "phase": "closed",
        "pending": None,
        "disposition": disposition,
        "summary": build_summary(state, disposition),
        "reply_say": replies.text("consent_declined", language),
        "reply_guidance": replies.guidance("closing", language),
        "ended": True,
    }
