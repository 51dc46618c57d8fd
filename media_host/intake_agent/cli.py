"""``triage`` command line: ``assess`` one account, ``eval`` a JSONL case file, ``metamorphic``
(disposition invariance under rewriting), ``chat``.

Exit codes: 0 success, 2 bad input (usage, malformed eval file, unsupported language),
1 unexpected failure of a subcommand.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from media_host.intake_agent.errors import IntakeAgentError
from media_host.intake_agent.models import IntakeSummary, Level

if TYPE_CHECKING:  # the evaluation modules load the extractor; only eval commands need them
    from media_host.intake_agent.evaluation import EvalCase

_COLOURS = {
    Level.EMERGENCY: "\033[1;31m",
    Level.URGENT: "\033[1;33m",
    Level.NON_URGENT: "\033[1;34m",
    Level.SELF_CARE: "\033[1;32m",
}
_RESET = "\033[0m"
MAX_ASSESS_CHARS = 20_000


def _age(text: str) -> float:
    """An --age value in years, from a number or a text such as "18 months"."""
    from media_host.intake_agent.age_text import AgeTextError, parse_age_text

    try:
        return parse_age_text(text)
    except AgeTextError as exc:
        raise argparse.ArgumentTypeError(f"invalid age {text!r}: {exc}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triage", description="Virtual triage intake agent tools."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    assess = sub.add_parser("assess", help="assess one whole patient account")
    assess.add_argument("text", help="the patient's account, in quotes")
    assess.add_argument(
        "--age", type=_age, default=None, help='age: years ("34") or text ("18 months", "6 weeks")'
    )
    assess.add_argument("--sex", choices=["F", "M", "f", "m"], default=None)
    assess.add_argument("--lang", default="en", help="en or es")
    assess.add_argument("--json", action="store_true", help="print the summary as JSON")
    assess.add_argument("--no-color", action="store_true", help="no ANSI colours")

    ev = sub.add_parser("eval", help="evaluate triage levels on a JSONL case file")
    ev.add_argument("cases", help="JSONL file: one case per line")
    ev.add_argument("--json", action="store_true", help="print one JSON object to stdout")
    ev.add_argument(
        "--split",
        choices=["all", "dev", "blind", "both"],
        default="all",
        help="blind = ids whose trailing number is divisible by 3, dev = the rest, "
        "both = figures for each next to the whole set (default: all)",
    )
    ev.add_argument(
        "--show-text",
        action="store_true",
        help="print each under-triaged case's vignette (patient text; off by default)",
    )

    meta = sub.add_parser(
        "metamorphic",
        help="rewrite first-person cases into third person, caregiver and note style and "
        "report how often the disposition level stays the same",
    )
    meta.add_argument("cases", nargs="+", help="JSONL case files (as for eval)")
    meta.add_argument("--json", action="store_true", help="print one JSON object to stdout")

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
        if args.command == "metamorphic":
            return _metamorphic(args, sys.stdout, sys.stderr)
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


def _read_cases(path: str, err: TextIO) -> list[EvalCase] | None:
    """The cases of one JSONL file, or None after printing why not (malformed lines raise)."""
    from media_host.intake_agent.evaluation import parse_cases

    try:
        with open(path, encoding="utf-8") as handle:
            cases = parse_cases(handle)
    except OSError as exc:
        print(f"triage: error: cannot read {path}: {exc.strerror}", file=err)
        return None
    except UnicodeDecodeError:
        print(f"triage: error: {path} is not UTF-8 text", file=err)
        return None
    if not cases:
        print(f"triage: error: {path} contains no cases", file=err)
        return None
    return cases


def _eval(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from media_host.intake_agent.evaluation import SPLITS, run_eval, select_split, summarise

    cases = _read_cases(args.cases, err)
    if cases is None:
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

    if args.split in ("dev", "blind"):
        cases = [c for c in cases if c.split == args.split]
        if not cases:
            print(f"triage: error: {args.cases} has no {args.split} cases", file=err)
            return 2
    result = run_eval(cases, progress=progress)
    splits = (
        {name: summarise(select_split(result.cases, name)) for name in SPLITS}
        if args.split == "both"
        else None
    )
    if args.json:
        payload: dict[str, object] = {"cases": result.cases, "summary": result.summary}
        if args.split != "all":
            payload["split"] = args.split
        if splits is not None:
            payload["splits"] = splits
        out.write(json.dumps(payload) + "\n")
        return 0
    texts = {c.id: c.vignette for c in cases} if args.show_text else None
    out.write(render_eval(result.summary, splits=splits, texts=texts))
    return 0


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def render_eval(
    summary: dict[str, Any],
    *,
    splits: dict[str, dict[str, Any]] | None = None,
    texts: dict[str, str] | None = None,
) -> str:
    """Human-readable evaluation report.

    The first three lines keep their form (tools read them). ``splits`` adds a dev/blind
    comparison; ``texts`` (id → vignette) prints each under-triaged case's text, which is off
    by default because vignettes may be patient accounts.
    """
    lines = [
        f"Cases: {summary['total']}  correct: {summary['correct']}  "
        f"accuracy: {_pct(summary['accuracy'])}",
        f"Emergency sensitivity: {_pct(summary['emergency_sensitivity'])}",
        f"Under-triage: {_pct(summary['under_triage_rate'])}  "
        f"over-triage: {_pct(summary['over_triage_rate'])}",
        f"Self-care → emergency: {summary['self_care_to_emergency']} of "
        f"{summary['per_level'][Level.SELF_CARE.value]['n']} "
        f"({_pct(summary['self_care_to_emergency_rate'])})",
    ]
    if splits is not None:
        lines.append("Per split (blind = id number divisible by 3):")
        lines.append(_group_header("split"))
        for name, split in splits.items():
            lines.append(_group_line(name, _split_as_group(split)))
    lines.append("Per gold level:")
    for level, row in summary["per_level"].items():
        lines.append(f"  {level:<11} n={row['n']:<4} accuracy={_pct(row['accuracy'])}")
    for key, title in (("per_style", "style"), ("per_language", "language")):
        groups = summary[key]
        if list(groups) == ["-"] or (key == "per_language" and len(groups) < 2):
            continue  # nothing to break down
        lines.append(f"Per {title}:")
        lines.append(_group_header(title))
        lines.extend(_group_line(name, row) for name, row in groups.items())
    matrix = summary["confusion_matrix"]
    names = list(matrix)
    lines.append("Confusion matrix (rows gold, columns predicted):")
    lines.append("  " + " " * 11 + "".join(f"{n[:10]:>11}" for n in names))
    for gold in names:
        lines.append(f"  {gold:<11}" + "".join(f"{matrix[gold][p]:>11}" for p in names))
    under = summary["under_triaged"]
    lines.append(f"Under-triaged cases ({len(under)}):")
    for row in under:
        lines.append(
            f"  {row['id']:<12} gold={row['gold_level']:<10} predicted={row['predicted_level']:<10}"
            f" style={row['style'] or '-'}"
            + (f" split={row['split']}" if splits is not None else "")
        )
        if texts is not None:
            lines.append(f"      {texts[row['id']]}")
    return "\n".join(lines) + "\n"


def _group_header(title: str) -> str:
    return (
        f"  {title:<18} {'n':>4} {'accuracy':>9} {'emerg.sens':>10} {'under':>6} {'over':>5}"
        f" {'self-care→E':>12}"
    )


def _group_line(name: str, row: dict[str, Any]) -> str:
    return (
        f"  {name[:18]:<18} {row['n']:>4} {_pct(row['accuracy']):>9}"
        f" {_pct(row['emergency_sensitivity']):>10} {row['under']:>6} {row['over']:>5}"
        f" {row['self_care_to_emergency']:>12}"
    )


def _split_as_group(split: dict[str, Any]) -> dict[str, Any]:
    return {
        "n": split["total"],
        "accuracy": split["accuracy"],
        "emergency_sensitivity": split["emergency_sensitivity"],
        "under": split["under_triaged_n"],
        "over": split["over_triaged_n"],
        "self_care_to_emergency": split["self_care_to_emergency"],
    }


def _metamorphic(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from media_host.intake_agent.invariance import measure_invariance

    cases: list[EvalCase] = []
    for path in args.cases:
        file_cases = _read_cases(path, err)
        if file_cases is None:
            return 2
        cases.extend(file_cases)
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        print("triage: error: the same case id appears in more than one file", file=err)
        return 2
    results = measure_invariance(cases)
    if args.json:
        payload = {
            kind: {"n": r.n, "same": r.same, "rate": r.rate, "changed": r.changed}
            for kind, r in results.items()
        }
        out.write(json.dumps(payload) + "\n")
        return 0
    lines = ["Invariance of the disposition level under rewriting (first-person cases):"]
    for kind, r in results.items():
        lines.append(f"  {kind:<13} n={r.n:<4} same={r.same:<4} {_pct(r.rate)}")
    for kind, r in results.items():
        changed = " ".join(c["id"] for c in r.changed) or "none"
        lines.append(f"Changed level, {kind} ({len(r.changed)}): {changed}")
    out.write("\n".join(lines) + "\n")
    return 0


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
