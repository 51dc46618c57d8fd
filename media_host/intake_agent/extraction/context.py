"""Answers relative to the agent's last question (``QuestionContext``): a bare "yes" about a
symptom, "about a 7" for severity, "I'm 34" for age, consent and read-back confirmation.
"""

from __future__ import annotations

import re

from media_host.intake_agent.extraction import anatomy, answers, severity, temporality
from media_host.intake_agent.extraction.attributes import category
from media_host.intake_agent.extraction.demographics import parse_bare_age
from media_host.intake_agent.extraction.drafts import ATTRIBUTE_FIELDS, FindingDraft
from media_host.intake_agent.lexicon import Lexicon
from media_host.intake_agent.models import Answer, Demographics, Presence, QuestionContext


def apply_context(
    lexicon: Lexicon,
    context: QuestionContext,
    norm: str,
    answer: Answer | None,
    drafts: list[FindingDraft],
    demographics: Demographics,
) -> tuple[bool | None, bool | None, Demographics]:
    """Apply the answer to the last question: consent / confirmation, a demographic answer,
    a yes/no/don't-know about a symptom (adds a draft) or a bare attribute value.

    Returns:
        (consent, confirmation, demographics).
    """
    consent = confirmation = None
    if context.kind == "consent" and answer in (Answer.YES, Answer.NO):
        consent = answer is Answer.YES
    elif context.kind == "confirmation" and answer in (Answer.YES, Answer.NO):
        confirmation = answer is Answer.YES
    elif context.kind == "demographic":
        demographics = demographic_answer(context, norm, answer, demographics)
    elif context.concept_id and context.concept_id in lexicon:
        cid = context.concept_id
        mentioned = any(d.concept_id == cid for d in drafts)
        if context.kind == "symptom" and answer is not None and not mentioned:
            presence = {
                Answer.YES: Presence.PRESENT,
                Answer.NO: Presence.ABSENT,
                Answer.DONT_KNOW: Presence.UNCERTAIN,
            }[answer]
            drafts.insert(0, FindingDraft(cid, presence, 0, 0, 0))
        elif context.kind == "attribute" and context.attribute in ATTRIBUTE_FIELDS:
            draft = next((d for d in drafts if d.concept_id == cid), None)
            if draft is None:
                draft = FindingDraft(cid, Presence.PRESENT, 0, 0, 0)
                drafts.insert(0, draft)
            attribute_answer(context.attribute, norm, draft)
    return consent, confirmation, demographics


def attribute_answer(attribute: str, norm: str, draft: FindingDraft) -> None:
    """Fill one attribute of ``draft`` from a bare answer (\"about a 7\", \"since Monday\")."""
    if attribute == "severity":
        score = severity.parse_bare_severity(norm)
        if score is not None:
            draft.attrs["severity"] = score
    elif attribute in ("duration_hours", "onset"):
        for t in temporality.find_time_mentions(norm):
            if t.field == "duration_hours" and "duration_hours" not in draft.attrs:
                draft.attrs["duration_hours"] = t.hours
                if t.anchor:
                    draft.attrs["onset_phrase"] = norm[t.start : t.end].strip()
            elif t.field == "onset":
                draft.attrs["onset"] = t.text
    elif attribute == "character":
        for sm in severity.find_severity_mentions(norm):
            if sm.field == "character":
                draft.attrs["character"] = sm.text
                break
    elif attribute == "radiation":
        found = anatomy.find_radiation(norm)
        if found:
            draft.attrs["radiation"] = found[0][2]
        else:
            sites = anatomy.find_sites(norm)
            if sites:
                side = anatomy.laterality_near(norm, sites[0].start, sites[0].end)
                draft.attrs["radiation"] = f"{side} {sites[0].site}" if side else sites[0].site
    elif attribute == "site":
        sites = anatomy.find_sites(norm)
        if sites:
            own = [x for x in sites if x.pain_concept == draft.concept_id]
            chosen = own[0] if own else sites[0]
            region = chosen.region or next((x.region for x in sites if x.region), None)
            draft.attrs["site"] = f"{region} {chosen.site}" if region else chosen.site
        side = anatomy.laterality_near(norm, 0, len(norm))
        if side:
            draft.attrs["laterality"] = side
    elif attribute == "laterality":
        side = anatomy.laterality_near(norm, 0, len(norm))
        if side:
            draft.attrs["laterality"] = side
    elif attribute == "timing":
        for t in temporality.find_time_mentions(norm):
            if t.field == "timing":
                draft.attrs["timing"] = t.text
                break
    elif attribute in ("aggravating", "relieving"):
        text = " ".join(norm.split()[:6]).strip(" .,!?")
        if text and answers.detect_answer(norm) is not Answer.NO:
            draft.attrs[attribute] = category(text)


def demographic_answer(
    context: QuestionContext, norm: str, answer: Answer | None, demo: Demographics
) -> Demographics:
    """Update demographics from a bare answer (\"I'm 34\", \"yes\" to \"are you pregnant?\")."""
    update: dict[str, object] = {}
    if context.attribute == "age_years" and demo.age_years is None:
        age = parse_bare_age(norm)
        if age is not None:
            update["age_years"] = age
    elif context.attribute == "pregnant" and answer in (Answer.YES, Answer.NO):
        update["pregnant"] = answer is Answer.YES
    elif context.attribute == "pregnant" and answer is Answer.DONT_KNOW:
        update["pregnant"] = None
    elif context.attribute == "sex" and demo.sex is None:
        if re.search(r"\b(?:female|woman|girl|mujer|femenino)\b", norm):
            update["sex"] = "female"
        elif re.search(r"\b(?:male|man|boy|hombre|masculino)\b", norm):
            update["sex"] = "male"
    elif context.attribute == "pregnancy_weeks":
        m = re.search(r"\b(\d{1,2})\b", norm)
        if m and 1 <= int(m.group(1)) <= 45:
            update["pregnancy_weeks"] = int(m.group(1))
            update["pregnant"] = True
    return demo.model_copy(update=update) if update else demo


def bare_list_kind(context: QuestionContext | None) -> str | None:
    """\"medications\" / \"allergies\" / \"conditions\" when the agent asked for that list."""
    if (
        context is not None
        and context.kind == "history"
        and context.attribute in ("medications", "allergies", "conditions")
    ):
        return context.attribute
    return None
