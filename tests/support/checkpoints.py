"""An interview checkpointer on Azurite, opened the way the media host opens it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from pydantic import SecretStr

from media_host.intake_agent.checkpoint import TableStorageSaver
from shared.config import StorageSettings
from shared.storage import TableStore


@asynccontextmanager
async def open_saver(
    connection_string: str,
    table: str,
    *,
    table_prefix: str = "",
    client_options: Mapping[str, Any] | None = None,
) -> AsyncIterator[TableStorageSaver]:
    """A ``TableStorageSaver`` on ``<table_prefix><table>`` through a fresh ``TableStore``."""
    storage = StorageSettings(
        connection_string=SecretStr(connection_string), table_prefix=table_prefix
    )
    store = TableStore.from_settings(storage, client_options=client_options, tables=(table,))
    async with store:
        yield TableStorageSaver(store.table(table))
