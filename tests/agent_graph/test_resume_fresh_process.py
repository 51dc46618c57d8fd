"""A session survives a process change: turns 1-2 in process A, turn 3 in process B (Azurite)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from devtools.azurite import Azurite

REPO = Path(__file__).resolve().parents[2]


def _run_worker(
    azurite: Azurite, table: str, session: str, prefix: str, *utterances: str
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "tests.agent_graph.resume_worker",
        "--connection-string",
        azurite.connection_string,
        "--table",
        table,
        "--session",
        session,
        "--prefix",
        prefix,
    ]
    for text in utterances:
        cmd += ["--utterance", text]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_interview_resumes_in_a_fresh_process(azurite: Azurite, table_prefix: str) -> None:
    table = f"{table_prefix}resume"
    session = "resume/session#1?"  # characters Table Storage keys forbid, escaped by the saver
    first = _run_worker(
        azurite, table, session, "a-", "yes", "I have had a headache since yesterday"
    )
    assert first["start"]["phase"] == "greeting"
    assert first["turn"] == 2
    assert "headache" in first["findings"]
    assert first["phase"] != "greeting"

    second = _run_worker(azurite, table, session, "b-", "it is throbbing")
    # Process B did not restart the interview: start_session resumed the pending question.
    assert second["start"]["say"].startswith("Welcome back.")
    assert second["turn"] == 3
    assert "headache" in second["findings"]
    assert second["transcript_items"] == ["a-0", "a-1", "b-0"]
    assert second["asked"][: len(first["asked"])] == first["asked"]
    assert len(second["asked"]) == len(first["asked"]) + 1
