"""Round trip, Table Storage limits (chunking, key escaping), torn-write safety and the storage
door (errors, sync API) of the saver."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from azure.data.tables import TableClient
from langgraph.checkpoint.conformance.test_utils import (
    generate_checkpoint,
    generate_config,
    generate_metadata,
)

from devtools.azurite import Azurite, free_port
from media_host.intake_agent.checkpoint import TableStorageSaver
from media_host.intake_agent.checkpoint import rows as R
from shared.problems import StorageError
from tests.support.checkpoints import open_saver

AWKWARD_THREAD = "sess/1\\#?\x01|~ünïcode 'quoted'"


@pytest_asyncio.fixture(loop_scope="function")
async def saver(azurite: Azurite, table_prefix: str) -> AsyncIterator[TableStorageSaver]:
    async with open_saver(azurite.connection_string, "ck", table_prefix=table_prefix) as s:
        yield s


async def test_put_get_list_writes_delete_roundtrip(saver: TableStorageSaver) -> None:
    first = await saver.aput(
        generate_config(AWKWARD_THREAD),
        generate_checkpoint(channel_values={"a": 1}, channel_versions={"a": 1}),
        generate_metadata(step=0),
        {"a": 1},
    )
    second_cfg = generate_config(AWKWARD_THREAD)
    second_cfg["configurable"]["checkpoint_id"] = first["configurable"]["checkpoint_id"]
    cp2 = generate_checkpoint(channel_values={"a": 2}, channel_versions={"a": 2})
    second = await saver.aput(second_cfg, cp2, generate_metadata(step=1), {"a": 2})
    await saver.aput_writes(second, [("a", 3), ("b", "x")], "task/1", task_path="p")

    latest = await saver.aget_tuple(generate_config(AWKWARD_THREAD))
    assert latest is not None
    assert latest.checkpoint["id"] == cp2["id"]
    assert latest.checkpoint["channel_values"] == {"a": 2}
    assert latest.config["configurable"]["thread_id"] == AWKWARD_THREAD
    assert latest.parent_config is not None
    assert (
        latest.parent_config["configurable"]["checkpoint_id"]
        == first["configurable"]["checkpoint_id"]
    )
    assert [(w[0], w[1], w[2]) for w in latest.pending_writes or []] == [
        ("task/1", "a", 3),
        ("task/1", "b", "x"),
    ]
    listed = [t async for t in saver.alist(generate_config(AWKWARD_THREAD))]
    assert [t.checkpoint["id"] for t in listed] == [
        cp2["id"],
        first["configurable"]["checkpoint_id"],
    ]
    assert [t.metadata["step"] async for t in saver.alist(None, filter={"step": 0})] == [0]
    assert len([t async for t in saver.alist(generate_config(AWKWARD_THREAD), limit=1)]) == 1

    await saver.adelete_thread(AWKWARD_THREAD)
    assert await saver.aget_tuple(generate_config(AWKWARD_THREAD)) is None
    assert [t async for t in saver.alist(None)] == []


# azure-core hands aiohttp a multi-megabyte transaction body as bytes, and aiohttp warns that
# so large a body may block the loop briefly. Only these deliberately oversized checkpoints
# (an intake turn's is a few kilobytes) get near it; the warning is the library's, not ours.
_LARGE_BODY = pytest.mark.filterwarnings("ignore:Sending a large body directly:ResourceWarning")


@_LARGE_BODY
async def test_big_checkpoint_is_chunked_across_properties_and_rows(
    saver: TableStorageSaver, azurite: Azurite
) -> None:
    big = os.urandom(2_500_000)  # > 1 MiB entity limit: needs overflow rows
    text = "é" * 40_000  # > 32K UTF-16 chars string property limit
    cp = generate_checkpoint(
        channel_values={"blob": big, "text": text}, channel_versions={"blob": 1, "text": 1}
    )
    stored = await saver.aput(
        generate_config("big"), cp, generate_metadata(), {"blob": 1, "text": 1}
    )
    await saver.aput_writes(stored, [("blob", big)], "t1")

    tup = await saver.aget_tuple(generate_config("big"))
    assert tup is not None
    assert tup.checkpoint["channel_values"]["blob"] == big
    assert tup.checkpoint["channel_values"]["text"] == text
    assert tup.pending_writes is not None and tup.pending_writes[0][2] == big

    raw = TableClient.from_connection_string(azurite.connection_string, table_name=saver.table_name)
    with raw:
        rows = list(raw.list_entities())
    parts = [r for r in rows if r["kind"] == R.KIND_PART]
    assert len(parts) >= 4  # 2 overflow rows for the checkpoint, 2 for the write
    for row in rows:
        assert R.entity_size(row) < 1024 * 1024
        for key, value in row.items():
            if isinstance(value, bytes):
                assert len(value) <= 64 * 1024, key


@_LARGE_BODY
async def test_torn_write_is_reported_not_silently_truncated(
    saver: TableStorageSaver, azurite: Azurite
) -> None:
    cp = generate_checkpoint(
        channel_values={"blob": os.urandom(1_200_000)}, channel_versions={"blob": 1}
    )
    await saver.aput(generate_config("torn"), cp, generate_metadata(), {"blob": 1})
    raw = TableClient.from_connection_string(azurite.connection_string, table_name=saver.table_name)
    with raw:
        part = next(r for r in raw.list_entities() if r["kind"] == R.KIND_PART)
        raw.delete_entity(part["PartitionKey"], part["RowKey"])
    with pytest.raises(ValueError, match="incomplete"):
        await saver.aget_tuple(generate_config("torn"))


def test_key_escaping_is_injective_and_table_safe() -> None:
    samples = ["a/b", "a~2fb", "a|b", "", "#?\\", "\x7f\x9f", "日本"]
    escaped = [R.escape_key(s) for s in samples]
    assert len(set(escaped)) == len(samples)
    for key in escaped:
        assert not set(key) & set("/\\#?|") and all(32 <= ord(c) < 127 for c in key)
    with pytest.raises(ValueError):
        R.escape_key("x" * 600)
    with pytest.raises(ValueError):
        R.invert_checkpoint_id("not-a-uuid")


async def test_an_outage_is_a_storage_error_and_the_sync_api_is_refused() -> None:
    """Nothing listens on the port, so every call is an outage: it surfaces as the project's
    StorageError (503, as every other Table Storage access does), never a raw azure-core error."""
    from azure.data.tables.aio import TableClient as AsyncTableClient

    from devtools.azurite import DEV_ACCOUNT, DEV_KEY

    dead = (
        "DefaultEndpointsProtocol=http;"
        f"AccountName={DEV_ACCOUNT};AccountKey={DEV_KEY};"
        f"TableEndpoint=http://127.0.0.1:{free_port()}/{DEV_ACCOUNT};"
    )
    table = AsyncTableClient.from_connection_string(dead, "ck", retry_total=0)
    async with table:
        saver = TableStorageSaver(table)
        cp = generate_checkpoint(channel_values={"v": 1}, channel_versions={"v": 1})
        with pytest.raises(StorageError):
            await saver.aput(generate_config("t"), cp, generate_metadata(), {"v": 1})
        with pytest.raises(StorageError):
            await saver.aget_tuple(generate_config("t"))
        with pytest.raises(NotImplementedError):
            saver.get_tuple(generate_config("t"))
