"""Azure Web PubSub: the event WebSocket on Azure, where Functions cannot hold WebSockets.

Both halves use the ``azure-messaging-webpubsubservice`` SDK with an Entra ID credential
(``DefaultAzureCredential``; ``AZURE_CLIENT_ID`` picks the user-assigned managed identity) — the
service has local (key) auth disabled, so nothing here holds a key:

* **negotiate** (control plane): :meth:`WebPubSub.client_access` asks the service to mint a
  client access token for ``userId`` = the session id, joined to the group ``session-<id>`` on
  connect, with **no roles** (the connection can only receive), valid one minute (the shortest
  the service grants; it is checked only when connecting). The browser opens the returned URL
  with a plain ``new WebSocket(url)``.
* **publish** (every event writer, after the append): :meth:`WebPubSub.publish` sends each
  event's wire JSON — the same object as long-poll, SSE and the data channel, ``seq`` included —
  as one ``application/json`` message to the session's group. A plain WebSocket client receives
  it as one text message.

Delivery through the service is live-only and best-effort: the log in Table Storage stays the
source of truth, and a client reads what it missed (``GET …/events?after=<last seq>``) and
de-duplicates by ``seq`` (docs/api.md, "On Azure"). So publishing never fails a writer:
:class:`SessionEventForwarder` sends in the background, in seq order, and drops (with a warning
that carries only counts) what it cannot send.

Environment (read by :meth:`WebPubSubSettings.from_env`; unset endpoint = feature off):

- ``TRIAGE_WEB_PUBSUB_ENDPOINT`` — ``https://<name>.webpubsub.azure.com``.
- ``TRIAGE_WEB_PUBSUB_HUB`` — the hub (default ``intake``, as in infra/app/webpubsub.bicep).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import AzureError
from azure.core.pipeline.transport import AsyncHttpTransport
from azure.messaging.webpubsubservice.aio import WebPubSubServiceClient
from pydantic import BaseModel, ConfigDict, Field

from shared.events import Event
from shared.problems import ServiceUnavailable

log = logging.getLogger(__name__)

GROUP_PREFIX = "session-"
# The service's shortest client-token lifetime (minutesToExpire ≥ 1). The token is only checked
# when the WebSocket connects; an open connection outlives it.
CLIENT_TOKEN_MINUTES = 1
NEGOTIATE_RETRY_AFTER_S = 2


class WebPubSubSettings(BaseModel):
    """Where the service is; see the module docstring for the environment variables."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    endpoint: str = Field(pattern=r"^https://[A-Za-z0-9.-]+(:\d{1,5})?/?$", max_length=300)
    hub: str = Field(default="intake", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,127}$")
    managed_identity_client_id: str | None = None
    # Background publishing (media host): how long one event may take before it is dropped.
    publish_timeout_s: float = Field(default=5.0, gt=0, le=60)
    # Inline publishing (control plane, inside a request such as an offer or a DELETE): a slow
    # service may delay that response by at most this much.
    inline_publish_timeout_s: float = Field(default=1.0, gt=0, le=60)
    max_pending: int = Field(default=1000, ge=1, le=100_000)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> WebPubSubSettings | None:
        endpoint = environ.get("TRIAGE_WEB_PUBSUB_ENDPOINT")
        if not endpoint:
            return None
        return cls(
            endpoint=endpoint,
            hub=environ.get("TRIAGE_WEB_PUBSUB_HUB") or "intake",
            managed_identity_client_id=environ.get("AZURE_CLIENT_ID") or None,
        )


def session_group(session_id: str) -> str:
    """The Web PubSub group a session's events go to."""
    return GROUP_PREFIX + session_id


