"""The local-stack supervisor as a real process: it stops every child on SIGTERM and on SIGINT
(also when started in the background, where the shell makes SIGINT ignored), and a busy port
makes it fail before it starts anything."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.azurite import REPO_ROOT, free_port
from devtools.stack import EXIT_PORTS_BUSY, EXIT_STOPPED_BY_SIGNAL

READY_TIMEOUT_S = 180  # cold start of three processes on a busy two-core machine
STARTED = re.compile(r"^stack: started (\w+) pid=(\d+)$")
SUPERVISOR = re.compile(r"^stack: supervisor pid=(\d+)$")


def _env() -> dict[str, str]:
    # The media-path-only engine: no Whisper load, the supervisor is what is under test.
    return {**os.environ, "LOCAL_REALTIME_MODE": "echo", "PYTHONUNBUFFERED": "1"}


def _stack_args(api: int, media: int, azurite: int) -> list[str]:
    return [
        "-m",
        "devtools.stack",
        "--no-demo",
        "--in-memory",
        "--port",
        str(api),
        "--media-port",
        str(media),
        "--azurite-port",
        str(azurite),
    ]


def _lines(proc: subprocess.Popen[str]) -> queue.Queue[str | None]:
    """Drain the process' stdout on a thread (a full pipe would stall it); None marks EOF."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _read_until_ready(lines: queue.Queue[str | None]) -> tuple[int | None, dict[str, int]]:
    supervisor: int | None = None
    children: dict[str, int] = {}
    seen: list[str] = []
    while True:
        try:
            line = lines.get(timeout=READY_TIMEOUT_S)
        except queue.Empty:
            pytest.fail("the stack did not get ready:\n" + "\n".join(seen[-30:]))
        if line is None:
            pytest.fail("the supervisor exited before ready:\n" + "\n".join(seen[-30:]))
        seen.append(line)
        if match := SUPERVISOR.match(line):
            supervisor = int(match.group(1))
        if match := STARTED.match(line):
            children[match.group(1)] = int(match.group(2))
        if line == "stack: ready":
            return supervisor, children


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) may hold spaces: fields after the last ')' are fixed.
    return int(stat.rsplit(")", 1)[1].split()[1])


def _descendants(root: int) -> set[int]:
    """Every live process below ``root``, read from /proc."""
    parents = {
        int(entry.name): _parent_of(int(entry.name))
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit()
    }
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie runs nothing and holds no port


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture
def ports() -> Iterator[tuple[int, int, int]]:
    yield free_port(), free_port(), free_port()


def _assert_everything_stopped(children: set[int], ports: tuple[int, int, int]) -> None:
    assert {pid for pid in children if _alive(pid)} == set()
    assert [port for port in ports if not _port_free(port)] == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_every_child(signum: int, ports: tuple[int, int, int]) -> None:
    """Started in the background by a shell (SIGINT ignored, as `cmd &` does), then signalled."""
    command = " ".join([sys.executable, *_stack_args(*ports)])
    shell = subprocess.Popen(
        ["/bin/bash", "-c", f"{command} & wait $!"],
        cwd=REPO_ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = _lines(shell)
    try:
        supervisor, announced = _read_until_ready(lines)
        assert supervisor is not None
        assert set(announced) == {"azurite", "media_host", "api"}
        children = _descendants(supervisor)
        assert set(announced.values()) <= children

        os.kill(supervisor, signum)
        assert shell.wait(timeout=120) == EXIT_STOPPED_BY_SIGNAL + signum

        _assert_everything_stopped(children, ports)
    finally:
        if shell.poll() is None:
            shell.kill()
            shell.wait(timeout=10)
        assert shell.stdout is not None
        shell.stdout.close()


def test_busy_api_port_fails_before_starting_anything(ports: tuple[int, int, int]) -> None:
    api, media, azurite = ports
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", api))
        holder.listen()
        result = subprocess.run(
            [sys.executable, *_stack_args(api, media, azurite)],
            cwd=REPO_ROOT,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == EXIT_PORTS_BUSY
    assert f"API port {api}" in result.stderr
    assert "Nothing was started" in result.stderr
    assert "stack: started" not in result.stdout
    assert _port_free(media) and _port_free(azurite)
