"""Shared test fixtures: one real Azurite per test session (no storage mocks)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from devtools.azurite import Azurite, start_azurite


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """A real Azurite Table service on a free port, in-memory, for the whole test session."""
    instance = start_azurite(in_memory=True)
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture
def table_prefix() -> str:
    """A unique table-name prefix so tests sharing one Azurite never see each other's rows."""
    return "t" + uuid.uuid4().hex[:10]
