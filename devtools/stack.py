"""The local stack: Azurite, the media host (with the embedded offline realtime engine) and the
HTTP API on http://127.0.0.1:7071 — each a real process, wired the way Azure wires them.

``python -m devtools.stack`` checks that every port it needs is free (and stops with a message
naming the busy one before starting anything), starts everything, waits until each part is
healthy, runs the main job (a spoken patient intake over WebRTC, see :mod:`devtools.demo_intake`)
and then keeps the stack up until SIGINT (Ctrl-C) or SIGTERM, printing the address of the
reference web client (``/``). ``--no-demo`` skips the intake;
``--exit-after-demo`` stops after it (exit status 0 only when the intake produced a summary).

Quiet by default: the children log warnings and errors only, as text. ``--verbose`` lets them log
at INFO and turns on the console telemetry (``TRIAGE_TELEMETRY_CONSOLE=1``): after each call the
media host prints the session's spans, one line each (``otel span trace=… span=… parent=…``), and
a metrics snapshot (``otel metric …``); the API prints its spans of the session as they end.
``TRIAGE_LOG_LEVEL`` / ``TRIAGE_LOG_FORMAT`` in the environment win over both.

Each child runs in its own process group; on SIGINT/SIGTERM (also when the supervisor was started
in the background, where a shell makes SIGINT ignored) the supervisor signals every group, waits a
bounded time and then SIGKILLs by PID, so nothing is left running.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import FrameType

import httpx

from devtools.azurite import REPO_ROOT, Azurite, free_port, spawn_azurite

API_PORT = 7071
AZURITE_TABLE_PORT = 10002  # Azurite's usual Table port, so func start's settings work too
MEDIA_HOST_PORT = 8080
STOP_GRACE_S = 15.0  # per child: SIGTERM, then this long before SIGKILL
EXIT_PORTS_BUSY = 2
EXIT_STOPPED_BY_SIGNAL = 128  # + signal number, like a shell reports it


class StopRequested(BaseException):
    """Raised in the main thread by SIGINT/SIGTERM so every ``finally`` runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class PortsBusyError(RuntimeError):
    """A port the stack needs is taken; nothing has been started."""


@dataclass(frozen=True)
class StackPorts:
    """The fixed ports of the stack. The embedded realtime engine listens on a loopback port the
    OS assigns inside the media host, so it cannot collide and needs no check."""

    azurite: int = AZURITE_TABLE_PORT
    media_host: int = MEDIA_HOST_PORT
    api: int = API_PORT

    def resolved(self) -> StackPorts:
        """Replace each 0 by a port that is free now."""
        return StackPorts(
            azurite=self.azurite or free_port(),
            media_host=self.media_host or free_port(),
            api=self.api or free_port(),
        )


def _port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like the servers themselves: a socket in TIME_WAIT does not block, a listener does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def check_ports(ports: StackPorts) -> None:
    """Raise :class:`PortsBusyError` naming every busy port (before anything is started)."""
    wanted = {"Azurite (Table)": ports.azurite, "media host": ports.media_host, "API": ports.api}
    if len(set(wanted.values())) != len(wanted):
        raise PortsBusyError(f"stack: two parts were given the same port: {wanted}")
    busy = [f"{name} port {port}" for name, port in wanted.items() if not _port_is_free(port)]
    if busy:
        raise PortsBusyError(
            "stack: port(s) already in use: "
            + ", ".join(busy)
            + " — stop what holds them or choose others (--port, --media-port, --azurite-port;"
            " 0 picks a free port). Nothing was started."
        )


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], name: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with status {proc.returncode} while starting")
        try:
            response = httpx.get(url, timeout=1.0)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.2)
    raise RuntimeError(f"{name} was not healthy at {url} after {timeout_s:.0f} s ({last})")


def _spawn(module: str, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        [sys.executable, "-m", module, *args],
        env=env,
        cwd=REPO_ROOT,
        # Own process group: the supervisor alone decides when (and in which order) it stops,
        # and a group signal also reaches anything the child spawned.
        start_new_session=True,
    )


def _signal_group(proc: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signum)  # pgid == pid: the child leads its own session


def stop_child(proc: subprocess.Popen[bytes], timeout_s: float = STOP_GRACE_S) -> None:
    """SIGTERM the child's group, wait up to ``timeout_s``, then SIGKILL the group and the PID."""
    if proc.poll() is None:
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.kill()
            proc.wait(timeout=5)
    # The leader may be gone while something it spawned still runs in its group.
    _signal_group(proc, signal.SIGKILL)


def _announce(name: str, pid: int) -> None:
    # Machine-readable: tests (and curious humans) read the children's PIDs from this line.
    print(f"stack: started {name} pid={pid}", flush=True)


def default_cors_origins(api_port: int) -> str:
    """Origins the local API allows by default: the reference client it serves itself, under
    both spellings of the loopback host (a page opened at ``localhost`` that calls
    ``127.0.0.1`` is cross-origin). ``TRIAGE_CORS_ORIGINS`` replaces them."""
    return f"http://127.0.0.1:{api_port},http://localhost:{api_port}"


