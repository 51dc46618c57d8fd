"""One-shot assessment of a whole patient account (``triage assess`` and ``triage eval``)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from media_host.intake_agent.disposition import decide_disposition
from media_host.intake_agent.extraction.assertion_context import AssertionBackend
from media_host.intake_agent.extraction.base import primary_language
from media_host.intake_agent.extraction.rules import RulesExtractor
from media_host.intake_agent.lexicon import load_lexicon
from media_host.intake_agent.models import Demographics, Finding, IntakeSummary, Presence
from media_host.intake_agent.safety import evaluate_red_flags

_SEX = {"f": "female", "female": "female", "m": "male", "male": "male", "other": "other"}


@lru_cache(maxsize=2)
def _extractor(assertion: AssertionBackend = "scope") -> RulesExtractor:
    return RulesExtractor(assertion=assertion)


def choose_chief_complaint(findings: list[Finding]) -> Finding | None:
    """The most salient present finding: the first-mentioned one that can be a complaint."""
    lexicon = load_lexicon()
    present = [f for f in findings if f.presence is Presence.PRESENT]
    complaints = [f for f in present if lexicon.concept(f.concept_id).complaint]
    pool = complaints or present
    if not pool:
        return None
    return min(pool, key=lambda f: f.provenance[0].start if f.provenance else 0)


def assess_text(
    text: str,
    *,
    age: float | None = None,
    sex: str | None = None,
    language: str = "en",
    session_id: str = "assess",
    assertion: AssertionBackend = "scope",
) -> IntakeSummary:
    """Extract, check red flags and decide a disposition for a whole account in one go.

    Args:
        text: the patient's whole account (or a clinical vignette).
        age: age in years, overriding what the text says.
        sex: "F"/"M"/"female"/"male"/"other", overriding what the text says.
        language: "en" or "es" (BCP-47; region subtags allowed).
        session_id: id recorded in the summary.
        assertion: how findings are read as negated / uncertain / historical / family
            (``scope`` or medspaCy ``context``; see ``extraction.assertion_context``).
    """
    lang = primary_language(language)
    extraction = _extractor(assertion).extract(text, item_id="vignette", language=lang)
    update: dict[str, object] = {}
    if age is not None:
        update["age_years"] = age
    if sex is not None:
        update["sex"] = _SEX.get(sex.strip().lower())
    demographics: Demographics = extraction.demographics.model_copy(update=update)
    demographics = Demographics.model_validate(demographics.model_dump())
    findings = extraction.findings
    red_flags = evaluate_red_flags(findings, demographics, extraction.history, language=lang)
    disposition = decide_disposition(
        findings,
        demographics,
        extraction.history,
        red_flags,
        language=lang,
        not_interpreted=extraction.not_interpreted,
    )
    chief = choose_chief_complaint(findings)
    lexicon = load_lexicon()
    return IntakeSummary(
        session_id=session_id,
        language=lang,
        chief_complaint=chief.concept_id if chief else None,
        chief_complaint_label=lexicon.concept(chief.concept_id).label_in(lang) if chief else None,
        findings_present=[f for f in findings if f.presence is Presence.PRESENT],
        findings_absent=[f for f in findings if f.presence is Presence.ABSENT],
        findings_uncertain=[f for f in findings if f.presence is Presence.UNCERTAIN],
        demographics=demographics,
        history=extraction.history,
        red_flags=red_flags,
        disposition=disposition,
        not_interpreted=extraction.not_interpreted,
        completed_at=datetime.now(UTC),
    )
