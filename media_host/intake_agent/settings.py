"""Settings of the intake agent: passed into constructors; only entry points read the env."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

ENV_PREFIX = "TRIAGE_AGENT_"


class AgentSettings(BaseModel):
    """Configuration of :class:`~media_host.intake_agent.agent.IntakeAgent`.

    Attributes:
        extraction_backend: ``"rules"`` (deterministic, default) or ``"azure_openai"`` (structured
            output from an Azure OpenAI deployment, falling back to rules on any failure).
        azure_openai_endpoint: e.g. ``https://myres.openai.azure.com``.
        azure_openai_deployment: chat deployment name.
        azure_openai_api_version: REST API version of the chat-completions endpoint.
        azure_openai_api_key: API key; when absent, an Entra ID bearer token is used.
        azure_openai_timeout_s: per-request timeout; on timeout the rules extractor answers.
        assertion: how findings are read as negated / uncertain / historical / family:
            ``"scope"`` (the trigger table, default), ``"context"`` (medspaCy ConText),
            ``"context_pyrush"`` (ConText with PyRuSH sentences, slow) or ``"context_triage"``
            (ConText with rules adapted to triage); the ConText ones need the ``context`` extra.
            See ``extraction/assertion_context.py``.
        max_utterance_chars: longer utterances are cut to this length (with a notice).
        supported_languages: session languages accepted by ``start_session``.
        checkpoint_table: Azure Table holding the interview checkpoints.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    extraction_backend: Literal["rules", "azure_openai"] = "rules"
    azure_openai_endpoint: str | None = None
    azure_openai_deployment: str | None = None
    azure_openai_api_version: str = "2024-10-21"
    azure_openai_api_key: SecretStr | None = None
    azure_openai_timeout_s: float = Field(default=8.0, gt=0, le=60)
    assertion: Literal["scope", "context", "context_pyrush", "context_triage"] = "scope"
    max_utterance_chars: int = Field(default=2000, ge=50, le=20_000)
    supported_languages: tuple[str, ...] = ("en", "es")
    checkpoint_table: str = Field(
        default="intakecheckpoints", pattern=r"^[A-Za-z][A-Za-z0-9]{2,62}$"
    )

    @field_validator("supported_languages")
    @classmethod
    def _known_languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = set(value) - {"en", "es"}
        if unknown or not value:
            raise ValueError("supported_languages must be a non-empty subset of ('en', 'es')")
        return value

    @model_validator(mode="after")
    def _azure_needs_endpoint(self) -> AgentSettings:
        if self.extraction_backend == "azure_openai" and not (
            self.azure_openai_endpoint and self.azure_openai_deployment
        ):
            raise ValueError("azure_openai backend needs azure_openai_endpoint and _deployment")
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> AgentSettings:
        """Build settings from ``TRIAGE_AGENT_*`` variables (for entry points only).

        Recognised: ``TRIAGE_AGENT_EXTRACTION_BACKEND``, ``TRIAGE_AGENT_AZURE_OPENAI_ENDPOINT``,
        ``..._DEPLOYMENT``, ``..._API_VERSION``, ``..._API_KEY``, ``..._TIMEOUT_S``,
        ``TRIAGE_AGENT_ASSERTION``, ``TRIAGE_AGENT_MAX_UTTERANCE_CHARS``,
        ``TRIAGE_AGENT_SUPPORTED_LANGUAGES`` (comma list), ``TRIAGE_AGENT_CHECKPOINT_TABLE``.
        """
        values: dict[str, object] = {}
        for name in cls.model_fields:
            raw = environ.get(ENV_PREFIX + name.upper())
            if raw is None or raw == "":
                continue
            if name == "supported_languages":
                values[name] = tuple(p.strip() for p in raw.split(",") if p.strip())
            else:
                values[name] = raw
        return cls.model_validate(values)
