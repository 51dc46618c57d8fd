"""Control-plane benchmark on the local stack: `uv run python bench/control_plane.py`.

Starts its own Azurite (in memory) and the API (`python -m control_plane` under uvicorn) on free
ports, registers a media-host entry (no host process is needed: offers are not benchmarked), then
prints:

* session create latency p50/p99 (POST /api/intake/sessions, sequential);
* event append → delivered latency p50/p99, through long-poll and through SSE, measured from
  the moment the writer starts its append until the client has parsed the event;
* events/s a single writer sustains with batching (EventLogWriter) and unbatched (one append per
  event), measured in the same run, and their ratio.

Targets from the issue: delivery p50 ≤ 150 ms and p99 ≤ 500 ms. Runtime well under 2 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devtools.azurite import free_port, start_azurite  # noqa: E402
from shared.config import StorageSettings  # noqa: E402
from shared.events import NewEvent, TranscriptChunk  # noqa: E402
from shared.storage import (  # noqa: E402
    EventLog,
    EventLogWriter,
    MediaHostRecord,
    MediaHostRegistry,
    TableStore,
)

HOST_KEY = "bench-media-host-key-" + "0" * 24


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def line(name: str, values_ms: list[float]) -> str:
    return (
        f"{name:<34} n={len(values_ms):<5} p50={pct(values_ms, 50):7.1f} ms"
        f"  p99={pct(values_ms, 99):7.1f} ms  max={max(values_ms):7.1f} ms"
    )


def event(i: int) -> NewEvent:
    # Synthetic text only: benchmarks never carry patient content.
    return NewEvent(
        data=TranscriptChunk(role="agent", item_id=f"b{i}", text="lorem ipsum " * 4, final=False)
    )


@contextlib.asynccontextmanager
async def api_server(env: dict[str, str], port: int) -> AsyncIterator[str]:
    proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before measuring
        [sys.executable, "-m", "control_plane", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(300):
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get(url + "/api/health")).status_code == 200:
                        break
                await asyncio.sleep(0.05)
            else:
                raise RuntimeError("the API did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def bench_create(http: httpx.AsyncClient, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = await http.post("/api/intake/sessions", json={"user_language": "en"})
        samples.append((time.perf_counter() - t0) * 1000)
        response.raise_for_status()
    return samples


async def new_session(http: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    body = (await http.post("/api/intake/sessions", json={"user_language": "en"})).json()
    return body["session_id"], {"Authorization": f"Bearer {body['session_token']}"}


async def produce(log: EventLog, session_id: str, n: int, sent: dict[str, float]) -> None:
    """Append one event at a time at irregular intervals, remembering when each append began
    (keyed by item id: a reader may see the event before the append call has even returned)."""
    for i in range(n):
        await asyncio.sleep(random.uniform(0.02, 0.08))
        sent[f"b{i}"] = time.perf_counter()
        await log.append(session_id, [event(i)])


async def bench_long_poll(http: httpx.AsyncClient, log: EventLog, n: int) -> list[float]:
    session_id, auth = await new_session(http)
    sent: dict[str, float] = {}
    latencies: list[float] = []
    producer = asyncio.create_task(produce(log, session_id, n, sent))
    cursor = 1  # seq 1 is the "created" status event
    while len(latencies) < n:
        page = (
            await http.get(
                f"/api/intake/sessions/{session_id}/events",
                params={"after": cursor, "wait": 25},
                headers=auth,
            )
        ).json()
        now = time.perf_counter()
        for item in page["events"]:
            latencies.append((now - sent[item["data"]["item_id"]]) * 1000)
        cursor = page["next_after"]
    await producer
    return latencies


async def bench_sse(http: httpx.AsyncClient, log: EventLog, n: int) -> list[float]:
    session_id, auth = await new_session(http)
    sent: dict[str, float] = {}
    latencies: list[float] = []
    url = f"/api/intake/sessions/{session_id}/events/stream"
    async with http.stream("GET", url, params={"after": 1}, headers=auth) as response:
        producer = asyncio.create_task(produce(log, session_id, n, sent))
        async for text in response.aiter_lines():
            if text.startswith("data: "):
                item_id = json.loads(text[6:])["data"]["item_id"]
                latencies.append((time.perf_counter() - sent[item_id]) * 1000)
                if len(latencies) == n:
                    break
    await producer
    return latencies


async def bench_throughput(log: EventLog, batched_n: int, unbatched_n: int) -> tuple[float, float]:
    writer = EventLogWriter(log, "throughput-batched", max_batch=100, flush_interval_s=0.02)
    t0 = time.perf_counter()
    for i in range(batched_n):
        await writer.emit(event(i))
    await writer.aclose()
    batched = batched_n / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for i in range(unbatched_n):
        await log.append("throughput-single", [event(i)])
    unbatched = unbatched_n / (time.perf_counter() - t0)
    assert await log.last_seq("throughput-batched") == batched_n
    return batched, unbatched


async def main(args: argparse.Namespace) -> None:
    azurite = start_azurite(in_memory=True)
    try:
        storage = StorageSettings(
            connection_string=SecretStr(azurite.connection_string), table_prefix="bench"
        )
        env = {
            "TRIAGE_STORAGE_CONNECTION_STRING": azurite.connection_string,
            "TRIAGE_TABLE_PREFIX": "bench",
            "TRIAGE_MEDIA_HOST_KEY": HOST_KEY,
            # One client creates hundreds of sessions here: the per-client limit is not measured.
            "TRIAGE_CREATE_RATE_LIMIT": "1000000/minute",
        }
        async with TableStore.from_settings(storage) as store:
            await MediaHostRegistry(store).heartbeat(
                MediaHostRecord(
                    host_id="bench-host", internal_url="http://127.0.0.1:9", capacity=1_000_000
                )
            )
            log = EventLog(store)
            async with (
                api_server(env, free_port()) as url,
                httpx.AsyncClient(base_url=url, timeout=30) as http,
            ):
                await bench_create(http, 10)  # warm-up
                create = await bench_create(http, args.sessions)
                long_poll = await bench_long_poll(http, log, args.events)
                sse = await bench_sse(http, log, args.events)
            batched, unbatched = await bench_throughput(log, args.batched, args.unbatched)
    finally:
        azurite.stop()

    print("control-plane benchmark (local: Azurite in memory + uvicorn, one process each)")
    print(line("session create", create))
    print(line("append→delivered, long-poll", long_poll))
    print(line("append→delivered, SSE", sse))
    print(f"{'events/s, one writer, batched':<34} {batched:9.0f}  ({args.batched} events)")
    print(f"{'events/s, one writer, unbatched':<34} {unbatched:9.0f}  ({args.unbatched} events)")
    print(f"{'batching speed-up':<34} {batched / unbatched:9.1f}x")
    targets = all(pct(s, 50) <= 150 and pct(s, 99) <= 500 for s in (long_poll, sse))
    print(f"delivery targets (p50 ≤ 150 ms, p99 ≤ 500 ms): {'met' if targets else 'NOT met'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--batched", type=int, default=5000)
    parser.add_argument("--unbatched", type=int, default=500)
    asyncio.run(main(parser.parse_args()))
