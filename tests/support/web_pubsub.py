"""The Web PubSub SDK's request pipeline, intercepted: no network, every request recorded.

:class:`CapturingTransport` is an azure-core transport (what the SDK sends its HTTP requests
through, after its own policies — authentication included — have run). It records each request
and answers like the service: 200 with a token for ``:generateToken``, 202 for ``:send``. A test
can make it fail (``fail_with``) to see how the callers cope.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import AsyncHttpTransport
from azure.core.rest import AsyncHttpResponse, HttpRequest

ENDPOINT = "https://wps-test.webpubsub.azure.com"
ENTRA_TOKEN = "entra-access-token-for-tests"
CLIENT_TOKEN = "client.jwt.minted-by-the-service"


class FixedCredential:
    """An Entra ID credential that hands out one fixed token (``AsyncTokenCredential``)."""

    def __init__(self) -> None:
        self.scopes: list[str] = []

    async def get_token(self, *scopes: str, **_: Any) -> AccessToken:
        self.scopes.extend(scopes)
        return AccessToken(ENTRA_TOKEN, 2**31 - 1)

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> FixedCredential:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None


@dataclass
class Captured:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.url).query)


class CannedResponse(AsyncHttpResponse):
    """A complete, already-read response (the abstract members the pipeline may touch)."""

    def __init__(self, request: HttpRequest, status: int, body: bytes = b"") -> None:
        self._request = request
        self._status = status
        self._body = body
        self._headers = {"Content-Type": "application/json"} if body else {}

    @property
    def request(self) -> HttpRequest:
        return self._request

    @property
    def status_code(self) -> int:
        return self._status

    @property
    def headers(self) -> Any:
        return self._headers

    @property
    def reason(self) -> str:
        return "OK" if self._status < 400 else "Error"

    @property
    def content_type(self) -> str | None:
        return self._headers.get("Content-Type")

    @property
    def is_closed(self) -> bool:
        return True

    @property
    def is_stream_consumed(self) -> bool:
        return True

    @property
    def encoding(self) -> str | None:
        return "utf-8"

    @property
    def url(self) -> str:
        return str(self._request.url)

    @property
    def content(self) -> bytes:
        return self._body

    def text(self, encoding: str | None = None) -> str:
        return self._body.decode(encoding or "utf-8")

    def json(self) -> Any:
        return json.loads(self._body)

    def raise_for_status(self) -> None:
        return None

    async def read(self) -> bytes:
        return self._body

    async def iter_raw(self, **_: Any) -> AsyncIterator[bytes]:
        yield self._body

    async def iter_bytes(self, **_: Any) -> AsyncIterator[bytes]:
        yield self._body

    async def close(self) -> None:
        return None

    async def __aexit__(self, *exc_info: object) -> None:
        return None


@dataclass
class CapturingTransport(AsyncHttpTransport):
    """Records what the SDK would send and answers as the service does."""

    requests: list[Captured] = field(default_factory=list)
    fail_with: int | None = None  # answer every request with this status instead
    hang: bool = False  # never answer (a service that accepted the connection and stalls)

    async def send(self, request: Any, **_: Any) -> AsyncHttpResponse:
        content = request.content
        # The SDK sends bytes (a stream) as they are; anything else it would JSON-encode first.
        body = content.getvalue() if hasattr(content, "getvalue") else str(content or "").encode()
        self.requests.append(
            Captured(request.method, str(request.url), dict(request.headers), body)
        )
        if self.hang:
            await asyncio.Event().wait()
        if self.fail_with is not None:
            return CannedResponse(request, self.fail_with, b'{"error": "refused"}')
        if request.url.split("?")[0].endswith("/:generateToken"):
            return CannedResponse(request, 200, json.dumps({"token": CLIENT_TOKEN}).encode())
        return CannedResponse(request, 202)

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> CapturingTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None

    def sends(self) -> list[Captured]:
        return [r for r in self.requests if r.path.endswith("/:send")]
