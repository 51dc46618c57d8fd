"""Benchmark: latency of one intake-agent turn (rules backend) and memory per session.

Run: ``uv run python bench/agent_turn.py [--checkpointer both|table|memory] [--repeats 3]
[--sessions 60] [--table-sessions 15] [--memory-sessions 200] [--memory-turns 6] [--smoke]``

A turn is ``IntakeAgent.handle_utterance``: the facade's checks on the pre-turn state, one graph
run (extraction, red flags, merge, planning, reply) and its durable checkpoint. Measured with:

* ``table`` — the production checkpointer, :class:`TableStorageSaver`, against a real Azurite
  (in memory, started by the bench; loopback HTTP, so no network latency, but every storage
  request the Azure SDK makes, with its CPU cost). Also prints storage requests per turn.
* ``memory`` — LangGraph's ``InMemorySaver``: the agent's own work without storage.

Every repeat measures its own baseline first, in the same process and on the same utterances:
the bare rules extraction (``RulesExtractor.extract``). Figures are printed as milliseconds
*and* as the ratio full turn / bare extraction, with the load average (``/proc/loadavg``) at the
start and end of the repeat: on a shared machine the ratio is the comparable figure. Thread CPU
time per turn (``time.thread_time``: excludes time lost to other processes) is printed too.
Repeats are short and separate, so one burst of load on the machine spoils one repeat, not all.

Memory per live session: tracemalloc and RSS deltas over N concurrent sessions that have each
answered a few questions, with ``InMemorySaver`` (which keeps every checkpoint).

Not a unit test: numbers depend on the machine. Exit code 0 always (it prints PASS/FAIL against
the target p99 <= 10 ms, wall clock).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import SecretStr

from devtools.azurite import Azurite, start_azurite
from media_host.intake_agent.agent import IntakeAgent
from media_host.intake_agent.checkpoint import TableStorageSaver
from media_host.intake_agent.extraction import RulesExtractor
from media_host.intake_agent.models import QuestionContext
from media_host.intake_agent.state import intake_serializer
from shared.config import StorageSettings
from shared.storage import TableStore

TARGET_P99_MS = 10.0
BENCH_TABLE = "benchturns"

# One scripted patient: answers whatever is asked; covers every phase of a typical interview.
SCRIPT = [
    "yes, that's fine",
    "I've had a headache since yesterday",
    "it came on gradually",
    "it's about 5 out of 10",
    "at the front of my head",
    "no",
    "no",
    "I don't know",
    "no fever and no neck stiffness",
    "no",
    "no",
    "I'm 34 years old",
    "female",
    "no",
    "I take ibuprofen sometimes",
    "no allergies",
    "yes that's right",
]

CHECKPOINTER_NAMES = {
    "table": "TableStorageSaver on Azurite (production checkpointer, loopback HTTP)",
    "memory": "InMemorySaver (no storage: the agent's own work)",
}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def load_average() -> str:
    """The 1-minute load average from /proc/loadavg (os.getloadavg elsewhere)."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return f"{os.getloadavg()[0]:.2f}"


def rss_bytes() -> int:
    """Current resident set size (Linux /proc; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


class RequestCounter:
    """Counts the HTTP requests the saver's Table clients send (azure-core request hook)."""

    def __init__(self) -> None:
        self.count = 0

    def hook(self, request: Any) -> None:
        self.count += 1


@dataclass
class Samples:
    """Per-turn measurements of one repeat."""

    wall: list[float]
    cpu: list[float]
    requests: list[int]


@dataclass
class Repeat:
    """One short measurement: the baseline and the full turns, taken back to back."""

    bare: list[float]
    turns: Samples
    storage: bool
    load_start: str
    load_end: str

    def ratio(self, pct: float) -> float:
        return percentile(self.turns.wall, pct) / percentile(self.bare, pct)