@contextlib.contextmanager
def local_stack(
    *,
    ports: StackPorts | None = None,
    persistent: bool = True,
    stop_grace_s: float = STOP_GRACE_S,
    verbose: bool = False,
) -> Iterator[str]:
    """Run the stack; yield the API base URL. Everything stops when the block exits."""
    ports = (ports or StackPorts()).resolved()
    check_ports(ports)
    azurite: Azurite | None = None
    procs: list[subprocess.Popen[bytes]] = []
    try:
        azurite = spawn_azurite(
            port=ports.azurite,
            in_memory=not persistent,
            location=REPO_ROOT / ".azurite" if persistent else None,
            new_session=True,
        )
        _announce("azurite", azurite.process.pid)
        azurite.wait_listening()
        env = {
            **os.environ,
            "TRIAGE_STORAGE_CONNECTION_STRING": azurite.connection_string,
            # A fresh internal key per run: the two processes share it, nothing else knows it.
            "TRIAGE_MEDIA_HOST_KEY": os.environ.get("TRIAGE_MEDIA_HOST_KEY")
            or secrets.token_urlsafe(32),
            "TRIAGE_MEDIA_HOST_PORT": str(ports.media_host),
            "TRIAGE_MEDIA_HOST_INTERNAL_URL": f"http://127.0.0.1:{ports.media_host}",
            "TRIAGE_CORS_ORIGINS": os.environ.get("TRIAGE_CORS_ORIGINS")
            or default_cors_origins(ports.api),
            "PYTHONUNBUFFERED": "1",
            **observability_env(verbose, os.environ),
        }
        media = _spawn("media_host", env)
        procs.append(media)
        _announce("media_host", media.pid)
        # The first start loads Whisper and eSpeak NG: allow time on a cold machine.
        _wait_healthy(f"http://127.0.0.1:{ports.media_host}/livez", media, "media host", 180)
        api = _spawn("control_plane", env, "--port", str(ports.api))
        procs.append(api)
        _announce("api", api.pid)
        _wait_healthy(f"http://127.0.0.1:{ports.api}/api/health", api, "HTTP API", 60)
        print("stack: ready", flush=True)
        yield f"http://127.0.0.1:{ports.api}"
    finally:
        # A second signal while stopping must not cut the shutdown short: the waits are bounded.
        previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            for proc in reversed(procs):
                stop_child(proc, stop_grace_s)
            if azurite is not None:
                stop_child(azurite.process, stop_grace_s)
                azurite.stop()
            print("stack: stopped", flush=True)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def observability_env(verbose: bool, environ: Mapping[str, str]) -> dict[str, str]:
    """The children's logging and telemetry settings: quiet text logs for a human by default;
    INFO logs and the console telemetry with ``verbose``. Values already set in `environ` win."""
    wanted = {
        "TRIAGE_LOG_FORMAT": "text",
        "TRIAGE_LOG_LEVEL": "INFO" if verbose else "WARNING",
    }
    if verbose:
        wanted["TRIAGE_TELEMETRY_CONSOLE"] = "1"
    return {key: environ.get(key) or value for key, value in wanted.items()}


def _raise_stop(signum: int, _frame: FrameType | None) -> None:
    raise StopRequested(signum)


def install_stop_handlers() -> None:
    """SIGINT and SIGTERM both stop the stack. Set explicitly: a shell starts background jobs
    with SIGINT ignored, and Python then never turns it into KeyboardInterrupt."""
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.stack", description=__doc__)
    parser.add_argument("--port", type=int, default=API_PORT, help="API port (default 7071)")
    parser.add_argument("--media-port", type=int, default=MEDIA_HOST_PORT, help="default 8080")
    parser.add_argument(
        "--azurite-port", type=int, default=AZURITE_TABLE_PORT, help="default 10002"
    )
    parser.add_argument("--no-demo", action="store_true", help="do not run the demo intake")
    parser.add_argument("--exit-after-demo", action="store_true", help="stop after the intake")
    parser.add_argument("--in-memory", action="store_true", help="Azurite without persistence")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="children log at INFO and print each session's trace and a metrics snapshot",
    )
    args = parser.parse_args(argv)
    ports = StackPorts(azurite=args.azurite_port, media_host=args.media_port, api=args.port)

    install_stop_handlers()
    print(f"stack: supervisor pid={os.getpid()}", flush=True)
    status = 0
    try:
        with local_stack(
            ports=ports, persistent=not args.in_memory, verbose=args.verbose
        ) as api_url:
            print(f"stack: HTTP API on {api_url}  (docs: {api_url}/api/docs)", flush=True)
            print(f"stack: open the intake page at {api_url}/", flush=True)
            if not args.no_demo:
                from devtools.demo_intake import run_demo

                status = run_demo(api_url)
            if args.exit_after_demo:
                return status
            # Repeated after the demo's output, where it would otherwise scroll away.
            print(
                f"stack: running — talk to the agent at {api_url}/ ; Ctrl-C or SIGTERM stops it",
                flush=True,
            )
            while True:
                signal.pause()
    except PortsBusyError as exc:
        print(exc, file=sys.stderr, flush=True)
        return EXIT_PORTS_BUSY
    except StopRequested as stop:
        print(f"stack: {stop} received, everything stopped", flush=True)
        return EXIT_STOPPED_BY_SIGNAL + stop.signum
    return status


if __name__ == "__main__":
    raise SystemExit(main())
