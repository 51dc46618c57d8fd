"""Shared test fixtures: one real Azurite per test session (no storage mocks), and the test
process's telemetry capture (in-memory spans and metrics; see tests/support/telemetry.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from devtools.azurite import Azurite, start_azurite
from tests.support.telemetry import TelemetryCapture, telemetry_capture


def pytest_configure(config: pytest.Config) -> None:
    # Installed before any test imports an entry point (function_app configures telemetry at
    # import, and OpenTelemetry keeps the first global provider a process installs).
    telemetry_capture()


@pytest.fixture
def telemetry() -> TelemetryCapture:
    """The process's telemetry capture, with the spans of earlier tests cleared."""
    capture = telemetry_capture()
    capture.spans.clear()
    return capture


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
