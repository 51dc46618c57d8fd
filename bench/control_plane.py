"""Control-plane benchmark on the local stack: `uv run python bench/control_plane.py`.

Starts its own Azurite (in memory) and the API (`python -m control_plane` under uvicorn) on free
ports, registers a media-host entry (no host process is needed: offers are not benchmarked), then
prints:

* session create latency p50/p99 (POST /api/intake/sessions, sequential);
* event append → delivered latency p50/p99, through long-poll and through SSE, measured from
  the moment the writer starts its append until the client has parsed the event;
* events/s a single writer sustains with batching (EventLogWriter) and unbatched (one append per
  event), measured in the same run, and their ratio.

Targets from the issue: delivery p50 ≤ 150 ms and p99 ≤ 500 ms. Runtime well under 2 minutes;
``--smoke`` runs every phase with tiny counts (a few seconds; the test suite runs it so the bench
cannot rot).

The registered host's capacity is exactly what the run needs, and its heartbeat is refreshed while
the run lasts. A create the API refuses (503 ``no_media_host``, 429 with ``Retry-After``) is retried
after the advised delay and counted; the figures cover successful creates only.
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
WARMUP_CREATES = 10
HEARTBEAT_EVERY_S = 1.0
MAX_REFUSALS = 10  # a run refused more often than this reports the API's answer and stops
SMOKE = {"sessions": 5, "events": 10, "batched": 200, "unbatched": 20}


class ApiRefused(RuntimeError):
    """The API answered a bench call with a non-2xx status (message: status and problem code)."""


def refusal(response: httpx.Response) -> ApiRefused:
    try:
        code = response.json().get("code", "?")
    except ValueError:
        code = "?"
    return ApiRefused(
        f"{response.request.method} {response.request.url.path} → "
        f"HTTP {response.status_code} ({code})"
    )


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


class Creator:
    """Creates sessions; a refusal that advises ``Retry-After`` is waited out and counted."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.refused: dict[int, int] = {}

    async def create(self) -> tuple[float, dict[str, object]]:
        """Latency (ms) of the successful create and its body."""
        while True:
            t0 = time.perf_counter()
            response = await self.http.post("/api/intake/sessions", json={"user_language": "en"})
            elapsed_ms = (time.perf_counter() - t0) * 1000
            if response.status_code == 201:
                return elapsed_ms, response.json()
            retry_after = response.headers.get("retry-after", "")
            if not retry_after.isdigit() or sum(self.refused.values()) >= MAX_REFUSALS:
                raise refusal(response)
            self.refused[response.status_code] = self.refused.get(response.status_code, 0) + 1
            await asyncio.sleep(min(float(retry_after), 5.0))

    async def new_session(self) -> tuple[str, dict[str, str]]:
        _, body = await self.create()
        return str(body["session_id"]), {"Authorization": f"Bearer {body['session_token']}"}


async def bench_create(creator: Creator, n: int) -> list[float]:
    return [(await creator.create())[0] for _ in range(n)]


async def get_ok(
    http: httpx.AsyncClient, url: str, *, params: dict[str, int], headers: dict[str, str]
) -> dict[str, Any]:
    response = await http.get(url, params=params, headers=headers)
    if response.status_code != 200:
        raise refusal(response)
    body: dict[str, Any] = response.json()
    return body


async def produce(log: EventLog, session_id: str, n: int, sent: dict[str, float]) -> None:
    """Append one event at a time at irregular intervals, remembering when each append began
    (keyed by item id: a reader may see the event before the append call has even returned)."""
    for i in range(n):
        await asyncio.sleep(random.uniform(0.02, 0.08))
        sent[f"b{i}"] = time.perf_counter()
        await log.append(session_id, [event(i)])


async def bench_long_poll(creator: Creator, log: EventLog, n: int) -> list[float]:
    http = creator.http
    session_id, auth = await creator.new_session()
    sent: dict[str, float] = {}
    latencies: list[float] = []
    producer = asyncio.create_task(produce(log, session_id, n, sent))
    cursor = 1  # seq 1 is the "created" status event
    while len(latencies) < n:
        page = await get_ok(
            http,
            f"/api/intake/sessions/{session_id}/events",
            params={"after": cursor, "wait": 25},
            headers=auth,
        )
        now = time.perf_counter()
        for item in page["events"]:
            latencies.append((now - sent[item["data"]["item_id"]]) * 1000)
        cursor = page["next_after"]
    await producer
    return latencies


async def bench_sse(creator: Creator, log: EventLog, n: int) -> list[float]:
    http = creator.http
    session_id, auth = await creator.new_session()
    sent: dict[str, float] = {}
    latencies: list[float] = []
    url = f"/api/intake/sessions/{session_id}/events/stream"
    async with http.stream("GET", url, params={"after": 1}, headers=auth) as response:
        if response.status_code != 200:
            await response.aread()
            raise refusal(response)
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


async def keep_registered(registry: MediaHostRegistry, record: MediaHostRecord) -> None:
    """Heartbeat like a live host: fresh, and its reservations reset to its (zero) real load."""
    while True:
        await registry.heartbeat(record.model_copy(update={"last_heartbeat": datetime.now(UTC)}))
        await asyncio.sleep(HEARTBEAT_EVERY_S)


async def main(args: argparse.Namespace) -> int:
    # Every session the run creates, in one heartbeat interval at worst, and nothing more.
    capacity = WARMUP_CREATES + args.sessions + 2
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
            host = MediaHostRecord(
                host_id="bench-host", internal_url="http://127.0.0.1:9", capacity=capacity
            )
            heartbeat = asyncio.create_task(keep_registered(MediaHostRegistry(store), host))
            log = EventLog(store)
            try:
                async with (
                    api_server(env, free_port()) as url,
                    httpx.AsyncClient(base_url=url, timeout=30) as http,
                ):
                    creator = Creator(http)
                    await bench_create(creator, WARMUP_CREATES)
                    create = await bench_create(creator, args.sessions)
                    long_poll = await bench_long_poll(creator, log, args.events)
                    sse = await bench_sse(creator, log, args.events)
            except ApiRefused as exc:
                print(f"control-plane benchmark stopped: {exc}", file=sys.stderr)
                return 1
            finally:
                heartbeat.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await heartbeat
            batched, unbatched = await bench_throughput(log, args.batched, args.unbatched)
    finally:
        azurite.stop()

    print("control-plane benchmark (local: Azurite in memory + uvicorn, one process each)")
    print(f"media host capacity registered: {capacity}; refused creates retried: {creator.refused}")
    print(line("session create", create))
    print(line("append→delivered, long-poll", long_poll))
    print(line("append→delivered, SSE", sse))
    print(f"{'events/s, one writer, batched':<34} {batched:9.0f}  ({args.batched} events)")
    print(f"{'events/s, one writer, unbatched':<34} {unbatched:9.0f}  ({args.unbatched} events)")
    print(f"{'batching speed-up':<34} {batched / unbatched:9.1f}x")
    targets = all(pct(s, 50) <= 150 and pct(s, 99) <= 500 for s in (long_poll, sse))
    print(f"delivery targets (p50 ≤ 150 ms, p99 ≤ 500 ms): {'met' if targets else 'NOT met'}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--batched", type=int, default=5000)
    parser.add_argument("--unbatched", type=int, default=500)
    parser.add_argument("--smoke", action="store_true", help="tiny counts: checks the bench runs")
    arguments = parser.parse_args()
    if arguments.smoke:
        vars(arguments).update(SMOKE)
    raise SystemExit(asyncio.run(main(arguments)))
