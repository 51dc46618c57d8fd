"""`triage chat` driven through piped stdin in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _chat(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_AGENT_")}
    return subprocess.run(
        [sys.executable, "-m", "media_host.intake_agent.chat", *args],
        input=stdin,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_full_interview_over_stdin_prints_summary() -> None:
    answers = ["yes", "I have had a headache since yesterday, 4 out of 10"] + ["no"] * 30
    done = _chat("\n".join(answers) + "\n", "--no-color")
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "agent> Hello, I'm a virtual triage assistant." in out
    assert "== Intake summary" in out
    assert "Chief complaint: headache" in out
    assert "\033[" not in out  # no colour codes when piped / --no-color


def test_quit_ends_early_with_cautious_summary_in_spanish() -> None:
    done = _chat("sí\nme duele la garganta\nquit\n", "--lang", "es", "--session-id", "chat-es-1")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "agent> Hola, soy un asistente virtual de triaje." in done.stdout
    assert "(session chat-es-1;" in done.stdout
    assert "== Intake summary (chat-es-1) ==" in done.stdout
    assert "Disposition:" in done.stdout


def test_ctrl_d_ends_and_unsupported_language_fails_cleanly() -> None:
    done = _chat("")
    assert done.returncode == 0 and "== Intake summary" in done.stdout
    bad = _chat("", "--lang", "fr")
    assert bad.returncode == 2
    assert "unsupported language" in bad.stderr


def test_triage_chat_console_script() -> None:
    script = Path(sys.executable).parent / "triage"
    assert script.exists(), "the `triage` console script is not installed in the venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_AGENT_")}
    done = subprocess.run(
        [str(script), "chat", "--no-color", "--session-id", "cli-1"],
        input="yes\nI have a headache\nquit\n",
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "agent> What is the main problem" in done.stdout
    assert "== Intake summary (cli-1) ==" in done.stdout
    assert "Chief complaint: headache" in done.stdout
