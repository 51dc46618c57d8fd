"""AzureOpenAIExtractor against a local fake of the chat-completions HTTP endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from media_host.intake_agent.extraction import RulesExtractor
from media_host.intake_agent.extraction.azure_openai import AzureOpenAIExtractor
from media_host.intake_agent.models import Answer, Presence, QuestionContext
from media_host.intake_agent.settings import AgentSettings
from tests.agent_graph.fake_openai import FakeAzureOpenAI

DEPLOYMENT = "triage-extract"
API_VERSION = "2024-10-21"
UTTERANCE = "I have crushing chest pain since this morning, no fever."


@pytest.fixture
def fake() -> Iterator[FakeAzureOpenAI]:
    server = FakeAzureOpenAI().start()
    yield server
    server.stop()


def _extractor(fake: FakeAzureOpenAI, **kwargs: Any) -> AzureOpenAIExtractor:
    params = {"api_key": "test-key", "timeout_s": 5.0, **kwargs}
    return AzureOpenAIExtractor(
        endpoint=fake.endpoint,
        deployment=DEPLOYMENT,
        api_version=API_VERSION,
        fallback=RulesExtractor(),
        **params,
    )


def _good_output() -> dict[str, Any]:
    start = UTTERANCE.index("crushing chest pain")
    return {
        "findings": [
            {
                "concept_id": "chest_pain",
                "presence": "present",
                "character": "crushing",
                "onset": "this morning",
                "severity": 8,
                "evidence": [
                    {"start": start, "end": start + 19, "quote": "crushing chest pain"},
                    {"start": 0, "end": 5, "quote": "fever"},  # does not match: dropped
                ],
            },
            {"concept_id": "fever", "presence": "absent"},
            {"concept_id": "made_up_concept", "presence": "present"},  # unknown: dropped
        ],
        "demographics": {"age_years": 54},
        "answer": None,
    }


def test_structured_output_is_validated_into_extraction(fake: FakeAzureOpenAI) -> None:
    fake.reply_json(_good_output())
    context = QuestionContext(kind="complaint")
    result = _extractor(fake).extract(UTTERANCE, item_id="item-1", language="en", context=context)

    assert result.backend == "azure_openai"
    by_id = {f.concept_id: f for f in result.findings}
    assert set(by_id) == {"chest_pain", "fever"}
    chest = by_id["chest_pain"]
    assert chest.label == "chest pain" and chest.snomed_ct == "29857009"  # from the lexicon
    assert chest.severity == 8 and chest.character == "crushing"
    assert [(s.item_id, UTTERANCE[s.start : s.end]) for s in chest.provenance] == [
        ("item-1", "crushing chest pain")
    ]
    assert by_id["fever"].presence == Presence.ABSENT
    assert result.demographics.age_years == 54
    assert any("unknown concept" in t for t in result.trace)
    assert any("span not matching" in t for t in result.trace)

    (request,) = fake.requests
    assert request.path == f"/openai/deployments/{DEPLOYMENT}/chat/completions"
    assert request.query["api-version"] == [API_VERSION]
    assert request.headers["api-key"] == "test-key"
    assert "authorization" not in request.headers
    messages = request.body["messages"]
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[1]["content"] == UTTERANCE
    assert "kind=complaint" in messages[0]["content"]
    assert "chest_pain" in messages[0]["content"]
    assert request.body["response_format"]["type"] == "json_schema"
    assert request.body["temperature"] == 0


def test_bearer_token_provider_is_sent_instead_of_api_key(fake: FakeAzureOpenAI) -> None:
    fake.reply_json({"findings": [], "answer": "yes"})
    extractor = _extractor(fake, api_key=None, token_provider=lambda: "entra-token-123")
    result = extractor.extract("yes", item_id="i2", language="es")
    assert result.answer == Answer.YES and result.backend == "azure_openai"
    (request,) = fake.requests
    assert request.headers["authorization"] == "Bearer entra-token-123"
    assert "api-key" not in request.headers


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, b'{"error": {"code": "InternalServerError", "message": "boom"}}'),
        (429, b'{"error": {"code": "429", "message": "rate limited"}}'),
        (200, b"this is not json at all"),
    ],
    ids=["http-500", "http-429", "garbage-body"],
)
def test_http_failures_fall_back_to_rules_with_trace(
    fake: FakeAzureOpenAI, status: int, body: bytes
) -> None:
    fake.reply_raw(status, body)
    result = _extractor(fake).extract(UTTERANCE, item_id="i3", language="en")
    assert result.backend == "rules"
    assert any(t.startswith("azure_openai failed:") and "used rules" in t for t in result.trace)
    assert "chest_pain" in {f.concept_id for f in result.findings}  # the rules still extracted
    assert len(fake.requests) == 1  # no retries: the patient is waiting


@pytest.mark.parametrize(
    "content",
    ["{not valid json", '{"findings": [{"concept_id": "chest_pain", "severity": 42}]}'],
    ids=["invalid-json-content", "schema-violation"],
)
def test_invalid_model_output_falls_back(fake: FakeAzureOpenAI, content: str) -> None:
    fake.reply_json(content)
    result = _extractor(fake).extract(UTTERANCE, item_id="i4", language="en")
    assert result.backend == "rules"
    assert any("azure_openai failed" in t for t in result.trace)


def test_timeout_falls_back(fake: FakeAzureOpenAI) -> None:
    fake.reply_raw(200, b"{}", delay_s=1.5)
    result = _extractor(fake, timeout_s=0.3).extract(UTTERANCE, item_id="i5", language="en")
    assert result.backend == "rules"
    assert any("azure_openai failed" in t and "Timeout" in t for t in result.trace)


def test_from_settings_and_agent_uses_backend(fake: FakeAzureOpenAI) -> None:
    settings = AgentSettings(
        extraction_backend="azure_openai",
        azure_openai_endpoint=fake.endpoint,
        azure_openai_deployment=DEPLOYMENT,
        azure_openai_api_key=SecretStr("k-from-settings"),
    )
    fake.reply_json({"findings": [{"concept_id": "headache"}]})
    extractor = AzureOpenAIExtractor.from_settings(settings, fallback=RulesExtractor())
    result = extractor.extract("my head hurts", item_id="i6", language="en")
    assert [f.concept_id for f in result.findings] == ["headache"]
    assert fake.requests[0].headers["api-key"] == "k-from-settings"


def test_settings_validation() -> None:
    with pytest.raises(ValueError):
        AgentSettings(extraction_backend="azure_openai")
    with pytest.raises(ValueError):
        AgentSettings(supported_languages=("fr",))
    env = {
        "TRIAGE_AGENT_EXTRACTION_BACKEND": "rules",
        "TRIAGE_AGENT_MAX_UTTERANCE_CHARS": "500",
        "TRIAGE_AGENT_SUPPORTED_LANGUAGES": "en, es",
        "UNRELATED": "x",
    }
    settings = AgentSettings.from_env(env)
    assert settings.max_utterance_chars == 500 and settings.supported_languages == ("en", "es")
