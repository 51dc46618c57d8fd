"""The local stack: Azurite, the media host (with the embedded offline realtime engine) and the
HTTP API on http://127.0.0.1:7071 — each a real process, wired the way Azure wires them.

``python -m devtools.stack`` starts everything, waits until each part is healthy, runs the main
job (a spoken patient intake over WebRTC, see :mod:`devtools.demo_intake`) and then keeps the stack
up until Ctrl-C, printing the address of the reference web client (``/``). ``--no-demo`` skips
the intake; ``--exit-after-demo`` stops after it (exit status 0 only when the intake produced a
summary).
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
from collections.abc import Iterator

import httpx

from devtools.azurite import REPO_ROOT, Azurite, free_port, start_azurite

API_PORT = 7071
AZURITE_TABLE_PORT = 10002  # Azurite's usual Table port, so func start's settings work too
MEDIA_HOST_PORT = 8080


def _port_or_free(preferred: int) -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            return free_port()
    return preferred


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
        [sys.executable, "-m", module, *args], env=env, cwd=REPO_ROOT
    )


def _stop(proc: subprocess.Popen[bytes], timeout_s: float = 15) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@contextlib.contextmanager
def local_stack(*, api_port: int = API_PORT, persistent: bool = True) -> Iterator[str]:
    """Run the stack; yield the API base URL. Everything stops when the block exits."""
    azurite: Azurite = start_azurite(
        port=_port_or_free(AZURITE_TABLE_PORT),
        in_memory=not persistent,
        location=REPO_ROOT / ".azurite" if persistent else None,
    )
    media_port = _port_or_free(MEDIA_HOST_PORT)
    env = {
        **os.environ,
        "TRIAGE_STORAGE_CONNECTION_STRING": azurite.connection_string,
        # A fresh internal key per run: the two processes share it, nothing else knows it.
        "TRIAGE_MEDIA_HOST_KEY": os.environ.get("TRIAGE_MEDIA_HOST_KEY")
        or secrets.token_urlsafe(32),
        "TRIAGE_MEDIA_HOST_PORT": str(media_port),
        "TRIAGE_MEDIA_HOST_INTERNAL_URL": f"http://127.0.0.1:{media_port}",
        "PYTHONUNBUFFERED": "1",
    }
    procs: list[subprocess.Popen[bytes]] = []
    try:
        media = _spawn("media_host", env)
        procs.append(media)
        # The first start loads Whisper and eSpeak NG: allow time on a cold machine.
        _wait_healthy(f"http://127.0.0.1:{media_port}/livez", media, "media host", 180)
        api = _spawn("control_plane", env, "--port", str(api_port))
        procs.append(api)
        _wait_healthy(f"http://127.0.0.1:{api_port}/api/health", api, "HTTP API", 60)
        yield f"http://127.0.0.1:{api_port}"
    finally:
        for proc in reversed(procs):
            _stop(proc)
        azurite.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.stack", description=__doc__)
    parser.add_argument("--port", type=int, default=API_PORT, help="API port (default 7071)")
    parser.add_argument("--no-demo", action="store_true", help="do not run the demo intake")
    parser.add_argument("--exit-after-demo", action="store_true", help="stop after the intake")
    parser.add_argument("--in-memory", action="store_true", help="Azurite without persistence")
    args = parser.parse_args(argv)

    from devtools.demo_intake import run_demo

    status = 0
    with local_stack(api_port=args.port, persistent=not args.in_memory) as api_url:
        print(f"stack: HTTP API on {api_url}  (docs: {api_url}/api/docs)", flush=True)
        print(f"stack: open the intake page at {api_url}/", flush=True)
        if not args.no_demo:
            status = run_demo(api_url)
        if args.exit_after_demo:
            return status
        # Repeated after the demo's output, where it would otherwise scroll away.
        print(f"stack: running — talk to the agent at {api_url}/ ; Ctrl-C stops it", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
