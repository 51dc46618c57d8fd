"""Settings of the realtime bridge: where the model is, how we authenticate, how the session is
configured, and how we reconnect. Only :meth:`RealtimeSettings.from_env` reads the environment.

Environment variables (entry points only):

- ``TRIAGE_REALTIME_MODE`` — ``local`` (default: the offline engine) or ``azure``.
- ``TRIAGE_REALTIME_URL`` — WebSocket base URL of the local engine (``ws://127.0.0.1:8765/v1``),
  or an override of the Azure base URL (tests point it at a local server).
- ``AZURE_FOUNDRY_ENDPOINT`` — ``https://<resource>.openai.azure.com`` (azure mode).
- ``AZURE_FOUNDRY_API_KEY`` — key auth; when absent, Entra ID (``DefaultAzureCredential``).
- ``AZURE_DEPLOYMENT_NAME_REALTIME`` — the realtime deployment (sent as ``?model=``).
- ``AZURE_API_VERSION`` — ignored with a warning: the GA ``/openai/v1`` endpoint has no
  api-version and the preview versions were retired in 2026.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

log = logging.getLogger(__name__)

ENTRA_SCOPE = "https://cognitiveservices.azure.com/.default"
DEFAULT_LOCAL_URL = "ws://127.0.0.1:8765/v1"

_api_version_warned = False


class TurnDetectionSettings(BaseModel):
    """Server-side turn detection. The model never answers on its own (``create_response``
    false): every response is asked for by the bridge with the intake agent's sentence."""

    model_config = ConfigDict(frozen=True)

    type: Literal["server_vad", "semantic_vad"] = "server_vad"
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    prefix_padding_ms: int = Field(default=300, ge=0, le=2_000)
    silence_duration_ms: int = Field(default=600, ge=100, le=5_000)
    eagerness: Literal["low", "medium", "high", "auto"] = "auto"  # semantic_vad only
    # The server cancels its own response as soon as the patient speaks: the fastest barge-in.
    interrupt_response: bool = True


class ReconnectSettings(BaseModel):
    """Exponential backoff with full jitter between reconnect attempts."""

    model_config = ConfigDict(frozen=True)

    initial_delay_s: float = Field(default=0.25, gt=0, le=10)
    max_delay_s: float = Field(default=5.0, gt=0, le=120)
    max_attempts: int = Field(default=6, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> ReconnectSettings:
        if self.max_delay_s < self.initial_delay_s:
            raise ValueError("reconnect max_delay_s must be >= initial_delay_s")
        return self


class RealtimeSettings(BaseModel):
    """Everything the bridge needs to reach and configure the realtime model.

    Azure and local differ only in URL and authentication; the protocol is the GA one for both.
    """

    model_config = ConfigDict(frozen=True)

    mode: Literal["local", "azure"] = "local"
    # local: the engine's ws base URL; azure: optional override of https://<res>/openai/v1.
    websocket_base_url: str | None = None
    azure_endpoint: str | None = None
    azure_deployment: str | None = Field(default=None, max_length=128)
    api_key: SecretStr | None = None  # None in azure mode → Entra ID via azure-identity
    model: str = Field(default="gpt-realtime", min_length=1, max_length=128)  # local mode only

    voice: str = Field(default="alloy", min_length=1, max_length=64)
    transcription_model: str = Field(default="gpt-4o-mini-transcribe", min_length=1, max_length=64)
    turn_detection: TurnDetectionSettings = Field(default_factory=TurnDetectionSettings)

    append_chunk_ms: int = Field(default=60, ge=20, le=200)
    reconnect_buffer_s: float = Field(default=4.0, ge=0.5, le=30)  # audio kept while offline
    transcript_batch_ms: int = Field(default=200, ge=20, le=2_000)
    transcript_wait_s: float = Field(default=10.0, ge=0.5, le=120)  # hold for conversation order
    reconnect: ReconnectSettings = Field(default_factory=ReconnectSettings)
    # Azure caps a session at 30 minutes; rotate at a quiet moment before that.
    rotate_after_s: float = Field(default=25 * 60, ge=1, le=60 * 60)
    connect_timeout_s: float = Field(default=10.0, gt=0, le=120)
    # How long one patient utterance is retried through the intake agent (storage or model
    # trouble) before the patient is asked to say it again; covers a storage outage of ~20 s.
    agent_retry_budget_s: float = Field(default=30.0, ge=0, le=300)

    @model_validator(mode="after")
    def _complete(self) -> RealtimeSettings:
        if self.mode == "azure":
            if not self.azure_endpoint and not self.websocket_base_url:
                raise ValueError("azure mode needs AZURE_FOUNDRY_ENDPOINT (https://<res>...)")
            if not self.azure_deployment:
                raise ValueError("azure mode needs AZURE_DEPLOYMENT_NAME_REALTIME")
        return self

    @property
    def model_name(self) -> str:
        """What goes into ``?model=``: the Azure deployment, or the local model name."""
        if self.mode == "azure" and self.azure_deployment:
            return self.azure_deployment
        return self.model

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> RealtimeSettings:
        """Build settings from the environment (entry points only)."""
        global _api_version_warned
        if environ.get("AZURE_API_VERSION") and not _api_version_warned:
            _api_version_warned = True
            log.warning(
                "AZURE_API_VERSION is set but ignored: the realtime bridge uses the GA endpoint "
                "/openai/v1/realtime (the preview api-versions were retired in 2026)"
            )
        mode = environ.get("TRIAGE_REALTIME_MODE", "local").strip().lower() or "local"
        if mode not in ("local", "azure"):
            raise ValueError("TRIAGE_REALTIME_MODE must be 'local' or 'azure'")
        key = environ.get("AZURE_FOUNDRY_API_KEY")
        url = environ.get("TRIAGE_REALTIME_URL") or None
        return cls(
            mode=mode,  # type: ignore[arg-type]  # checked just above
            websocket_base_url=url if url or mode == "azure" else DEFAULT_LOCAL_URL,
            azure_endpoint=environ.get("AZURE_FOUNDRY_ENDPOINT") or None,
            azure_deployment=environ.get("AZURE_DEPLOYMENT_NAME_REALTIME") or None,
            api_key=SecretStr(key) if key else None,
        )
