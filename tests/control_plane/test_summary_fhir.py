"""The FHIR R4 hand-off: ``GET …/summary?format=fhir`` built from the stored summary."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from fhir.resources.R4B.bundle import Bundle

from shared.intake_summary import (
    Demographics,
    Disposition,
    Finding,
    History,
    IntakeSummary,
    Level,
    Presence,
    RedFlagHit,
)
from shared.storage import SessionStore, TableStore
from tests.control_plane.conftest import assert_problem, bearer, new_session


def _summary(session_id: str) -> IntakeSummary:
    return IntakeSummary(
        session_id=session_id,
        language="en",
        chief_complaint="chest_pain",
        chief_complaint_label="chest pain",
        findings_present=[
            Finding(concept_id="chest_pain", label="chest pain", snomed_ct="29857009", severity=8)
        ],
        findings_absent=[Finding(concept_id="fever", label="fever", presence=Presence.ABSENT)],
        demographics=Demographics(age_years=58, sex="male"),
        history=History(conditions=["diabetes"]),
        red_flags=[
            RedFlagHit(
                rule_id="acs_chest_pain",
                level=Level.EMERGENCY,
                title="Possible heart attack",
                advice="Call an ambulance now.",
                rationale="chest pain with risk factors",
                source="NICE CG95",
                evidence=("chest_pain",),
            )
        ],
        disposition=Disposition(
            level=Level.EMERGENCY, matched_rules=["acs_chest_pain"], advice="Call an ambulance."
        ),
        completed_at=datetime(2026, 1, 1, 10, 0, tzinfo=UTC),
    )


async def test_fhir_bundle_is_a_valid_r4_collection_of_the_stored_summary(
    client: httpx.AsyncClient, store: TableStore
) -> None:
    sid, token = await new_session(client)
    await SessionStore(store).set_summary(sid, _summary(sid).model_dump(mode="json"))
    response = await client.get(
        f"/api/intake/sessions/{sid}/summary", params={"format": "fhir"}, headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    assert response.headers["cache-control"] == "no-store"
    disposition = response.headers["content-disposition"]
    assert disposition == f'attachment; filename="intake-{sid}.fhir.json"'
    bundle = Bundle.model_validate_json(response.content)  # raises if not valid R4(B)
    assert bundle.type == "collection"
    assert bundle.identifier is not None and bundle.identifier.value == sid
    kinds = sorted(entry.resource.get_resource_type() for entry in bundle.entry or [])
    assert kinds == [
        "Condition",
        "Observation",  # age
        "Observation",  # chest pain
        "Observation",  # fever (absent)
        "Patient",
        "QuestionnaireResponse",
        "RiskAssessment",
    ]
    risk = next(
        e.resource for e in bundle.entry or [] if e.resource.__resource_type__ == "RiskAssessment"
    )
    assert risk.prediction[0].qualitativeRisk.coding[0].code == "high"


async def test_fhir_and_json_formats_share_the_summary_route_authorisation(
    client: httpx.AsyncClient, store: TableStore
) -> None:
    sid, token = await new_session(client)
    other_sid, other_token = await new_session(client)
    url = f"/api/intake/sessions/{sid}/summary"
    fhir = {"format": "fhir"}
    assert_problem(await client.get(url, params=fhir), 401, "missing_token")
    assert_problem(
        await client.get(url, params=fhir, headers=bearer("x" * 43)), 401, "invalid_token"
    )
    assert_problem(
        await client.get(url, params=fhir, headers=bearer(other_token)), 404, "session_not_found"
    )
    assert_problem(
        await client.get(url, params=fhir, headers=bearer(token)), 409, "summary_not_ready"
    )
    assert_problem(
        await client.get(url, params={"format": "xml"}, headers=bearer(token)),
        422,
        "validation_error",
    )
    assert other_sid != sid


async def test_a_stored_summary_off_the_schema_is_refused_not_exported(
    client: httpx.AsyncClient, store: TableStore
) -> None:
    sid, token = await new_session(client)
    await SessionStore(store).set_summary(sid, {"chief_complaint": "headache"})
    url = f"/api/intake/sessions/{sid}/summary"
    assert_problem(
        await client.get(url, params={"format": "fhir"}, headers=bearer(token)),
        409,
        "summary_not_exportable",
    )
    plain = await client.get(url, headers=bearer(token))  # the JSON view still serves it
    assert plain.json()["summary"] == {"chief_complaint": "headache"}
