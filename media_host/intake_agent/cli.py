"""``triage`` command line: ``assess`` one account, ``eval`` a JSONL case file, ``chat``.

Exit codes: 0 success, 2 bad input (usage, malformed eval file, unsupported language),
1 unexpected failure of a subcommand.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from media_host.intake_agent.errors import IntakeAgentError
from media_host.intake_agent.models import IntakeSummary, Level

_COLOURS = {
    Level.EMERGENCY: "\033[1;31m",
    Level.URGENT: "\033[1;33m",
    Level.NON_URGENT: "\033[1;34m",
    Level.SELF_CARE: "\033[1;32m",
}
_RESET = "\033[0m"
MAX_ASSESS_CHARS = 20_000


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triage", description="Virtual triage intake agent tools."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    assess = sub.add_parser("assess", help="assess one whole patient account")
    assess.add_argument("text", help="the patient's account, in quotes")
    assess.add_argument("--age", type=float, default=None, help="age in years")
    assess.add_argument("--sex", choices=["F", "M", "f", "m"], default=None)
    assess.add_argument("--lang", default="en", help="en or es")
    assess.add_argument("--json", action="store_true", help="print the summary as JSON")
    assess.add_argument("--no-color", action="store_true", help="no ANSI colours")

    ev = sub.add_parser("eval", help="evaluate triage levels on a JSONL case file")
    ev.add_argument("cases", help="JSONL file: one case per line")
    ev.add_argument("--json", action="store_true", help="print one JSON object to stdout")

    chat = sub.add_parser("chat", help="interactive text interview")
    chat.add_argument("--lang", default="en")
    chat.add_argument("--session-id", default=None)
    chat.add_argument("--no-color", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``triage`` console script."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        if args.command == "assess":
            return _assess(args, sys.stdout)
        if args.command == "eval":
            return _eval(args, sys.stdout, sys.stderr)
        return _chat(args)
    except IntakeAgentError as exc:
        print(f"triage: error: {exc}", file=sys.stderr)
        return 2


def _use_colour(stream: TextIO, disabled: bool) -> bool:
    return not disabled and hasattr(stream, "isatty") and stream.isatty()


def _assess(args: argparse.Namespace, out: TextIO) -> int:
    from media_host.intake_agent.assess import assess_text

    if len(args.text) > MAX_ASSESS_CHARS:
        print(f"triage: error: text longer than {MAX_ASSESS_CHARS} characters", file=sys.stderr)
        return 2
    summary = assess_text(args.text, age=args.age, sex=args.sex, language=args.lang)
    if args.json:
        out.write(summary.model_dump_json(indent=2) + "\n")
        return 0
    out.write(render_summary(summary, colour=_use_colour(out, args.no_color)))
    return 0


def render_summary(summary: IntakeSummary, *, colour: bool = False) -> str:
    """Human-readable summary and disposition."""
    level = summary.disposition.level
    head = level.value.replace("_", "-").upper()
    if colour:
        head = f"{_COLOURS[level]}{head}{_RESET}"
    demo = summary.demographics
    lines = [f"Disposition: {head}" + (" (cautious)" if summary.disposition.cautious else "")]
    facts = []
    if demo.age_years is not None:
        facts.append(f"age {demo.age_years:g}")
    if demo.sex:
        facts.append(demo.sex)
    if demo.pregnant:
        facts.append(
            "pregnant" + (f" {demo.pregnancy_weeks} weeks" if demo.pregnancy_weeks else "")
        )
    if facts:
        lines.append("Patient: " + ", ".join(facts))
    lines.append(f"Chief complaint: {summary.chief_complaint_label or 'not identified'}")
    if summary.findings_present:
        lines.append("Present: " + ", ".join(_describe(f) for f in summary.findings_present))
    if summary.findings_absent:
        lines.append("Denied: " + ", ".join(f.label for f in summary.findings_absent))
    if summary.findings_uncertain:
        lines.append("Uncertain: " + ", ".join(f.label for f in summary.findings_uncertain))
    hist = summary.history
    if hist.conditions:
        lines.append("History: " + ", ".join(hist.conditions))
    if hist.medications:
        lines.append("Medications: " + ", ".join(hist.medications))
    if hist.allergies:
        lines.append("Allergies: " + ", ".join(hist.allergies))
    for hit in summary.red_flags:
        lines.append(f"Red flag [{hit.level.value}] {hit.title} — {hit.source}")
    for reason in summary.disposition.rationale:
        lines.append(f"  - {reason}")
    lines.append(f"Advice: {summary.disposition.advice}")
    return "\n".join(lines) + "\n"


def _describe(f: object) -> str:
    from media_host.intake_agent.models import Finding

    assert isinstance(f, Finding)
    parts = []
    if f.severity is not None:
        parts.append(f"{f.severity}/10")
    if f.onset:
        parts.append(f.onset)
    if f.duration_hours is not None:
        parts.append(f"{f.duration_hours:g}h")
    if f.character:
        parts.append(f.character)
    if f.radiation:
        parts.append(f"→ {f.radiation}")
    if f.value is not None:
        parts.append(f"{f.value:g}")
    return f.label + (f" ({', '.join(parts)})" if parts else "")


def _eval(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from media_host.intake_agent.evaluation import parse_cases, run_eval

    try:
        with open(args.cases, encoding="utf-8") as handle:
            cases = parse_cases(handle)
    except OSError as exc:
        print(f"triage: error: cannot read {args.cases}: {exc.strerror}", file=err)
        return 2
    except UnicodeDecodeError:
        print(f"triage: error: {args.cases} is not UTF-8 text", file=err)
        return 2
    if not cases:
        print(f"triage: error: {args.cases} contains no cases", file=err)
        return 2

    interactive = hasattr(err, "isatty") and err.isatty()

    def progress(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total)
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        if interactive:
            err.write("\r" + bar + ("\n" if done == total else ""))
        elif done == total or done * 10 // total != (done - 1) * 10 // total:
            err.write(bar + "\n")  # a log-friendly line every 10 %
        err.flush()

    result = run_eval(cases, progress=progress)
    if args.json:
        out.write(json.dumps({"cases": result.cases, "summary": result.summary}) + "\n")
        return 0
    out.write(render_eval(result.summary))
    return 0


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def render_eval(summary: dict[str, object]) -> str:
    """Human-readable evaluation report."""
    accuracy = _pct(summary["accuracy"])  # type: ignore[arg-type]
    sensitivity = _pct(summary["emergency_sensitivity"])  # type: ignore[arg-type]
    under = _pct(summary["under_triage_rate"])  # type: ignore[arg-type]
    over = _pct(summary["over_triage_rate"])  # type: ignore[arg-type]
    lines = [
        f"Cases: {summary['total']}  correct: {summary['correct']}  accuracy: {accuracy}",
        f"Emergency sensitivity: {sensitivity}",
        f"Under-triage: {under}  over-triage: {over}",
        "Per gold level:",
    ]
    per_level = summary["per_level"]
    assert isinstance(per_level, dict)
    for level, row in per_level.items():
        lines.append(f"  {level:<11} n={row['n']:<4} accuracy={_pct(row['accuracy'])}")
    matrix = summary["confusion_matrix"]
    assert isinstance(matrix, dict)
    names = list(matrix)
    lines.append("Confusion matrix (rows gold, columns predicted):")
    lines.append("  " + " " * 11 + "".join(f"{n[:10]:>11}" for n in names))
    for gold in names:
        lines.append(f"  {gold:<11}" + "".join(f"{matrix[gold][p]:>11}" for p in names))
    return "\n".join(lines) + "\n"


def _chat(args: argparse.Namespace) -> int:
    try:
        module = importlib.import_module("media_host.intake_agent.chat")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("media_host.intake_agent.chat"):
            print(
                "triage: error: the chat interface is not installed in this build", file=sys.stderr
            )
            return 2
        raise
    run_chat = getattr(module, "run_chat", None)
    if run_chat is None:
        print("triage: error: media_host.intake_agent.chat has no run_chat()", file=sys.stderr)
        return 2
    return int(run_chat(args))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


__all__: Sequence[str] = ["build_parser", "main", "render_eval", "render_summary"]
