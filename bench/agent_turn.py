"""Benchmark: latency of one intake-agent turn (rules backend) and memory per session.

Run: ``uv run python bench/agent_turn.py [--sessions 200] [--memory-sessions 500]
[--assertion scope|context|context_pyrush|context_triage]`` (ConText readings need the
``context`` extra; docs/decisions.md D85)

Figures printed:

* full turn (``IntakeAgent.handle_utterance``: extraction + red flags + planning + reply +
  InMemorySaver checkpoint) p50 / p99 / max, against the target p99 <= 10 ms;
* baseline measured in the same run on the same utterances: bare rules extraction, and the
  ratio full turn / bare extraction (the graph's overhead factor);
* memory per live session: tracemalloc delta and RSS delta over N concurrent sessions that have
  each answered a few questions, with InMemorySaver.

Not a unit test: numbers depend on the machine. Exit code 0 always (it prints PASS/FAIL).
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from media_host.intake_agent.agent import IntakeAgent
from media_host.intake_agent.extraction import RulesExtractor
from media_host.intake_agent.extraction.assertion_context import (
    ASSERTION_BACKENDS,
    AssertionBackend,
)
from media_host.intake_agent.models import QuestionContext
from media_host.intake_agent.settings import AgentSettings

TARGET_P99_MS = 10.0

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


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def rss_bytes() -> int:
    """Current resident set size (Linux /proc; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


async def run_session(
    agent: IntakeAgent,
    session_id: str,
    turns: int,
    timings: list[float],
    cpu_timings: list[float] | None = None,
) -> None:
    await agent.start_session(session_id, "en")
    for n, text in enumerate(SCRIPT[:turns]):
        t0, c0 = time.perf_counter(), time.thread_time()
        turn = await agent.handle_utterance(session_id, item_id=f"{session_id}-{n}", text=text)
        timings.append((time.perf_counter() - t0) * 1000)
        if cpu_timings is not None:
            # CPU time of this thread: the turn's own work, without time lost to other
            # processes on a busy machine (every node runs inline on the event loop thread).
            cpu_timings.append((time.thread_time() - c0) * 1000)
        if turn.reply.end_of_interview:
            break


def bench_extraction(rounds: int, assertion: AssertionBackend) -> list[float]:
    extractor = RulesExtractor(assertion=assertion)
    context = QuestionContext(kind="free")
    timings: list[float] = []
    for r in range(rounds):
        for n, text in enumerate(SCRIPT):
            t0 = time.perf_counter()
            extractor.extract(text, item_id=f"b{r}-{n}", language="en", context=context)
            timings.append((time.perf_counter() - t0) * 1000)
    return timings


async def bench_latency(
    sessions: int, assertion: AssertionBackend
) -> tuple[list[float], list[float]]:
    agent = IntakeAgent(settings=AgentSettings(assertion=assertion))
    timings: list[float] = []
    cpu: list[float] = []
    await run_session(agent, "warmup", len(SCRIPT), [])  # imports, caches
    for s in range(sessions):
        await run_session(agent, f"lat-{s}", len(SCRIPT), timings, cpu)
    return timings, cpu


async def bench_memory(
    sessions: int, turns: int, assertion: AssertionBackend
) -> tuple[float, float]:
    agent = IntakeAgent(settings=AgentSettings(assertion=assertion))
    await run_session(agent, "warmup", turns, [])
    gc.collect()
    rss_before = rss_bytes()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    await asyncio.gather(*(run_session(agent, f"mem-{s}", turns, []) for s in range(sessions)))
    gc.collect()
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = rss_bytes()
    return (after - before) / sessions, (rss_after - rss_before) / sessions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200, help="sessions for latency")
    parser.add_argument("--memory-sessions", type=int, default=500)
    parser.add_argument("--memory-turns", type=int, default=6)
    parser.add_argument("--assertion", choices=ASSERTION_BACKENDS, default="scope")
    args = parser.parse_args()

    baseline = bench_extraction(max(1, args.sessions), args.assertion)
    turns, cpu = asyncio.run(bench_latency(args.sessions, args.assertion))
    per_session_traced, per_session_rss = asyncio.run(
        bench_memory(args.memory_sessions, args.memory_turns, args.assertion)
    )

    full_p50, full_p99 = percentile(turns, 50), percentile(turns, 99)
    base_p50, base_p99 = percentile(baseline, 50), percentile(baseline, 99)
    print(
        f"agent turn latency, rules backend ({args.assertion} assertion), InMemorySaver "
        f"({len(turns)} turns, "
        f"{args.sessions} sessions)"
    )
    print(
        f"  full turn        p50 {full_p50:7.3f} ms  p99 {full_p99:7.3f} ms  "
        f"max {max(turns):7.3f} ms  mean {statistics.fmean(turns):7.3f} ms"
    )
    print(
        f"  full turn (CPU)  p50 {percentile(cpu, 50):7.3f} ms  p99 {percentile(cpu, 99):7.3f} ms"
        "  (thread CPU time: excludes time taken by other processes)"
    )
    print(
        f"  bare extraction  p50 {base_p50:7.3f} ms  p99 {base_p99:7.3f} ms  "
        f"({len(baseline)} calls, same utterances)"
    )
    print(f"  ratio full/bare  p50 {full_p50 / base_p50:6.1f}x  p99 {full_p99 / base_p99:6.1f}x")
    verdict = "PASS" if full_p99 <= TARGET_P99_MS else "FAIL"
    print(
        f"  target p99 <= {TARGET_P99_MS:.0f} ms (wall): {verdict}   load average "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    print(
        f"memory per session ({args.memory_sessions} concurrent sessions, "
        f"{args.memory_turns} turns each, InMemorySaver keeps every checkpoint)"
    )
    print(
        f"  tracemalloc {per_session_traced / 1024:8.1f} KiB/session   "
        f"RSS delta {per_session_rss / 1024:8.1f} KiB/session"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
