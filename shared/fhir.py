"""Export an :class:`IntakeSummary` as a FHIR R4 Bundle (type ``collection``).

FHIR version: ``fhir.resources`` 8.x models FHIR R5 at its top level and ships R4B under
``fhir.resources.R4B``. R4B is wire-compatible with R4 for every resource used here (Patient,
QuestionnaireResponse, Observation, Condition, RiskAssessment), so the Bundle is built and
validated with the R4B models.

Contents:

* ``Patient`` — only the administrative sex (no name, no identifiers: the intake is anonymous).
* ``QuestionnaireResponse`` — the interview answers (chief complaint, each finding, age, sex,
  pregnancy, conditions, medicines, allergies, read-back confirmation).
* ``Observation`` per finding — SNOMED CT code where known, value Present (52101004) /
  Absent (2667000) / uncertain (text), components for severity (0-10) and HPI attributes.
* ``Observation`` for age (LOINC 30525-0).
* ``Condition`` per reported long-term condition (verification status ``unconfirmed``:
  patient-reported).
* ``RiskAssessment`` — the disposition level, matched rules, rationale and advice.

Resource ids are UUIDv5 derived from the session id, so exporting twice gives the same Bundle.
"""

from __future__ import annotations

import uuid
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from shared.intake_summary import Finding, IntakeSummary, Level, Presence

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
RISK_PROBABILITY = "http://terminology.hl7.org/CodeSystem/risk-probability"
SESSION_SYSTEM = "urn:realtime-virtual-triage:session"
PAIN_SCORE_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"

_PRESENCE_VALUE: dict[Presence, dict[str, Any]] = {
    Presence.PRESENT: {"coding": [{"system": SNOMED, "code": "52101004", "display": "Present"}]},
    Presence.ABSENT: {"coding": [{"system": SNOMED, "code": "2667000", "display": "Absent"}]},
    Presence.UNCERTAIN: {"text": "uncertain"},
}
_RISK = {
    Level.EMERGENCY: ("high", "High likelihood"),
    Level.URGENT: ("moderate", "Moderate likelihood"),
    Level.NON_URGENT: ("low", "Low likelihood"),
    Level.SELF_CARE: ("negligible", "Negligible likelihood"),
}
_TEXT_ATTRIBUTES = (
    "onset",
    "site",
    "laterality",
    "character",
    "radiation",
    "timing",
    "aggravating",
    "relieving",
)


class _Ids:
    """Deterministic urn:uuid references for one summary."""

    def __init__(self, session_id: str) -> None:
        self._ns = uuid.uuid5(uuid.NAMESPACE_URL, f"{SESSION_SYSTEM}:{session_id}")

    def __call__(self, name: str) -> tuple[str, str]:
        rid = str(uuid.uuid5(self._ns, name))
        return rid, f"urn:uuid:{rid}"


def _finding_code(finding: Finding) -> dict[str, Any]:
    code: dict[str, Any] = {"text": finding.label}
    if finding.snomed_ct:
        code["coding"] = [{"system": SNOMED, "code": finding.snomed_ct, "display": finding.label}]
    return code


def _components(finding: Finding) -> list[dict[str, Any]]:
    components: list[dict[str, Any]] = []
    if finding.severity is not None:
        components.append(
            {
                "code": {
                    "coding": [
                        {
                            "system": LOINC,
                            "code": "72514-3",
                            "display": PAIN_SCORE_DISPLAY,
                        }
                    ],
                    "text": "severity (0-10)",
                },
                "valueInteger": finding.severity,
            }
        )
    if finding.duration_hours is not None:
        components.append(
            {
                "code": {"text": "duration"},
                "valueQuantity": {
                    "value": finding.duration_hours,
                    "unit": "h",
                    "system": UCUM,
                    "code": "h",
                },
            }
        )
    for attribute in _TEXT_ATTRIBUTES:
        value = getattr(finding, attribute)
        if value:
            components.append({"code": {"text": attribute}, "valueString": str(value)})
    if finding.value is not None:
        components.append({"code": {"text": "measured value"}, "valueDecimal": finding.value})
    return components


def _finding_observation(finding: Finding, rid: str, patient_ref: str, when: str) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": rid,
        "status": "final" if finding.presence != Presence.UNCERTAIN else "preliminary",
        "category": [{"coding": [{"system": OBS_CATEGORY, "code": "survey"}]}],
        "code": _finding_code(finding),
        "subject": {"reference": patient_ref},
        "effectiveDateTime": when,
        "valueCodeableConcept": _PRESENCE_VALUE[finding.presence],
    }
    components = _components(finding)
    if components:
        obs["component"] = components
    return obs


def _answers_item(link_id: str, text: str, answers: list[dict[str, Any]]) -> dict[str, Any]:
    return {"linkId": link_id, "text": text, "answer": answers}


