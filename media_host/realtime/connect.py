"""Build the SDK client and open a realtime connection — the only place local and Azure differ.

Both use ``openai.AsyncOpenAI`` and the GA protocol; they differ in URL and auth only:

- local: ``<TRIAGE_REALTIME_URL>/realtime?model=<model>`` (the offline engine), no real auth.
- Azure: ``wss://<resource>.openai.azure.com/openai/v1/realtime?model=<deployment>`` with
  ``api-key: <key>`` or, without a key, ``Authorization: Bearer <Entra token>`` from an
  azure-identity credential (scope ``https://cognitiveservices.azure.com/.default``), fetched
  again on every (re)connect.

Why not ``AsyncAzureOpenAI``: its realtime path builds the retired preview URL
(``/openai/realtime?api-version=…&deployment=…``); the GA endpoint is a plain OpenAI-style
``/openai/v1`` base URL, which ``AsyncOpenAI`` handles — we only swap the auth header.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from azure.core.exceptions import ClientAuthenticationError
from openai import AsyncOpenAI, Omit
from websockets.exceptions import InvalidHandshake, InvalidStatus

from media_host.realtime.errors import ErrorKind, ModelConnectionError, RealtimeConfigError
from media_host.realtime.settings import DEFAULT_LOCAL_URL, ENTRA_SCOPE, RealtimeSettings

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential
    from openai.resources.realtime.realtime import AsyncRealtimeConnection

TokenProvider = Callable[[], Awaitable[str]]


def realtime_base_url(settings: RealtimeSettings) -> str:
    """The base URL the SDK appends ``/realtime?model=…`` to."""
    if settings.websocket_base_url:
        return settings.websocket_base_url.rstrip("/")
    if settings.mode == "azure":
        if not settings.azure_endpoint:
            raise RealtimeConfigError("azure mode needs an endpoint")
        endpoint = settings.azure_endpoint.rstrip("/")
        if not endpoint.startswith("https://"):
            raise RealtimeConfigError("the Azure endpoint must be https://<resource>...")
        return endpoint.removesuffix("/openai/v1").removesuffix("/openai") + "/openai/v1"
    return DEFAULT_LOCAL_URL


class ModelConnector:
    """Opens realtime connections for one bridge; owns the Entra credential if it made one.

    Args:
        settings: Where and how to connect.
        credential: Azure-mode Entra credential (any azure-identity async TokenCredential);
            defaults to ``DefaultAzureCredential`` when no API key is configured.
    """

    def __init__(
        self, settings: RealtimeSettings, *, credential: AsyncTokenCredential | None = None
    ) -> None:
        self._settings = settings
        self._owned_credential: AsyncTokenCredential | None = None
        self._client = self._build_client(credential)

    def _build_client(self, credential: AsyncTokenCredential | None) -> AsyncOpenAI:
        s = self._settings
        base = realtime_base_url(s)
        http_base = base.replace("wss://", "https://", 1).replace("ws://", "http://", 1)
        if s.mode == "local":
            return AsyncOpenAI(api_key="local-engine", base_url=http_base, websocket_base_url=base)
        if s.api_key is not None:
            key = s.api_key.get_secret_value()
            # Azure key auth is the `api-key` header; the SDK's bearer header is suppressed.
            headers: dict[str, str | Omit] = {"api-key": key, "Authorization": Omit()}
            return AsyncOpenAI(
                api_key=key,
                base_url=http_base,
                websocket_base_url=base,
                default_headers=headers,  # type: ignore[arg-type]  # Omit removes a header
            )
        from azure.identity.aio import DefaultAzureCredential, get_bearer_token_provider

        if credential is None:
            credential = self._owned_credential = DefaultAzureCredential()
        provider: TokenProvider = get_bearer_token_provider(credential, ENTRA_SCOPE)
        # An async api_key provider is called on every connect: a fresh bearer token each time.
        return AsyncOpenAI(api_key=provider, base_url=http_base, websocket_base_url=base)

    async def connect(self) -> AsyncRealtimeConnection:
        """Open one realtime connection.

        Raises:
            ModelConnectionError: kind PERMANENT for refused credentials/endpoint (HTTP 401,
                403, 404), RETRYABLE for network trouble, timeouts and server errors.
        """
        manager = self._client.realtime.connect(model=self._settings.model_name)
        try:
            async with asyncio.timeout(self._settings.connect_timeout_s):
                return await manager.enter()
        except InvalidStatus as exc:
            status = exc.response.status_code
            kind = ErrorKind.PERMANENT if status in (400, 401, 403, 404) else ErrorKind.RETRYABLE
            raise ModelConnectionError(
                f"model endpoint answered HTTP {status}", kind=kind, code=f"http_{status}"
            ) from exc
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            raise ModelConnectionError(
                f"cannot reach the model ({type(exc).__name__})",
                kind=ErrorKind.RETRYABLE,
                code="connect_failed",
            ) from exc
        except ClientAuthenticationError as exc:  # Entra: no identity / no role assignment
            raise ModelConnectionError(
                "no Entra ID token for the model", kind=ErrorKind.PERMANENT, code="entra_auth"
            ) from exc

    async def aclose(self) -> None:
        await self._client.close()
        if self._owned_credential is not None:
            await self._owned_credential.close()
