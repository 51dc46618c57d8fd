"""How many storage requests the Table Storage saver makes: the round trips of every turn.

Each test counts the HTTP requests the saver's clients send to a real Azurite (through the
azure-core ``raw_request_hook`` pipeline option) and checks the data read back as well.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.conformance.test_utils import (
    generate_checkpoint,
    generate_config,
    generate_metadata,
)

from devtools.azurite import Azurite
from media_host.intake_agent.agent import IntakeAgent
from media_host.intake_agent.checkpoint import TableStorageSaver
from shared.problems import StorageError
from shared.storage.tables import default_client_options
from tests.support.checkpoints import open_saver


class Requests:
    """Method and kind ("query", "batch", "entity", "table") of every request sent."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def hook(self, request: Any) -> None:
        http = request.http_request
        path = http.url.split("?", 1)[0]
        if path.endswith("$batch"):
            kind = "batch"
        elif path.endswith("()"):
            kind = "query"  # <table>() with a $filter
        elif "(" in path:
            kind = "entity"  # <table>(PartitionKey='…',RowKey='…')
        else:
            kind = "table"
        self.seen.append((http.method, kind))

    def take(self) -> list[tuple[str, str]]:
        seen, self.seen = self.seen, []
        return seen


@pytest.fixture
def requests() -> Requests:
    return Requests()


def _saver(
    azurite: Azurite, table_prefix: str, requests: Requests
) -> contextlib.AbstractAsyncContextManager[TableStorageSaver]:
    return open_saver(
        azurite.connection_string,
        "rq",
        table_prefix=table_prefix,
        client_options={"raw_request_hook": requests.hook},
    )


@pytest_asyncio.fixture(loop_scope="function")
async def asaver(
    azurite: Azurite, table_prefix: str, requests: Requests
) -> AsyncIterator[TableStorageSaver]:
    async with _saver(azurite, table_prefix, requests) as s:
        yield s


async def _chain(saver: TableStorageSaver, thread: str, n: int) -> list[RunnableConfig]:
    """``n`` checkpoints of one thread, each the parent of the next."""
    configs: list[RunnableConfig] = []
    config = generate_config(thread)
    for step in range(n):
        cp = generate_checkpoint(channel_values={"v": step}, channel_versions={"v": step + 1})
        config = await saver.aput(config, cp, generate_metadata(step=step), {"v": step + 1})
        configs.append(config)
    return configs


async def test_latest_checkpoint_is_read_with_one_query(
    asaver: TableStorageSaver, requests: Requests
) -> None:
    configs = await _chain(asaver, "t1", 3)
    requests.take()

    latest = await asaver.aget_tuple(generate_config("t1"))

    assert requests.take() == [("GET", "query")]
    assert latest is not None
    assert latest.config == configs[-1]
    assert latest.checkpoint["channel_values"] == {"v": 2}
    assert latest.parent_config == configs[-2]
    assert latest.pending_writes == []


async def test_async_latest_read_and_small_put_are_one_request_each(
    asaver: TableStorageSaver, requests: Requests
) -> None:
    first = await asaver.aput(
        generate_config("t2"),
        generate_checkpoint(channel_values={"v": 0}, channel_versions={"v": 1}),
        generate_metadata(step=0),
        {"v": 1},
    )
    requests.take()

    cp = generate_checkpoint(channel_values={"v": 1}, channel_versions={"v": 2})
    second = await asaver.aput(first, cp, generate_metadata(step=1), {"v": 2})
    # One entity is atomic on its own: a plain upsert, not a multipart batch transaction.
    assert requests.take() == [("PUT", "entity")]

    latest = await asaver.aget_tuple(generate_config("t2"))
    assert requests.take() == [("GET", "query")]
    assert latest is not None and latest.config == second
    assert latest.checkpoint["channel_values"] == {"v": 1}


@pytest.mark.parametrize("n_writes", [1, 2, 3])
async def test_latest_checkpoint_brings_all_its_pending_writes(
    asaver: TableStorageSaver, requests: Requests, n_writes: int
) -> None:
    configs = await _chain(asaver, "t3", 2)
    writes = [(f"c{i}", i) for i in range(n_writes)]
    await asaver.aput_writes(configs[-1], writes, "task-1")
    requests.take()

    latest = await asaver.aget_tuple(generate_config("t3"))

    assert latest is not None and latest.config == configs[-1]
    assert [(w[1], w[2]) for w in latest.pending_writes or []] == writes
    # The first page (two rows) cannot show where the group ends: one more query reads it.
    assert requests.take() == [("GET", "query"), ("GET", "query")]


async def test_async_latest_checkpoint_with_writes_and_no_older_checkpoint(
    asaver: TableStorageSaver, requests: Requests
) -> None:
    stored = await asaver.aput(
        generate_config("t4"),
        generate_checkpoint(channel_values={"v": 0}, channel_versions={"v": 1}),
        generate_metadata(step=0),
        {"v": 1},
    )
    await asaver.aput_writes(stored, [("a", 1), ("b", 2), ("c", 3)], "task-1")

    latest = await asaver.aget_tuple(generate_config("t4"))

    assert latest is not None and latest.config == stored
    assert [(w[1], w[2]) for w in latest.pending_writes or []] == [("a", 1), ("b", 2), ("c", 3)]
    assert await asaver.aget_tuple(generate_config("no-such-thread")) is None