def _questionnaire_items(summary: IntakeSummary) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if summary.chief_complaint:
        items.append(
            _answers_item(
                "chief-complaint",
                "Main problem",
                [{"valueString": summary.chief_complaint_label or summary.chief_complaint}],
            )
        )
    for finding in [
        *summary.findings_present,
        *summary.findings_absent,
        *summary.findings_uncertain,
    ]:
        value = _PRESENCE_VALUE[finding.presence]
        answer = (
            {"valueCoding": value["coding"][0]}
            if "coding" in value
            else {"valueString": "uncertain"}
        )
        items.append(_answers_item(f"finding-{finding.concept_id}", finding.label, [answer]))
    demo = summary.demographics
    if demo.age_years is not None:
        items.append(_answers_item("age", "Age (years)", [{"valueDecimal": demo.age_years}]))
    if demo.sex is not None:
        items.append(_answers_item("sex", "Sex", [{"valueString": demo.sex}]))
    if demo.pregnant is not None:
        items.append(_answers_item("pregnant", "Pregnant", [{"valueBoolean": demo.pregnant}]))
    for link_id, text, values in (
        ("conditions", "Long-term conditions", summary.history.conditions),
        ("medications", "Regular medicines", summary.history.medications),
        ("allergies", "Medicine allergies", summary.history.allergies),
    ):
        if values:
            items.append(_answers_item(link_id, text, [{"valueString": v} for v in values]))
    if summary.history.no_known_allergies:
        items.append(
            _answers_item("no-known-allergies", "No known allergies", [{"valueBoolean": True}])
        )
    if summary.confirmed_by_patient is not None:
        items.append(
            _answers_item(
                "confirmed", "Read-back confirmed", [{"valueBoolean": summary.confirmed_by_patient}]
            )
        )
    return items


def summary_to_fhir_bundle(summary: IntakeSummary) -> Bundle:
    """Build a validated FHIR R4 (R4B models) collection Bundle from an intake summary.

    Raises:
        pydantic.ValidationError: the summary produced an invalid resource (a bug).
    """
    ids = _Ids(summary.session_id)
    when = summary.completed_at.isoformat()
    _, patient_ref = ids("patient")
    entries: list[dict[str, Any]] = []

    def add(name: str, resource: dict[str, Any]) -> str:
        rid, ref = ids(name)
        resource["id"] = rid
        entries.append({"fullUrl": ref, "resource": resource})
        return ref

    patient: dict[str, Any] = {"resourceType": "Patient"}
    if summary.demographics.sex is not None:
        patient["gender"] = summary.demographics.sex
    add("patient", patient)
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "subject": {"reference": patient_ref},
        "authored": when,
        "identifier": {"system": SESSION_SYSTEM, "value": summary.session_id},
    }
    items = _questionnaire_items(summary)
    if items:
        response["item"] = items
    add("questionnaire-response", response)
    finding_refs: dict[str, str] = {}
    for finding in [
        *summary.findings_present,
        *summary.findings_absent,
        *summary.findings_uncertain,
    ]:
        rid, ref = ids(f"finding-{finding.concept_id}")
        entries.append(
            {"fullUrl": ref, "resource": _finding_observation(finding, rid, patient_ref, when)}
        )
        finding_refs[finding.concept_id] = ref
    if summary.demographics.age_years is not None:
        add(
            "age",
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": LOINC, "code": "30525-0", "display": "Age"}]},
                "subject": {"reference": patient_ref},
                "effectiveDateTime": when,
                "valueQuantity": {
                    "value": summary.demographics.age_years,
                    "unit": "a",
                    "system": UCUM,
                    "code": "a",
                },
            },
        )
    for index, condition in enumerate(summary.history.conditions):
        add(
            f"condition-{index}",
            {
                "resourceType": "Condition",
                "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
                "verificationStatus": {
                    "coding": [{"system": CONDITION_VERIFICATION, "code": "unconfirmed"}]
                },
                "code": {"text": condition},
                "subject": {"reference": patient_ref},
                "recordedDate": when,
            },
        )
    disposition = summary.disposition
    risk_code, risk_display = _RISK[disposition.level]
    evidence = {e for hit in summary.red_flags for e in hit.evidence}
    basis = [{"reference": ref} for cid, ref in finding_refs.items() if cid in evidence]
    risk: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "status": "final",
        "subject": {"reference": patient_ref},
        "occurrenceDateTime": when,
        "code": {"text": "virtual triage disposition"},
        "method": {"text": "rule-based red-flag screen and disposition table"},
        "prediction": [
            {
                "outcome": {"text": f"disposition: {disposition.level.value}"},
                "qualitativeRisk": {
                    "coding": [
                        {"system": RISK_PROBABILITY, "code": risk_code, "display": risk_display}
                    ]
                },
                "rationale": "; ".join(disposition.rationale) or None,
            }
        ],
        "mitigation": disposition.advice,
        "note": [{"text": f"rule: {rule}"} for rule in disposition.matched_rules]
        + [{"text": f"red flag: {hit.rule_id} ({hit.source})"} for hit in summary.red_flags]
        # what the engine could not read, for the clinician (never taken as reassurance)
        + [{"text": f"not interpreted: {term}"} for term in summary.not_interpreted],
    }
    if basis:
        risk["basis"] = basis
    if not risk["note"]:
        del risk["note"]
    if risk["prediction"][0]["rationale"] is None:
        del risk["prediction"][0]["rationale"]
    add("risk-assessment", risk)
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": when,
            "identifier": {"system": SESSION_SYSTEM, "value": summary.session_id},
            "entry": entries,
        }
    )
