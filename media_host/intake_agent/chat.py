"""``triage chat``: an interactive terminal interview driven by the same graph as the media host.

Type answers at the ``you>`` prompt; ``quit`` (or Ctrl-D) ends early and prints the summary the
agent would hand over. Colours are used only on a terminal and never with ``--no-color`` or
``NO_COLOR`` set. With ``TRIAGE_AGENT_TABLE_CONNECTION_STRING`` set, sessions persist in Table
Storage, so ``--session-id`` resumes an earlier interview.

Run: ``uv run triage chat --lang es`` or ``uv run python -m media_host.intake_agent.chat``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import TextIO

from langgraph.checkpoint.base import BaseCheckpointSaver

from media_host.intake_agent.agent import IntakeAgent
from media_host.intake_agent.errors import IntakeAgentError
from media_host.intake_agent.models import AgentTurn, IntakeSummary, Level
from media_host.intake_agent.settings import AgentSettings

QUIT_WORDS = frozenset({"quit", "exit", "/quit", "/exit", "salir"})
TABLE_CONNECTION_ENV = "TRIAGE_AGENT_TABLE_CONNECTION_STRING"

_COLOURS = {"agent": "36", "flag": "1;31", "dim": "2", "summary": "1;33", "error": "31"}


class Painter:
    """ANSI colouring that can be switched off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, role: str, text: str) -> str:
        if not self.enabled:
            return text
        return f"\033[{_COLOURS[role]}m{text}\033[0m"


def _use_colour(args: argparse.Namespace, stream: TextIO, environ: Mapping[str, str]) -> bool:
    return not getattr(args, "no_color", False) and stream.isatty() and "NO_COLOR" not in environ


def format_summary(summary: IntakeSummary, paint: Painter) -> str:
    """Human-readable summary for the terminal (clinician view, English labels)."""
    d = summary.disposition
    lines = [
        paint("summary", f"== Intake summary ({summary.session_id}) =="),
        f"Disposition: {d.level.value}" + (" (cautious)" if d.cautious else ""),
        f"Advice: {d.advice}",
        f"Chief complaint: {summary.chief_complaint_label or '-'}",
    ]
    for title, findings in (
        ("Present", summary.findings_present),
        ("Absent", summary.findings_absent),
        ("Uncertain", summary.findings_uncertain),
    ):
        if findings:
            lines.append(f"{title}: " + ", ".join(f.label for f in findings))
    demo = summary.demographics
    if demo.age_years is not None or demo.sex is not None:
        lines.append(
            f"Age/sex: {demo.age_years if demo.age_years is not None else '-'} / {demo.sex or '-'}"
        )
    for title, items in (
        ("Conditions", summary.history.conditions),
        ("Medicines", summary.history.medications),
        ("Allergies", summary.history.allergies),
    ):
        if items:
            lines.append(f"{title}: " + ", ".join(items))
    for hit in summary.red_flags:
        lines.append(paint("flag", f"Red flag: {hit.title} [{hit.level.value}] ({hit.source})"))
    for why in d.rationale:
        lines.append(paint("dim", f"  - {why}"))
    return "\n".join(lines)


@contextlib.asynccontextmanager
async def _checkpointer(
    environ: Mapping[str, str], settings: AgentSettings
) -> AsyncIterator[BaseCheckpointSaver[str] | None]:
    """Table Storage (through the shared store) when a connection string is set, else memory."""
    connection = environ.get(TABLE_CONNECTION_ENV)
    if not connection:
        yield None
        return
    from pydantic import SecretStr

    from media_host.intake_agent.checkpoint import TableStorageSaver
    from shared.config import StorageSettings
    from shared.storage import TableStore

    storage = StorageSettings(connection_string=SecretStr(connection))
    async with TableStore.from_settings(storage, tables=(settings.checkpoint_table,)) as store:
        yield TableStorageSaver(store.table(settings.checkpoint_table))


async def _read_line(prompt: str) -> str | None:
    """One line from stdin (readline editing on a terminal); None at end of input."""
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None


def _print_turn(turn: AgentTurn, paint: Painter, out: TextIO) -> None:
    for hit in turn.new_red_flags:
        marker = "EMERGENCY" if hit.level == Level.EMERGENCY else "red flag"
        print(paint("flag", f"[{marker}] {hit.title}"), file=out)
    for notice in turn.notices:
        print(paint("dim", f"(notice: {notice})"), file=out)
    print(paint("agent", f"agent> {turn.reply.say}"), file=out)


async def _chat(args: argparse.Namespace, environ: Mapping[str, str], out: TextIO) -> int:
    settings = AgentSettings.from_env(environ)
    async with _checkpointer(environ, settings) as checkpointer:
        agent = IntakeAgent(settings=settings, checkpointer=checkpointer)
        return await _interview(agent, args, environ, out)


async def _interview(
    agent: IntakeAgent, args: argparse.Namespace, environ: Mapping[str, str], out: TextIO
) -> int:
    paint = Painter(_use_colour(args, out, environ))
    session_id = getattr(args, "session_id", None) or f"chat-{uuid.uuid4().hex[:12]}"
    try:
        reply = await agent.start_session(session_id, getattr(args, "lang", None) or "en")
    except IntakeAgentError as exc:
        print(paint("error", f"error: {exc}"), file=sys.stderr)
        return 2
    print(paint("dim", f"(session {session_id}; type 'quit' or Ctrl-D to stop)"), file=out)
    print(paint("agent", f"agent> {reply.say}"), file=out)
    if reply.end_of_interview:
        summary = await agent.get_summary(session_id)
        if summary is not None:
            print(format_summary(summary, paint), file=out)
        return 0
    turn_no = 0
    while True:
        line = await _read_line("you> " if out.isatty() else "")
        if line is None or line.strip().lower() in QUIT_WORDS:
            summary = await agent.finish(session_id)
            print("", file=out)
            print(format_summary(summary, paint), file=out)
            return 0
        turn_no += 1
        try:
            turn = await agent.handle_utterance(
                session_id, item_id=f"{session_id}-u{turn_no}", text=line
            )
        except IntakeAgentError as exc:
            print(paint("error", f"error: {exc}"), file=out)
            continue
        _print_turn(turn, paint, out)
        if turn.reply.end_of_interview:
            summary = turn.summary or await agent.get_summary(session_id)
            if summary is not None:
                print(format_summary(summary, paint), file=out)
            return 0


def run_chat(args: argparse.Namespace) -> int:
    """Run the interactive interview (``args``: ``lang``, ``session_id``, ``no_color``)."""
    if sys.stdin.isatty():
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 - line editing and history for input()
    try:
        return asyncio.run(_chat(args, os.environ, sys.stdout))
    except KeyboardInterrupt:
        print("", file=sys.stdout)
        return 130


def main(argv: list[str] | None = None) -> int:
    """``python -m media_host.intake_agent.chat`` entry point (same options as ``triage chat``)."""
    parser = argparse.ArgumentParser(prog="triage chat", description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en", help="session language: en or es")
    parser.add_argument("--session-id", dest="session_id", default=None)
    parser.add_argument("--no-color", dest="no_color", action="store_true")
    return run_chat(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