async def test_a_turn_of_a_live_call_is_one_write(
    asaver: TableStorageSaver, requests: Requests
) -> None:
    """While the call is live here (start_session … end_call) this host is the session's only
    writer: the pre-turn state comes from the rows it wrote last, the turn costs one write."""
    agent = IntakeAgent(checkpointer=asaver)
    await agent.start_session("turns", "en")
    await agent.handle_utterance("turns", item_id="i1", text="yes")
    requests.take()

    turn = await agent.handle_utterance("turns", item_id="i2", text="I have a headache")

    assert turn.reply.say
    assert requests.take() == [("PUT", "entity")]
    values = (await agent.graph.aget_state({"configurable": {"thread_id": "turns"}})).values
    assert values["turn"] == 2 and "headache" in values["findings"]

    # Once the call is over, nothing is kept: a read queries storage again.
    agent.end_call("turns")
    requests.take()
    await agent.graph.aget_state({"configurable": {"thread_id": "turns"}})
    assert requests.take() == [("GET", "query")]


async def test_a_turn_outside_a_live_call_is_one_query_and_one_write(
    asaver: TableStorageSaver, requests: Requests
) -> None:
    agent = IntakeAgent(checkpointer=asaver)
    await agent.start_session("loose", "en")
    agent.end_call("loose")
    requests.take()

    await agent.handle_utterance("loose", item_id="i1", text="yes")

    # The facade reads the pre-turn state; the graph run starts from those same rows.
    assert requests.take() == [("GET", "query"), ("PUT", "entity")]


async def test_a_session_resumed_here_after_another_host_is_read_afresh(
    azurite: Azurite, table_prefix: str, requests: Requests
) -> None:
    """Host A's call ends (handed over), host B continues the session, then the patient comes
    back to A: A's start_session reads storage, so its next turn builds on B's turns."""
    async with (
        _saver(azurite, table_prefix, requests) as host_a,
        _saver(azurite, table_prefix, Requests()) as host_b,
    ):
        agent_a, agent_b = IntakeAgent(checkpointer=host_a), IntakeAgent(checkpointer=host_b)
        await agent_a.start_session("moved", "en")
        await agent_a.handle_utterance("moved", item_id="i1", text="yes")
        agent_a.end_call("moved")
        await agent_b.start_session("moved", "en")
        await agent_b.handle_utterance("moved", item_id="i2", text="I have a headache")
        agent_b.end_call("moved")

        await agent_a.start_session("moved", "en")
        turn = await agent_a.handle_utterance("moved", item_id="i3", text="since yesterday")

        assert turn.notices == []
        values = (await agent_a.graph.aget_state({"configurable": {"thread_id": "moved"}})).values
        assert values["turn"] == 3
        assert values["findings"]["headache"].duration_hours is not None
        assert [ref.item_id for ref in values["transcript_refs"]] == ["i1", "i2", "i3"]


async def test_a_failed_write_is_not_remembered(
    asaver: TableStorageSaver, requests: Requests, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkpoint write that failed (an outage) leaves nothing remembered: the next turn
    reads storage, so a write that did land after all is not lost, nor one that did not
    believed."""
    agent = IntakeAgent(checkpointer=asaver)
    await agent.start_session("flaky", "en")
    await agent.handle_utterance("flaky", item_id="i1", text="yes")

    async def outage(*args: object, **kwargs: object) -> None:
        raise StorageError("table storage unreachable while trying to write")

    with monkeypatch.context() as patch:
        patch.setattr(asaver._table, "upsert_entity", outage)
        patch.setattr(asaver._table, "submit_transaction", outage)
        failed = await agent.handle_utterance("flaky", item_id="i2", text="I have a headache")
    assert failed.failed
    requests.take()

    turn = await agent.handle_utterance("flaky", item_id="i2", text="I have a headache")

    assert not turn.failed
    assert requests.take() == [("GET", "query"), ("PUT", "entity")]
    values = (await agent.graph.aget_state({"configurable": {"thread_id": "flaky"}})).values
    assert values["turn"] == 2 and "headache" in values["findings"]


async def test_remembered_latest_is_dropped_by_pending_writes_and_deletion(
    asaver: TableStorageSaver, requests: Requests
) -> None:
    first = await asaver.aput(
        generate_config("t5"),
        generate_checkpoint(channel_values={"v": 0}, channel_versions={"v": 1}),
        generate_metadata(step=0),
        {"v": 1},
    )
    with asaver.reuse_latest("t5"):
        requests.take()
        assert await asaver.aget_tuple(generate_config("t5")) is not None
        again = await asaver.aget_tuple(generate_config("t5"))
        assert requests.take() == [("GET", "query")]  # the second read reused the rows
        assert again is not None and again.pending_writes == []

        await asaver.aput_writes(first, [("a", 1)], "task-1")
        with_writes = await asaver.aget_tuple(generate_config("t5"))
        assert with_writes is not None
        assert [(w[1], w[2]) for w in with_writes.pending_writes or []] == [("a", 1)]

        await asaver.adelete_thread("t5")
        assert await asaver.aget_tuple(generate_config("t5")) is None
    # Outside the block nothing is remembered.
    requests.take()
    assert await asaver.aget_tuple(generate_config("t5")) is None
    assert requests.take() == [("GET", "query")]


def test_environment_proxy_lookups_only_when_a_proxy_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    assert default_client_options() == {"use_env_settings": False}
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert default_client_options() == {"use_env_settings": True}
