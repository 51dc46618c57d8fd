"""Shared storage test fixtures: a fresh, opened TableStore per test on the real Azurite."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from pydantic import SecretStr

from devtools.azurite import Azurite
from shared.config import StorageSettings
from shared.storage import TableStore


@pytest_asyncio.fixture(loop_scope="function")
async def storage_settings(azurite: Azurite, table_prefix: str) -> StorageSettings:
    return StorageSettings(
        connection_string=SecretStr(azurite.connection_string), table_prefix=table_prefix
    )


@pytest_asyncio.fixture(loop_scope="function")
async def store(storage_settings: StorageSettings) -> AsyncIterator[TableStore]:
    async with TableStore.from_settings(storage_settings) as opened:
        yield opened