async def run_session(
    agent: IntakeAgent,
    session_id: str,
    turns: int,
    samples: Samples | None = None,
    counter: RequestCounter | None = None,
) -> None:
    await agent.start_session(session_id, "en")
    for n, text in enumerate(SCRIPT[:turns]):
        sent = counter.count if counter else 0
        t0, c0 = time.perf_counter(), time.thread_time()
        turn = await agent.handle_utterance(session_id, item_id=f"{session_id}-{n}", text=text)
        wall, cpu = time.perf_counter() - t0, time.thread_time() - c0
        if samples is not None:
            samples.wall.append(wall * 1000)
            # CPU time of this thread: the turn's own work, without time lost to other
            # processes on a busy machine (every node runs inline on the event loop thread).
            samples.cpu.append(cpu * 1000)
            samples.requests.append(counter.count - sent if counter else 0)
        if turn.reply.end_of_interview:
            break
    agent.end_call(session_id)  # what the bridge does when the call closes


def bench_extraction(rounds: int) -> list[float]:
    extractor = RulesExtractor()
    context = QuestionContext(kind="free")
    timings: list[float] = []
    for r in range(rounds):
        for n, text in enumerate(SCRIPT):
            t0 = time.perf_counter()
            extractor.extract(text, item_id=f"b{r}-{n}", language="en", context=context)
            timings.append((time.perf_counter() - t0) * 1000)
    return timings


SaverFactory = Callable[[RequestCounter], AbstractAsyncContextManager[BaseCheckpointSaver[Any]]]


async def bench_repeat(make_saver: SaverFactory, sessions: int, tag: str) -> Repeat:
    counter = RequestCounter()
    async with make_saver(counter) as saver:
        agent = IntakeAgent(checkpointer=saver)
        await run_session(agent, f"{tag}-warmup", len(SCRIPT))  # imports, caches, the table
        load_start = load_average()
        bare = bench_extraction(max(1, sessions))
        samples = Samples([], [], [])
        for s in range(sessions):
            await run_session(agent, f"{tag}-{s}", len(SCRIPT), samples, counter)
        return Repeat(
            bare=bare,
            turns=samples,
            storage=isinstance(saver, TableStorageSaver),
            load_start=load_start,
            load_end=load_average(),
        )


def describe(rep: Repeat, label: str) -> str:
    wall, cpu, bare = rep.turns.wall, rep.turns.cpu, rep.bare
    requests = (
        f"  storage requests/turn {statistics.fmean(rep.turns.requests):4.2f}"
        if rep.storage
        else ""
    )
    return (
        f"  {label:<6} turn p50 {percentile(wall, 50):7.3f} ms  p99 {percentile(wall, 99):7.3f} ms"
        f" | CPU p50 {percentile(cpu, 50):6.3f}  p99 {percentile(cpu, 99):6.3f} ms"
        f" | bare p50 {percentile(bare, 50):6.3f}  p99 {percentile(bare, 99):6.3f} ms"
        f" | ratio p50 {rep.ratio(50):6.1f}x  p99 {rep.ratio(99):6.1f}x"
        f" | load {rep.load_start}->{rep.load_end}{requests}"
    )


def summarise(repeats: list[Repeat]) -> None:
    def median_of(fn: Callable[[Repeat], float]) -> float:
        return statistics.median(fn(r) for r in repeats)

    wall50 = median_of(lambda r: percentile(r.turns.wall, 50))
    wall99 = median_of(lambda r: percentile(r.turns.wall, 99))
    cpu50 = median_of(lambda r: percentile(r.turns.cpu, 50))
    cpu99 = median_of(lambda r: percentile(r.turns.cpu, 99))
    verdict = "PASS" if wall99 <= TARGET_P99_MS else "FAIL"
    print(
        f"  median of {len(repeats)} runs: turn p50 {wall50:.3f} ms  p99 {wall99:.3f} ms"
        f" (CPU p50 {cpu50:.3f}  p99 {cpu99:.3f} ms); ratio to bare extraction"
        f" p50 {median_of(lambda r: r.ratio(50)):.1f}x  p99 {median_of(lambda r: r.ratio(99)):.1f}x"
    )
    print(f"  target p99 <= {TARGET_P99_MS:.0f} ms (wall): {verdict}")


