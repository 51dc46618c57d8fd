"""FHIR R4 (R4B models) export of intake summaries, validated by re-parsing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from media_host.intake_agent.models import (
    Demographics,
    Disposition,
    Finding,
    History,
    IntakeSummary,
    Level,
    Presence,
    RedFlagHit,
)
from shared.fhir import SNOMED, summary_to_fhir_bundle
from tests.agent_graph.conftest import Interview


def _summary() -> IntakeSummary:
    return IntakeSummary(
        session_id="fhir-1",
        language="en",
        chief_complaint="chest_pain",
        chief_complaint_label="chest pain",
        findings_present=[
            Finding(
                concept_id="chest_pain",
                label="chest pain",
                snomed_ct="29857009",
                severity=8,
                onset="sudden",
                duration_hours=2.5,
                radiation="left arm",
            )
        ],
        findings_absent=[
            Finding(
                concept_id="fever", label="fever", snomed_ct="386661006", presence=Presence.ABSENT
            )
        ],
        findings_uncertain=[
            Finding(concept_id="nausea", label="nausea", presence=Presence.UNCERTAIN)
        ],
        demographics=Demographics(age_years=54, sex="male"),
        history=History(
            conditions=["diabetes", "hypertension"],
            medications=["metformin"],
            no_known_allergies=True,
        ),
        red_flags=[
            RedFlagHit(
                rule_id="acs_chest_pain",
                level=Level.EMERGENCY,
                title="Possible ACS",
                advice="Call now.",
                rationale="r",
                source="NICE CG95",
                evidence=("chest_pain",),
            )
        ],
        disposition=Disposition(
            level=Level.EMERGENCY,
            matched_rules=["acs_chest_pain"],
            rationale=["Chest pain with red flag"],
            advice="Call now.",
        ),
        completed_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        confirmed_by_patient=True,
    )


def _resources(bundle: Bundle) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for entry in bundle.entry or []:
        assert entry.resource is not None
        out.setdefault(entry.resource.get_resource_type(), []).append(entry.resource)
    return out


def test_bundle_round_trips_and_carries_the_clinical_content() -> None:
    bundle = summary_to_fhir_bundle(_summary())
    reparsed = Bundle.model_validate_json(bundle.model_dump_json())
    assert reparsed.type == "collection"
    resources = _resources(reparsed)
    assert sorted(resources) == [
        "Condition",
        "Observation",
        "Patient",
        "QuestionnaireResponse",
        "RiskAssessment",
    ]
    assert len(resources["Condition"]) == 2
    chest = next(o for o in resources["Observation"] if o.code.text == "chest pain")
    assert (chest.code.coding[0].system, chest.code.coding[0].code) == (SNOMED, "29857009")
    assert chest.valueCodeableConcept.coding[0].code == "52101004"  # present
    components = {c.code.text: c for c in chest.component}
    assert components["severity (0-10)"].valueInteger == 8
    assert components["duration"].valueQuantity.value == 2.5
    assert components["radiation"].valueString == "left arm"
    fever = next(o for o in resources["Observation"] if o.code.text == "fever")
    assert fever.valueCodeableConcept.coding[0].code == "2667000"  # absent
    risk = resources["RiskAssessment"][0]
    assert risk.prediction[0].qualitativeRisk.coding[0].code == "high"
    assert risk.basis and risk.basis[0].reference == next(
        e.fullUrl
        for e in reparsed.entry or []
        if e.resource is not None and e.resource.id == chest.id
    )
    qr = resources["QuestionnaireResponse"][0]
    link_ids = [item.linkId for item in qr.item]
    assert {"chief-complaint", "finding-chest_pain", "age", "sex", "conditions"} <= set(link_ids)
    assert resources["Patient"][0].gender == "male"
    # Every reference points at an entry of the bundle.
    full_urls = {e.fullUrl for e in reparsed.entry or []}
    assert chest.subject.reference in full_urls


def test_export_is_deterministic() -> None:
    assert (
        summary_to_fhir_bundle(_summary()).model_dump_json()
        == summary_to_fhir_bundle(_summary()).model_dump_json()
    )


async def test_summary_of_a_real_interview_exports(interview: Interview) -> None:
    await interview.start()
    await interview.say("yes")
    await interview.say("I have had a headache since yesterday, 4 out of 10")
    turn = await interview.answer_until_end("no")
    assert turn.summary is not None
    bundle = Bundle.model_validate_json(summary_to_fhir_bundle(turn.summary).model_dump_json())
    types = {e.resource.get_resource_type() for e in bundle.entry or [] if e.resource}
    assert {"Patient", "QuestionnaireResponse", "Observation", "RiskAssessment"} <= types


def test_uninterpreted_words_reach_the_clinician_in_the_bundle() -> None:
    summary = _summary().model_copy(update={"not_interpreted": ["hepatosplenomegaly"]})
    risk = _resources(summary_to_fhir_bundle(summary))["RiskAssessment"][0]
    assert any("hepatosplenomegaly" in (note.text or "") for note in risk.note or [])
