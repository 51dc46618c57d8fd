"""The Table Storage checkpointer against LangGraph's conformance suite, on real Azurite."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.report import ProgressCallbacks

from devtools.azurite import Azurite
from media_host.intake_agent.checkpoint import TableStorageSaver
from tests.support.checkpoints import open_saver


async def test_table_storage_saver_passes_conformance_suite(
    azurite: Azurite, table_prefix: str
) -> None:
    failures: list[str] = []

    def record(capability: str, test: str, passed: bool, error: str | None) -> None:
        if not passed:
            failures.append(f"{capability}/{test}: {error}")

    @checkpointer_test(name=f"TableStorageSaver-{table_prefix}")
    async def factory() -> AsyncIterator[TableStorageSaver]:
        # A fresh table per capability suite: some suites list every thread of the table.
        async with open_saver(
            azurite.connection_string, f"{table_prefix}c{uuid.uuid4().hex[:8]}"
        ) as saver:
            yield saver

    report = await validate(factory, progress=ProgressCallbacks(on_test_result=record))
    assert failures == []
    assert report.passed_all_base(), report.results
    for capability in ("put", "put_writes", "get_tuple", "list", "delete_thread"):
        result = report.results[capability]
        assert result.detected and result.passed and result.tests_passed > 0, capability
