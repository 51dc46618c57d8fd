"""The one way into Table Storage: :class:`TableStore` and the azure → our-error translation.

``TableStore.from_settings`` picks the connection from :class:`~shared.config.StorageSettings`:
a connection string (Azurite, local) wins; otherwise the account's table endpoint with an
azure-identity credential (a user-assigned managed identity in Azure). Every module under
``shared.storage`` gets its aio ``TableClient`` from here and wraps calls in
:func:`storage_errors`, so callers only ever see :class:`~shared.problems.TriageError`.
"""

from __future__ import annotations

import contextlib
import logging
import urllib.request
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Final

from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import AzureError, HttpResponseError, ResourceExistsError
from azure.core.pipeline import PipelineRequest
from azure.data.tables.aio import TableClient, TableServiceClient

from shared.config import StorageSettings
from shared.metrics import count_storage_retry
from shared.problems import StorageError, TriageError

log = logging.getLogger(__name__)

SESSIONS: Final = "sessions"
EVENTS: Final = "events"
MEDIAHOSTS: Final = "mediahosts"
ALL_TABLES: Final = (SESSIONS, EVENTS, MEDIAHOSTS)


def default_client_options() -> dict[str, Any]:
    """Client options: read proxy settings from the environment only when one is configured.

    With ``use_env_settings`` on (the SDK default), the aiohttp transport looks up ``.netrc``
    and the proxy environment variables in worker threads on *every* request — two thread
    hand-offs per storage request, which cost more CPU than the request itself. When no
    ``*_proxy`` variable is set those lookups can find nothing (the storage account
    authenticates with its key or a token, never ``.netrc``), so they are switched off.
    """
    return {"use_env_settings": bool(urllib.request.getproxies_environment())}


@contextlib.asynccontextmanager
async def storage_errors(action: str) -> AsyncIterator[None]:
    """Translate any azure-core error escaping the block into :class:`StorageError`.

    Callers handle the outcomes they expect (404, 409, 412) inside the block; everything else is
    an outage or a bug on our side and becomes a 503 ``storage_unavailable`` naming ``action``.
    """
    try:
        yield
    except TriageError:
        raise
    except HttpResponseError as exc:
        log.warning("table storage %s failed: HTTP %s %s", action, exc.status_code, exc.reason)
        raise StorageError(f"table storage failed while trying to {action}") from exc
    except AzureError as exc:
        log.warning("table storage %s failed: %s", action, type(exc).__name__)
        raise StorageError(f"table storage unreachable while trying to {action}") from exc


_ATTEMPTS: Final = "triage.attempts"


def count_transport_retries(request: PipelineRequest[Any]) -> None:
    """azure-core's ``raw_request_hook``: called for every attempt of a request (the hook policy
    sits after the retry policy, and the request's context lives across its attempts), so every
    attempt after the first is one retry of the SDK's own retry policy."""
    attempts = int(request.context.get(_ATTEMPTS, 0)) + 1
    request.context[_ATTEMPTS] = attempts
    if attempts > 1:
        count_storage_retry("transport")


class TableStore:
    """Owns the service client and one ``TableClient`` per logical table.

    Use :meth:`from_settings`, then ``await open()`` (creates missing tables) before
    :meth:`table`, and ``await close()`` at shutdown. Also an async context manager.
    ``tables`` names the logical tables this store opens: the shared three by default; the media
    host adds the intake agent's checkpoint table, so every Table Storage request of a process
    goes through one service client, one credential and one set of client options.
    """

    def __init__(
        self,
        service: TableServiceClient,
        settings: StorageSettings,
        *,
        credential: AsyncTokenCredential | None = None,
        owns_credential: bool = False,
        tables: Sequence[str] = ALL_TABLES,
    ) -> None:
        self._service = service
        self._settings = settings
        self._credential = credential
        self._owns_credential = owns_credential
        self._names = tuple(dict.fromkeys(tables))
        self._tables: dict[str, TableClient] = {}

    @classmethod
    def from_settings(
        cls,
        settings: StorageSettings,
        *,
        credential: AsyncTokenCredential | None = None,
        client_options: Mapping[str, Any] | None = None,
        tables: Sequence[str] = ALL_TABLES,
    ) -> TableStore:
        """Build a store from settings (no I/O until :meth:`open`).

        Args:
            settings: connection string or endpoint (+ optional managed identity client id).
            credential: overrides the default ``DefaultAzureCredential`` for the endpoint mode.
            client_options: extra azure-core client options (e.g. ``retry_total``); they
                override :func:`default_client_options`.
            tables: the logical tables to open (see the class docstring).
        """
        options = {
            **default_client_options(),
            "raw_request_hook": count_transport_retries,
            **(client_options or {}),
        }
        if settings.connection_string is not None:
            service = TableServiceClient.from_connection_string(
                settings.connection_string.get_secret_value(), **options
            )
            return cls(service, settings, tables=tables)
        assert settings.table_endpoint is not None  # guaranteed by StorageSettings' validator
        owns = credential is None
        if credential is None:
            from azure.identity.aio import DefaultAzureCredential

            credential = DefaultAzureCredential(
                managed_identity_client_id=settings.managed_identity_client_id
            )
        service = TableServiceClient(
            endpoint=settings.table_endpoint, credential=credential, **options
        )
        return cls(service, settings, credential=credential, owns_credential=owns, tables=tables)

    @property
    def settings(self) -> StorageSettings:
        return self._settings

    async def open(self) -> None:
        """Create the tables that do not exist yet and cache their clients. Idempotent."""
        for base in self._names:
            if base in self._tables:
                continue
            name = self._settings.table_name(base)
            async with storage_errors(f"create table {name}"):
                with contextlib.suppress(ResourceExistsError):
                    await self._service.create_table(name)
            self._tables[base] = self._service.get_table_client(name)

    def table(self, base: str) -> TableClient:
        """The aio client of a logical table (``sessions``, ``events``, ``mediahosts`` or one
        named in ``tables``)."""
        try:
            return self._tables[base]
        except KeyError:
            raise RuntimeError(f"TableStore is not open (or unknown table {base!r})") from None

    async def ping(self) -> None:
        """One cheap round trip (a single-row query), for health checks."""
        table = self.table(SESSIONS)
        async with storage_errors("check health"):
            async for _ in table.query_entities(
                "PartitionKey eq @pk", parameters={"pk": "~health"}, results_per_page=1
            ):
                break

    async def close(self) -> None:
        for client in self._tables.values():
            await client.close()
        self._tables.clear()
        await self._service.close()
        if self._owns_credential and self._credential is not None:
            await self._credential.close()

    async def __aenter__(self) -> TableStore:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
