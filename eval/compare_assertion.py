"""Compare the two assertion readings (trigger-table ``scope`` vs medspaCy ``context``).

Runs every evaluation set through the one-shot assessment with each reading and prints accuracy,
emergency sensitivity, self-care cases called emergency, per style (dev and blind split of the
devset apart), the hand-labelled assertion sentences of ``eval/assertion_cases.jsonl``, and the
per-utterance cost of extraction with each reading.

    uv sync --extra context     # medspaCy is an optional extra
    uv run python eval/compare_assertion.py [--devset PATH] [--json OUT]

Devset ids whose number is divisible by 3 are the blind split (see the devset README).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from media_host.intake_agent.assess import assess_text
from media_host.intake_agent.evaluation import EvalCase, parse_cases
from media_host.intake_agent.extraction.assertion_context import (
    ASSERTION_BACKENDS,
    AssertionBackend,
)
from media_host.intake_agent.extraction.rules import RulesExtractor
from media_host.intake_agent.models import Level
from media_host.intake_agent.textnorm import Token

HERE = Path(__file__).resolve().parent
DEFAULT_DEVSET = HERE.parent.parent / "shared" / "triage-devset" / "vignettes.jsonl"
TEAM_SETS = ("cases.jsonl", "blind_batches.jsonl", "blind_batches_2.jsonl", "blind_batches_3.jsonl")
DROPPED = "dropped"  # not reported as a current finding (family or past history)
# short answers as a caller gives them in the live interview (cost of one turn's extraction)
INTERVIEW_ANSWERS = (
    "yes",
    "no, nothing like that",
    "I've had a bad headache since last night and I feel sick",
    "about a seven out of ten",
    "no fever, no stiff neck, no rash",
    "my daughter is four and she keeps coughing",
    "I don't think so",
    "it started suddenly this morning",
    "my mother had a stroke but I've never had one",
    "maybe a little dizzy when I stand up",
)


def _load(path: Path) -> tuple[list[EvalCase], dict[str, dict[str, Any]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    raw = {str(json.loads(line)["id"]): json.loads(line) for line in lines if line.strip()}
    return parse_cases(lines), raw


def _predict(cases: list[EvalCase], backend: AssertionBackend) -> dict[str, Level]:
    return {
        c.id: assess_text(
            c.vignette, age=c.age, sex=c.sex, language=c.language, assertion=backend
        ).disposition.level
        for c in cases
    }


def _figures(cases: Sequence[EvalCase], predicted: dict[str, Level]) -> dict[str, Any]:
    n = len(cases)
    correct = sum(predicted[c.id] in c.accept for c in cases)
    emergencies = [c for c in cases if c.gold_level is Level.EMERGENCY]
    caught = sum(predicted[c.id] is Level.EMERGENCY for c in emergencies)
    self_care = [c for c in cases if c.gold_level is Level.SELF_CARE]
    under = sum(
        predicted[c.id].rank > max(a.rank for a in c.accept)
        for c in cases
        if predicted[c.id] not in c.accept
    )
    return {
        "n": n,
        "accuracy": round(correct / n, 4) if n else None,
        "emergency_sensitivity": round(caught / len(emergencies), 4) if emergencies else None,
        "emergencies": len(emergencies),
        "self_care_to_emergency": sum(predicted[c.id] is Level.EMERGENCY for c in self_care),
        "under_triaged": under,
    }


def _devset_blind(case_id: str) -> bool:
    return int(case_id.rsplit("-", 1)[-1]) % 3 == 0


def evaluate_sets(devset: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    sets = [(name, HERE / name) for name in TEAM_SETS] + [("devset", devset)]
    for name, path in sets:
        cases, raw = _load(path)
        by_backend = {b: _predict(cases, b) for b in ASSERTION_BACKENDS}
        entry: dict[str, Any] = {}
        groups: dict[str, list[EvalCase]] = {"all": cases}
        if name == "devset":
            groups["dev"] = [c for c in cases if not _devset_blind(c.id)]
            groups["blind"] = [c for c in cases if _devset_blind(c.id)]
            for style in sorted({raw[c.id]["style"] for c in cases}):
                for split in ("dev", "blind"):
                    groups[f"{style}/{split}"] = [
                        c for c in groups[split] if raw[c.id]["style"] == style
                    ]
        for group, members in groups.items():
            entry[group] = {b: _figures(members, by_backend[b]) for b in ASSERTION_BACKENDS}
        entry["disagreements"] = {}
        for backend in ASSERTION_BACKENDS[1:]:
            base, other = by_backend["scope"], by_backend[backend]
            differ = [c for c in cases if base[c.id] != other[c.id]]
            entry["disagreements"][backend] = {
                "n": len(differ),
                "scope_right": sum(base[c.id] in c.accept for c in differ),
                "other_right": sum(other[c.id] in c.accept for c in differ),
                "ids": [
                    f"{c.id}:{c.gold_level.value}:{base[c.id].value}->{other[c.id].value}"
                    for c in differ
                ],
            }
        out[name] = entry
    return out


def _null_assertion(
    norm: str,
    tokens: Sequence[Token],
    words: Sequence[str],
    sentence_of: Sequence[int],
    matches: Sequence[tuple[int, int]],
    language: str,
) -> list[set[str]]:
    return [set() for _ in matches]


def _outcomes(extractor: RulesExtractor, text: str) -> dict[str, str]:
    extraction = extractor.extract(text, item_id="a", language="en")
    return {f.concept_id: f.presence.value for f in extraction.findings}


def evaluate_assertions(path: Path) -> dict[str, Any]:
    """Score each hand-labelled (sentence, concept) pair: present / absent / uncertain / dropped."""
    extractors = {b: RulesExtractor(assertion=b) for b in ASSERTION_BACKENDS}
    bare = RulesExtractor()
    bare._assertion = _null_assertion  # which concepts the lexicon finds at all
    per_kind: dict[str, dict[str, list[int]]] = {}
    failures: dict[str, list[str]] = {b: [] for b in ASSERTION_BACKENDS}
    unmatched: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        found = _outcomes(bare, case["text"])
        for concept, expect in case["expect"].items():
            accepted = {expect} if isinstance(expect, str) else set(expect)
            if concept not in found:
                unmatched.append(f"{case['id']}:{concept}")
                continue
            for backend, extractor in extractors.items():
                got = _outcomes(extractor, case["text"]).get(concept, DROPPED)
                tally = per_kind.setdefault(case["kind"], {}).setdefault(backend, [0, 0])
                tally[1] += 1
                if got in accepted:
                    tally[0] += 1
                else:
                    failures[backend].append(f"{case['id']}:{concept}={got}")
    totals = {
        b: [sum(k[b][0] for k in per_kind.values()), sum(k[b][1] for k in per_kind.values())]
        for b in ASSERTION_BACKENDS
    }
    return {"per_kind": per_kind, "total": totals, "failures": failures, "unmatched": unmatched}


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
    }


def measure_cost(utterances: list[str], passes: int) -> dict[str, Any]:
    """Cost of one ``RulesExtractor.extract`` call per utterance, with each reading.

    Thread CPU time (``time.thread_time``: what the call itself costs, without the time the
    thread waits while other processes run) and wall time. The readings take turns on every
    utterance, so a busy machine slows them alike.
    """
    extractors: dict[str, RulesExtractor] = {}
    build_s: dict[str, float] = {}
    for backend in ASSERTION_BACKENDS:
        started = time.perf_counter()
        extractors[backend] = RulesExtractor(assertion=backend)
        build_s[backend] = time.perf_counter() - started  # the first ConText one imports spaCy
        for text in utterances[:20]:  # warm caches
            extractors[backend].extract(text, item_id="u", language="en")
    samples: dict[str, list[float]] = {b: [] for b in ASSERTION_BACKENDS}
    cpu: dict[str, list[float]] = {b: [] for b in ASSERTION_BACKENDS}
    for turn in range(passes):
        for index, text in enumerate(utterances):
            order = list(ASSERTION_BACKENDS)
            shift = (index + turn) % len(order)
            for backend in order[shift:] + order[:shift]:
                c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
                extractors[backend].extract(text, item_id="u", language="en")
                samples[backend].append((time.perf_counter_ns() - t0) / 1e6)
                cpu[backend].append((time.thread_time_ns() - c0) / 1e6)
    base = statistics.median(cpu["scope"])
    return {
        b: {
            "build_s": round(build_s[b], 2),
            "cpu": _percentiles(cpu[b]),
            "wall": _percentiles(samples[b]),
            "cpu_p50_vs_scope": round(statistics.median(cpu[b]) / base, 2),
        }
        for b in ASSERTION_BACKENDS
    }


def _utterances(devset: Path) -> list[str]:
    """Caller-sized utterances: the first sentence or two of each English vignette."""
    texts = []
    for path in [HERE / "cases.jsonl", devset]:
        for case in parse_cases(path.read_text(encoding="utf-8").splitlines()):
            if case.language == "en":
                texts.append(" ".join(case.vignette.split(". ")[:2])[:300])
    return texts


def _render(report: dict[str, Any]) -> str:
    lines = []
    for name, entry in report.get("sets", {}).items():
        for group, by_backend in entry.items():
            if group == "disagreements":
                for backend, d in by_backend.items():
                    lines.append(
                        f"{name:22} scope vs {backend}: {d['n']} differ, scope right "
                        f"{d['scope_right']}, {backend} right {d['other_right']}"
                    )
                continue
            cells = []
            for backend, f in by_backend.items():
                sens = (
                    "-"
                    if f["emergency_sensitivity"] is None
                    else f"{f['emergency_sensitivity']:.1%}"
                )
                cells.append(
                    f"{backend}: acc {f['accuracy']:.1%} emerg {sens} "
                    f"sc->em {f['self_care_to_emergency']} under {f['under_triaged']}"
                )
            lines.append(
                f"{name + '/' + group:32} n={by_backend['scope']['n']:3}  " + " | ".join(cells)
            )
    a = report.get("assertions", {"per_kind": {}, "total": {}, "failures": {}, "unmatched": []})
    for kind, by_backend in sorted(a["per_kind"].items()):
        lines.append(
            f"assertions {kind:13} "
            + "  ".join(f"{b} {v[0]}/{v[1]}" for b, v in by_backend.items())
        )
    if a["total"]:
        lines.append(
            "assertions total       "
            + "  ".join(f"{b} {v[0]}/{v[1]}" for b, v in a["total"].items())
        )
    for backend, fails in a["failures"].items():
        lines.append(f"  {backend} wrong: {', '.join(fails)}")
    if a["unmatched"]:
        lines.append(f"  concept not in lexicon output: {', '.join(a['unmatched'])}")
    costs = [("cost", b, c) for b, c in report.get("cost", {}).items()]
    costs += [("cost_interview", b, c) for b, c in report.get("cost_interview", {}).items()]
    for part, backend, c in costs:
        cpu, wall = c["cpu"], c["wall"]
        lines.append(
            f"{part:14} {backend:14} extract CPU p50 {cpu['p50_ms']} ms p99 {cpu['p99_ms']} ms "
            f"(x{c['cpu_p50_vs_scope']} of scope) | wall p50 {wall['p50_ms']} ms "
            f"p99 {wall['p99_ms']} ms | build {c['build_s']} s"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=DEFAULT_DEVSET)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--passes", type=int, default=3, help="timing passes over the utterances")
    parser.add_argument(
        "--parts",
        default="cost,assertions,sets",
        help="comma list of what to run: cost, assertions, sets",
    )
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    report: dict[str, Any] = {}
    if "cost" in parts:
        report["cost"] = measure_cost(_utterances(args.devset), args.passes)
        report["cost_interview"] = measure_cost(list(INTERVIEW_ANSWERS) * 10, args.passes)
    if "assertions" in parts:
        report["assertions"] = evaluate_assertions(HERE / "assertion_cases.jsonl")
    if "sets" in parts:
        report["sets"] = evaluate_sets(args.devset)
    print(_render(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