async def bench_memory(sessions: int, turns: int) -> tuple[float, float]:
    agent = IntakeAgent()
    await run_session(agent, "warmup", turns)
    gc.collect()
    rss_before = rss_bytes()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    await asyncio.gather(*(run_session(agent, f"mem-{s}", turns) for s in range(sessions)))
    gc.collect()
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = rss_bytes()
    return (after - before) / sessions, (rss_after - rss_before) / sessions


def saver_factory(kind: str, azurite: Azurite | None) -> SaverFactory:
    """A fresh checkpointer per repeat: Table Storage (through the shared ``TableStore``, as
    the media host opens it, counting its requests) or in memory."""

    @asynccontextmanager
    async def table(counter: RequestCounter) -> AsyncIterator[BaseCheckpointSaver[Any]]:
        assert azurite is not None
        storage = StorageSettings(connection_string=SecretStr(azurite.connection_string))
        store = TableStore.from_settings(
            storage, client_options={"raw_request_hook": counter.hook}, tables=(BENCH_TABLE,)
        )
        async with store:
            yield TableStorageSaver(store.table(BENCH_TABLE))

    @asynccontextmanager
    async def memory(counter: RequestCounter) -> AsyncIterator[BaseCheckpointSaver[Any]]:
        yield InMemorySaver(serde=intake_serializer())

    return table if kind == "table" else memory


@contextmanager
def azurite_if(needed: bool) -> Iterator[Azurite | None]:
    if not needed:
        yield None
        return
    azurite = start_azurite(in_memory=True)
    try:
        yield azurite
    finally:
        azurite.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--checkpointer", choices=("both", "table", "memory"), default="both", help="what to run"
    )
    parser.add_argument("--repeats", type=int, default=3, help="short runs per checkpointer")
    parser.add_argument("--sessions", type=int, default=60, help="sessions per InMemory repeat")
    parser.add_argument(
        "--table-sessions", type=int, default=15, help="sessions per Table Storage repeat"
    )
    parser.add_argument("--memory-sessions", type=int, default=200)
    parser.add_argument("--memory-turns", type=int, default=6)
    parser.add_argument("--smoke", action="store_true", help="tiny run: proves the bench works")
    args = parser.parse_args()
    if args.smoke:
        args.repeats, args.sessions, args.table_sessions = 1, 2, 1
        args.memory_sessions, args.memory_turns = 5, 3

    kinds = ["table", "memory"] if args.checkpointer == "both" else [args.checkpointer]
    print(
        f"agent turn latency, rules backend, {len(SCRIPT)} turns per session, {os.cpu_count()} CPUs"
    )
    with azurite_if("table" in kinds) as azurite:
        for kind in kinds:
            make_saver = saver_factory(kind, azurite)
            sessions = args.table_sessions if kind == "table" else args.sessions
            print(f"checkpointer: {CHECKPOINTER_NAMES[kind]}; {sessions} sessions per repeat")
            repeats: list[Repeat] = []
            for n in range(args.repeats):
                rep = asyncio.run(bench_repeat(make_saver, sessions, f"{kind}{n}"))
                repeats.append(rep)
                print(describe(rep, f"run {n + 1}"))
            summarise(repeats)

    per_session_traced, per_session_rss = asyncio.run(
        bench_memory(args.memory_sessions, args.memory_turns)
    )
    print(
        f"memory per session ({args.memory_sessions} concurrent sessions, "
        f"{args.memory_turns} turns each, InMemorySaver keeps every checkpoint; "
        f"load {load_average()})"
    )
    print(
        f"  tracemalloc {per_session_traced / 1024:8.1f} KiB/session   "
        f"RSS delta {per_session_rss / 1024:8.1f} KiB/session"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
