"""A LangGraph checkpoint saver on Azure Table Storage (async).

The saver is handed its table by :class:`shared.storage.TableStore` — the one door into Table
Storage for every deployable, with its credential, client options and error translation
(:func:`shared.storage.tables.storage_errors`: an outage surfaces as
:class:`~shared.problems.StorageError`). Only the async API is implemented: the intake agent
runs the graph with ``ainvoke``; LangGraph's sync methods raise ``NotImplementedError``.

Row layout, key escaping and payload chunking are in :mod:`.rows`. Values are serialized with
the saver's ``serde`` (LangGraph's ``JsonPlusSerializer`` by default), exactly as the built-in
savers do. Each checkpoint row stores the full ``channel_values`` the graph passed in (LangGraph
builds them from every versioned channel), so reading a checkpoint is one range query: the
checkpoint plus its pending writes. All rows of one write (checkpoint + overflow, or a batch of
pending writes) go into one entity-group transaction when they fit (100 rows / 4 MiB), so they
land atomically.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from typing import Any

from azure.data.tables import UpdateMode
from azure.data.tables.aio import TableClient
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    get_checkpoint_id,
    get_checkpoint_metadata,
    writes_sort_key,
)
from langgraph.checkpoint.serde.base import SerializerProtocol

from media_host.intake_agent.checkpoint import rows as R
from media_host.intake_agent.state import intake_serializer
from shared.storage.tables import storage_errors

_MAX_BATCH_ROWS = 100
_MAX_BATCH_BYTES = 3_500_000  # transactions are limited to 4 MiB; leave headroom
# Page size when reading one checkpoint: its row plus the next one, which is usually the
# previous checkpoint and tells that the group is complete without asking for another page.
_FIRST_PAGE_ROWS = 2
# Threads held at once (see TableStorageSaver.hold); beyond it the oldest is released.
MAX_HELD_THREADS = 1024


def _batches(rows: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Split rows (one partition, in write order) into transaction-sized batches."""
    batch: list[dict[str, Any]] = []
    size = 0
    for row in rows:
        row_size = R.entity_size(row)
        if batch and (len(batch) >= _MAX_BATCH_ROWS or size + row_size > _MAX_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(row)
        size += row_size
    if batch:
        yield batch


async def _store(client: TableClient, rows: Sequence[dict[str, Any]]) -> None:
    """Write rows of one partition, atomically per transaction-sized batch.

    A single row is upserted on its own: one entity write is atomic anyway, and the multipart
    entity-group transaction (MIME encoding of the request, parsing of the response) costs
    more CPU than the write. That is the common case: a checkpoint of an intake turn is one row.
    """
    if len(rows) == 1:
        await client.upsert_entity(rows[0], mode=UpdateMode.REPLACE)
        return
    for batch in _batches(rows):
        await client.submit_transaction(
            [("upsert", row, {"mode": UpdateMode.REPLACE}) for row in batch]
        )


class TableStorageSaver(BaseCheckpointSaver[str]):
    """LangGraph checkpointer persisting threads in one Azure Table.

    Args:
        table: The aio client of the checkpoint table, from an open
            :class:`~shared.storage.TableStore` (``store.table(name)``); the store owns it.
        serde: Serializer; defaults to LangGraph's ``JsonPlusSerializer`` restricted to the
            intake contract types (strict msgpack allowlist).
    """

    def __init__(self, table: TableClient, *, serde: SerializerProtocol | None = None) -> None:
        super().__init__(serde=serde or intake_serializer())
        self._table = table
        self.table_name = table.table_name
        # Threads whose latest checkpoint rows are remembered → (namespace, rows), or None when
        # the next read must query. A thread is here inside a `reuse_latest` block or while held.
        self._latest: dict[str, tuple[str, list[dict[str, Any]]] | None] = {}
        self._held: OrderedDict[str, None] = OrderedDict()

    # --- the latest checkpoint, read once ----------------------------------------------------

    @contextlib.contextmanager
    def reuse_latest(self, thread_id: str) -> Iterator[None]:
        """Within this block, read the thread's latest checkpoint from storage only once.

        A caller that is the thread's only writer for the duration of the block (the intake
        agent holds its per-session lock) reads the pre-turn state, then runs the graph, which
        reads the latest checkpoint again: that second read, and any after a write this saver
        made itself, are answered from the rows just read or written instead of another
        query. Pending writes or a deletion drop the remembered rows (the next read queries).
        Outside the block — unless the thread is held (:meth:`hold`) — every read queries
        storage.
        """
        key = str(thread_id)
        if key in self._held:
            yield  # remembered across turns already
            return
        self._latest[key] = None
        try:
            yield
        finally:
            if key not in self._held:
                self._latest.pop(key, None)

    def hold(self, thread_id: str) -> None:
        """This process is the thread's only writer until :meth:`release`: keep its latest
        checkpoint rows between turns, so a turn reads nothing from storage.

        The intake agent holds a session while its call is live on this host (from
        ``start_session``, which always reads afresh, to ``finish``). A session continued on
        another host is read there from storage; coming back here starts with a fresh read.
        """
        key = str(thread_id)
        self._held[key] = None
        self._held.move_to_end(key)
        self._latest.setdefault(key, None)
        while len(self._held) > MAX_HELD_THREADS:
            oldest, _ = self._held.popitem(last=False)
            self._latest.pop(oldest, None)

    def release(self, thread_id: str) -> None:
        """Forget what :meth:`hold` kept; the next read of the thread queries storage."""
        key = str(thread_id)
        self._held.pop(key, None)
        self._latest.pop(key, None)

    def _remember_latest(self, config: RunnableConfig, rows: Sequence[dict[str, Any]]) -> None:
        conf = config["configurable"]
        key = str(conf["thread_id"])
        if key in self._latest:
            self._latest[key] = (str(conf.get("checkpoint_ns", "")), list(rows))

    def _forget_latest(self, thread_id: object) -> None:
        key = str(thread_id)
        if key in self._latest:
            self._latest[key] = None

    def _remembered_latest(self, config: RunnableConfig) -> list[dict[str, Any]] | None:
        conf = config["configurable"]
        remembered = self._latest.get(str(conf["thread_id"]))
        if remembered is None or get_checkpoint_id(config):
            return None
        ns, rows = remembered
        return rows if ns == str(conf.get("checkpoint_ns", "")) else None

    # --- encoding -----------------------------------------------------------------------------

    def _checkpoint_rows(
        self, config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata
    ) -> tuple[list[dict[str, Any]], RunnableConfig]:
        conf = config["configurable"]
        thread_id = str(conf["thread_id"])
        checkpoint_ns = str(conf.get("checkpoint_ns", ""))
        parent_id = conf.get("checkpoint_id")
        payload = R.frame(
            [
                self.serde.dumps_typed(checkpoint),
                self.serde.dumps_typed(get_checkpoint_metadata(config, metadata)),
            ]
        )
        props = {
            "kind": R.KIND_CHECKPOINT,
            "thread_id": thread_id,
            "checkpoint_ns": checkpoint_ns,
            "checkpoint_id": checkpoint["id"],
            "parent_checkpoint_id": parent_id or "",
        }
        rows = R.build_rows(
            R.escape_key(thread_id),
            R.checkpoint_row_key(checkpoint_ns, checkpoint["id"]),
            payload,
            props,
        )
        new_config: RunnableConfig = {
            "configurable": {
                "thread_id": thread_id,
                "checkpoint_ns": checkpoint_ns,
                "checkpoint_id": checkpoint["id"],
            }
        }
        return rows, new_config

    def _write_rows(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str,
    ) -> list[dict[str, Any]]:
        conf = config["configurable"]
        thread_id = str(conf["thread_id"])
        checkpoint_ns = str(conf.get("checkpoint_ns", ""))
        checkpoint_id = str(conf["checkpoint_id"])
        rows: list[dict[str, Any]] = []
        for idx, (channel, value) in enumerate(writes):
            write_idx = WRITES_IDX_MAP.get(channel, idx)
            props = {
                "kind": R.KIND_WRITE,
                "task_id": task_id,
                "task_path": task_path,
                "channel": channel,
                "idx": write_idx,
            }
            rows.extend(
                R.build_rows(
                    R.escape_key(thread_id),
                    R.write_row_key(checkpoint_ns, checkpoint_id, task_id, write_idx),
                    R.frame([self.serde.dumps_typed(value)]),
                    props,
                )
            )
        return rows

    def _decode_group(self, group: R.CheckpointGroup) -> CheckpointTuple | None:
        main = group.main
        if main is None:
            return None  # writes without their checkpoint row: not a checkpoint
        ckpt_part, meta_part = R.unframe(R.read_payload(main, group.parts))
        checkpoint: Checkpoint = self.serde.loads_typed(ckpt_part)
        metadata: CheckpointMetadata = self.serde.loads_typed(meta_part)
        versions = checkpoint.get("channel_versions", {})
        checkpoint["channel_values"] = {
            k: v for k, v in checkpoint.get("channel_values", {}).items() if k in versions
        }
        thread_id, ns = str(main["thread_id"]), str(main["checkpoint_ns"])
        writes = sorted(
            group.writes,
            key=lambda w: writes_sort_key(str(w["task_path"]), str(w["task_id"]), int(w["idx"])),
        )
        pending = [
            (
                str(w["task_id"]),
                str(w["channel"]),
                self.serde.loads_typed(R.unframe(R.read_payload(w, group.parts))[0]),
            )
            for w in writes
        ]
        parent_id = str(main.get("parent_checkpoint_id") or "")
        return CheckpointTuple(
            config={
                "configurable": {
                    "thread_id": thread_id,
                    "checkpoint_ns": ns,
                    "checkpoint_id": str(main["checkpoint_id"]),
                }
            },
            checkpoint=checkpoint,
            metadata=metadata,
            parent_config=(
                {
                    "configurable": {
                        "thread_id": thread_id,
                        "checkpoint_ns": ns,
                        "checkpoint_id": parent_id,
                    }
                }
                if parent_id
                else None
            ),
            pending_writes=pending,
        )

    @staticmethod
    def _list_filter(config: RunnableConfig | None) -> str:
        if config is None:
            return "RowKey ge 'c|' and RowKey lt 'c}'"
        conf = config["configurable"]
        pk = R.escape_key(str(conf["thread_id"]))
        ns = conf.get("checkpoint_ns")
        if ns is None:
            return R.range_filter(pk, "c|")
        checkpoint_id = get_checkpoint_id(config)
        if checkpoint_id:
            return R.range_filter(pk, R.checkpoint_row_key(str(ns), checkpoint_id))
        return R.range_filter(pk, R.ns_prefix(str(ns)))

    def _matches(
        self,
        tup: CheckpointTuple,
        filter: dict[str, Any] | None,
        before: RunnableConfig | None,
    ) -> bool:
        before_id = get_checkpoint_id(before) if before else None
        if before_id and tup.checkpoint["id"] >= before_id:
            return False
        if filter:
            return all(tup.metadata.get(k) == v for k, v in filter.items())
        return True

    @staticmethod
    def _get_filter(config: RunnableConfig) -> tuple[str, bool]:
        """(filter, exact): the addressed checkpoint's rows, or the namespace's, newest first."""
        conf = config["configurable"]
        pk = R.escape_key(str(conf["thread_id"]))
        ns = str(conf.get("checkpoint_ns", ""))
        checkpoint_id = get_checkpoint_id(config)
        if checkpoint_id:
            return R.range_filter(pk, R.checkpoint_row_key(ns, checkpoint_id)), True
        return R.range_filter(pk, R.ns_prefix(ns)), False

    def _decode_first(self, rows: Iterable[Mapping[str, Any]]) -> CheckpointTuple | None:
        for group in R.group_rows(rows):
            return self._decode_group(group)
        return None

    # --- async API ----------------------------------------------------------------------------

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """Fetch one checkpoint (the given ``checkpoint_id`` or the thread's latest).

        Usually one query; two when the latest checkpoint has pending writes or overflow rows;
        none when the latest is remembered (:meth:`reuse_latest`, :meth:`hold`).
        """
        remembered = self._remembered_latest(config)
        if remembered is not None:
            return self._decode_first(remembered)
        query, exact = self._get_filter(config)
        rows: list[dict[str, Any]] | None = None
        async with storage_errors("read an interview checkpoint"):
            if not exact:
                collector = R.FirstGroupCollector(limit=_FIRST_PAGE_ROWS)
                async for entity in self._table.query_entities(
                    query, results_per_page=_FIRST_PAGE_ROWS
                ):
                    if not collector.add(entity):
                        break
                if collector.key is None:
                    return None
                if not collector.truncated:
                    rows = collector.rows
                else:
                    query = R.range_filter(*collector.key)
            if rows is None:
                rows = [dict(e) async for e in self._table.query_entities(query)]
        if not exact:
            self._remember_latest(config, rows)
        return self._decode_first(rows)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """List checkpoints newest-first (per thread and namespace)."""
        remaining = limit
        pending: list[dict[str, Any]] = []
        current: tuple[str, str] | None = None

        def flush() -> Iterator[CheckpointTuple]:
            for group in R.group_rows(pending):
                tup = self._decode_group(group)
                if tup is not None and self._matches(tup, filter, before):
                    yield tup

        # Stream rows, decoding each checkpoint group once its last row has arrived.
        async with storage_errors("list interview checkpoints"):
            async for entity in self._table.query_entities(self._list_filter(config)):
                rk = str(entity["RowKey"])
                key = (str(entity["PartitionKey"]), "|".join(rk.split("|")[:3]))
                if current is not None and key != current:
                    for tup in flush():
                        if remaining is not None and remaining <= 0:
                            return
                        if remaining is not None:
                            remaining -= 1
                        yield tup
                    pending = []
                current = key
                pending.append(dict(entity))
        for tup in flush():
            if remaining is not None and remaining <= 0:
                return
            if remaining is not None:
                remaining -= 1
            yield tup

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Store a checkpoint (atomically when it fits one transaction)."""
        rows, new_config = self._checkpoint_rows(config, checkpoint, metadata)
        self._forget_latest(new_config["configurable"]["thread_id"])
        async with storage_errors("write an interview checkpoint"):
            await _store(self._table, rows)
        self._remember_latest(new_config, rows)  # stored: the thread's latest checkpoint now
        return new_config

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Store pending writes of a task; a repeated (task, idx) replaces, never duplicates."""
        self._forget_latest(config["configurable"]["thread_id"])
        async with storage_errors("write interview checkpoint writes"):
            await _store(self._table, self._write_rows(config, writes, task_id, task_path))

    async def adelete_thread(self, thread_id: str) -> None:
        """Delete every checkpoint and write of a thread."""
        self.release(thread_id)
        pk = R.escape_key(str(thread_id))
        batch: list[Any] = []
        async with storage_errors("delete an interview"):
            async for entity in self._table.query_entities(
                f"PartitionKey eq {R.odata_quote(pk)}", select=["PartitionKey", "RowKey"]
            ):
                batch.append(("delete", {"PartitionKey": pk, "RowKey": entity["RowKey"]}))
                if len(batch) == _MAX_BATCH_ROWS:
                    await self._table.submit_transaction(batch)
                    batch = []
            if batch:
                await self._table.submit_transaction(batch)