def event_message(event: Event) -> bytes:
    """The message body: the event's wire JSON, as sent on every other channel."""
    return json.dumps(event.wire(), separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class ClientAccess:
    """What the negotiate route hands the browser."""

    url: str
    expires_at: datetime


class WebPubSub:
    """One hub of the service, for one process (the client pools its connections).

    Args:
        settings: endpoint and hub.
        credential: overrides ``DefaultAzureCredential`` (tests pass a fixed token).
        transport: overrides the SDK's HTTP transport (tests capture the requests with it).
    """

    def __init__(
        self,
        settings: WebPubSubSettings,
        *,
        credential: AsyncTokenCredential | None = None,
        transport: AsyncHttpTransport[Any, Any] | None = None,
    ) -> None:
        self.settings = settings
        self._owned_credential: AsyncTokenCredential | None = None
        if credential is None:
            from azure.identity.aio import DefaultAzureCredential

            credential = self._owned_credential = DefaultAzureCredential(
                managed_identity_client_id=settings.managed_identity_client_id
            )
        options: dict[str, Any] = {"retry_total": 2}
        if transport is not None:
            options["transport"] = transport
        self._client = WebPubSubServiceClient(
            settings.endpoint, settings.hub, credential, **options
        )

    async def client_access(self, session_id: str) -> ClientAccess:
        """Mint a receive-only client URL for the session's group.

        Raises:
            ServiceUnavailable: ``web_pubsub_unavailable`` (with ``Retry-After``) when the
                service or the credential fails; the cause is logged without the token.
        """
        expires_at = datetime.now(UTC) + timedelta(minutes=CLIENT_TOKEN_MINUTES)
        try:
            access = await self._client.get_client_access_token(
                user_id=session_id,
                groups=[session_group(session_id)],
                minutes_to_expire=CLIENT_TOKEN_MINUTES,
            )
        except AzureError as exc:
            log.warning("web pubsub negotiate failed (%s)", type(exc).__name__)
            raise ServiceUnavailable(
                "the event WebSocket service is unavailable; use SSE or long-poll, or retry",
                code="web_pubsub_unavailable",
                headers={"Retry-After": str(NEGOTIATE_RETRY_AFTER_S)},
            ) from None
        return ClientAccess(url=str(access["url"]), expires_at=expires_at)

    async def publish(self, session_id: str, events: Sequence[Event]) -> None:
        """Send each event, in order, to the session's group; raises ``AzureError``."""
        group = session_group(session_id)
        for event in events:
            # A stream, sent as is: the SDK would JSON-encode plain bytes (as base64).
            body = io.BytesIO(event_message(event))
            await self._client.send_to_group(group, body, content_type="application/json")

    async def publish_quietly(self, session_id: str, events: Sequence[Event]) -> None:
        """:meth:`publish` within ``inline_publish_timeout_s``, logging (never raising) a
        failure: the events are in the log, and clients fill gaps from it."""
        try:
            await asyncio.wait_for(
                self.publish(session_id, events), self.settings.inline_publish_timeout_s
            )
        except (AzureError, TimeoutError) as exc:
            log.warning("web pubsub publish failed (%s); clients refill from the log", _name(exc))

    async def aclose(self) -> None:
        await self._client.close()
        if self._owned_credential is not None:
            await self._owned_credential.close()


class SessionEventForwarder:
    """Publishes one session's appended events in the background, in seq order.

    :meth:`submit` never blocks (it is called from the event writer's ``on_appended``, on the
    call's hot path); a slow or failing service costs dropped messages — counted, never the
    call's latency. At most ``max_pending`` events wait; beyond that new ones are dropped.
    """

    def __init__(self, hub: WebPubSub, session_id: str) -> None:
        self._hub = hub
        self._session_id = session_id
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue(hub.settings.max_pending)
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.dropped = 0

    def submit(self, events: Sequence[Event]) -> None:
        if self._closed:
            return
        for event in events:
            try:
                self._queue.put_nowait(event)
            except asyncio.QueueFull:
                self.dropped += 1
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="web-pubsub-forwarder"
            )

    async def aclose(self, timeout_s: float = 5.0) -> None:
        """Send what is queued (for at most `timeout_s`), then stop. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._task is None:
            return
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout_s)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._queue.qsize() or self.dropped:
            log.warning(
                "web pubsub: %d events of a session not published (clients refill from the log)",
                self._queue.qsize() + self.dropped,
            )

    async def _run(self) -> None:
        while True:
            event = await self._queue.get()
            if event is None:
                return
            try:
                await asyncio.wait_for(
                    self._hub.publish(self._session_id, [event]),
                    self._hub.settings.publish_timeout_s,
                )
            except (AzureError, TimeoutError) as exc:
                self.dropped += 1
                log.warning("web pubsub publish failed (%s)", _name(exc))
            except Exception:
                self.dropped += 1
                log.exception("web pubsub publish crashed")
            if self._closed and self._queue.empty():
                return


def _name(exc: BaseException) -> str:
    return type(exc).__name__
