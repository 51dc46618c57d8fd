"""Calls from the control plane to a media host's internal API (:mod:`shared.mediahost_api`).

Failures are classified once, here:

* connect refused / DNS / reset → 502 ``media_host_unavailable``
* any timeout (connect 2 s, read 10 s by default) → 504 ``media_host_timeout``
* host 5xx → 502 ``media_host_unavailable``; a reply off the contract → 502 ``media_host_error``
* host problem codes → the table :data:`HOST_CODE_MAP` (e.g. ``invalid_sdp`` → 422; a code
  missing there → 502 ``media_host_error``)

Each call is a client span (``relay.offer``, ``relay.candidates``, ``relay.hang_up``,
``relay.health``) and carries the W3C ``traceparent`` header, so the host's spans for the call
join the session's trace (:mod:`shared.telemetry`).
"""

from __future__ import annotations

import logging

import httpx
from opentelemetry.trace import SpanKind, Status, StatusCode
from pydantic import ValidationError

from control_plane.settings import ControlPlaneSettings
from shared.mediahost_api import (
    HEALTH_PATH,
    KEY_HEADER,
    HostAnswer,
    HostCandidates,
    HostOfferRequest,
    candidates_path,
    offer_path,
    session_path,
)
from shared.problems import (
    BadGateway,
    Conflict,
    GatewayTimeout,
    Problem,
    ServiceUnavailable,
    SessionEnded,
    TriageError,
    Unprocessable,
)
from shared.telemetry import inject_trace_headers, session_span

log = logging.getLogger(__name__)

# Host problem code → the error the browser gets. A host-side 401 is our misconfiguration (the
# shared key), never the browser's fault, so it surfaces as a 502.
HOST_CODE_MAP: dict[str, tuple[type[TriageError], str]] = {
    "session_not_found": (Conflict, "media_session_lost"),
    "session_ended": (SessionEnded, "session_ended"),
    "offer_already_accepted": (Conflict, "offer_already_accepted"),
    "no_offer_yet": (Conflict, "no_offer_yet"),
    "invalid_sdp": (Unprocessable, "invalid_sdp"),
    "invalid_candidate": (Unprocessable, "invalid_candidate"),
    "host_draining": (ServiceUnavailable, "media_host_draining"),
    "host_full": (ServiceUnavailable, "media_host_full"),
    "unauthorized": (BadGateway, "media_host_auth_failed"),
}


HANG_UP_READ_TIMEOUT_S = 3.0


class MediaHostRelay:
    """An httpx client bound to the shared key and the relay timeouts."""

    def __init__(
        self, settings: ControlPlaneSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        timeout = httpx.Timeout(
            settings.relay_read_timeout_s, connect=settings.relay_connect_timeout_s
        )
        self._hang_up_timeout = httpx.Timeout(
            min(settings.relay_read_timeout_s, HANG_UP_READ_TIMEOUT_S),
            connect=settings.relay_connect_timeout_s,
        )
        self._client = httpx.AsyncClient(
            timeout=timeout,
            headers={KEY_HEADER: settings.media_host.key.get_secret_value()},
            transport=transport,
            follow_redirects=False,
        )

    async def offer(self, host_url: str, session_id: str, request: HostOfferRequest) -> HostAnswer:
        response = await self._call(
            "POST",
            host_url,
            offer_path(session_id),
            json=request.model_dump(mode="json"),
            operation="offer",
            session_id=session_id,
        )
        try:
            return HostAnswer.model_validate_json(response.content)
        except ValidationError:
            raise BadGateway(
                "the media host sent an answer that is not an SDP answer", code="media_host_error"
            ) from None

    async def candidates(self, host_url: str, session_id: str, body: HostCandidates) -> None:
        await self._call(
            "POST",
            host_url,
            candidates_path(session_id),
            json=body.model_dump(mode="json"),
            operation="candidates",
            session_id=session_id,
        )

    async def hang_up(self, host_url: str, session_id: str) -> None:
        """Best-effort end of the host's call, with a short read timeout: DELETE must stay fast
        even when the host hangs (the host ends the call at ``expires_at`` regardless)."""
        await self._call(
            "DELETE",
            host_url,
            session_path(session_id),
            call_timeout=self._hang_up_timeout,
            operation="hang_up",
            session_id=session_id,
        )

    async def alive(self, host_url: str) -> bool:
        """Whether the host answers its health check (a short probe: the dead-host sweep asks
        this before giving up on a host whose heartbeat is late, e.g. after a storage outage)."""
        try:
            await self._call(
                "GET", host_url, HEALTH_PATH, call_timeout=self._hang_up_timeout, operation="health"
            )
        except TriageError:
            return False
        return True

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _call(
        self,
        method: str,
        host_url: str,
        path: str,
        *,
        json: object | None = None,
        call_timeout: httpx.Timeout | None = None,
        operation: str,
        session_id: str | None = None,
    ) -> httpx.Response:
        with session_span(f"relay.{operation}", session_id, kind=SpanKind.CLIENT) as span:
            response = await self._send(method, host_url, path, json, call_timeout)
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
        if response.is_success:
            return response
        raise _error_from_host(response)

    async def _send(
        self,
        method: str,
        host_url: str,
        path: str,
        json: object | None,
        call_timeout: httpx.Timeout | None,
    ) -> httpx.Response:
        url = host_url.rstrip("/") + path
        headers = inject_trace_headers({})
        try:
            if call_timeout is None:
                return await self._client.request(method, url, json=json, headers=headers)
            return await self._client.request(
                method, url, json=json, headers=headers, timeout=call_timeout
            )
        except httpx.TimeoutException:
            log.warning("media host timed out on %s %s", method, path.rsplit("/", 1)[-1])
            raise GatewayTimeout(
                "the media host did not answer in time", code="media_host_timeout"
            ) from None
        except httpx.HTTPError as exc:
            log.warning("media host unreachable: %s", type(exc).__name__)
            raise BadGateway(
                "the media host is unreachable", code="media_host_unavailable"
            ) from None


def _error_from_host(response: httpx.Response) -> TriageError:
    if response.status_code >= 500 and response.status_code != 503:  # 503 carries host_full etc.
        return BadGateway(
            f"the media host failed (HTTP {response.status_code})", code="media_host_unavailable"
        )
    try:
        problem = Problem.model_validate_json(response.content)
    except ValidationError:
        return BadGateway(
            f"the media host answered HTTP {response.status_code} without a problem body",
            code="media_host_error",
        )
    mapped = HOST_CODE_MAP.get(problem.code)
    if mapped is None:
        if response.status_code == 503:
            return ServiceUnavailable(
                "the media host is unavailable", code="media_host_unavailable"
            )
        return BadGateway(
            f"the media host refused the call ({problem.code})", code="media_host_error"
        )
    error_type, code = mapped
    return error_type(problem.detail or problem.title, code=code)
