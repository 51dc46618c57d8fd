"""Start and stop a real Azurite (Azure Storage emulator) Table service for tests, benches and dev.

Azurite comes from npm (`azurite@3.35.0`, pinned in package.json). Every start uses
`--disableTelemetry`; tests add `--inMemoryPersistence` so nothing touches the disk.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

# Azurite's well-known development account (public, documented; not a secret).
DEV_ACCOUNT = "devstoreaccount1"
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def table_connection_string(port: int, host: str = "127.0.0.1") -> str:
    return (
        "DefaultEndpointsProtocol=http;"
        f"AccountName={DEV_ACCOUNT};AccountKey={DEV_KEY};"
        f"TableEndpoint=http://{host}:{port}/{DEV_ACCOUNT};"
    )


def _azurite_table_binary() -> str:
    local = REPO_ROOT / "node_modules" / ".bin" / "azurite-table"
    if local.exists():
        return str(local)
    found = shutil.which("azurite-table")
    if found:
        return found
    raise RuntimeError(
        "azurite-table not found: run `npm ci` in the repository root (scripts/bootstrap.sh does)"
    )


@dataclass
class Azurite:
    port: int
    process: subprocess.Popen[bytes]
    log: tempfile._TemporaryFileWrapper[bytes] | None = None

    @property
    def connection_string(self) -> str:
        return table_connection_string(self.port)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.log is not None:
            self.log.close()

    def wait_listening(self, timeout_s: float = 30) -> None:
        """Wait until the Table port accepts connections; raise if Azurite exits or times out."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = ""
                if self.log is not None:
                    self.log.seek(0)
                    err = self.log.read().decode(errors="replace")
                raise RuntimeError(f"Azurite exited with {self.process.returncode}: {err[-2000:]}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 0.2),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError(f"Azurite did not listen on port {self.port} within {timeout_s:.0f} s")


def spawn_azurite(
    *,
    port: int | None = None,
    in_memory: bool = True,
    location: Path | None = None,
    new_session: bool = False,
) -> Azurite:
    """Start Azurite's Table service without waiting; call :meth:`Azurite.wait_listening` next.

    ``new_session`` puts it in its own session and process group, so a supervisor can signal it
    (and anything it spawns) as a group and a Ctrl-C at the terminal reaches only the supervisor.
    """
    port = port or free_port()
    args = [
        _azurite_table_binary(),
        "--tableHost",
        "127.0.0.1",
        "--tablePort",
        str(port),
        "--disableTelemetry",
        "--skipApiVersionCheck",
        "--loose",
    ]
    if in_memory:
        args.append("--inMemoryPersistence")
    else:
        loc = location or (REPO_ROOT / ".azurite")
        loc.mkdir(parents=True, exist_ok=True)
        args += ["--location", str(loc)]
    # Its output goes to a temporary file (a pipe nobody drains could fill up and stall it).
    log = tempfile.NamedTemporaryFile(prefix="azurite-", suffix=".log")  # noqa: SIM115
    proc = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
        args,
        stdout=log,
        stderr=subprocess.STDOUT,
        # Custom accounts would replace the well-known dev account our connection strings use.
        env={k: v for k, v in os.environ.items() if k != "AZURITE_ACCOUNTS"},
        start_new_session=new_session,
    )
    return Azurite(port=port, process=proc, log=log)


def start_azurite(
    *, port: int | None = None, in_memory: bool = True, location: Path | None = None
) -> Azurite:
    """Start Azurite's Table service and wait until it accepts connections."""
    azurite = spawn_azurite(port=port, in_memory=in_memory, location=location)
    try:
        azurite.wait_listening()
    except BaseException:
        azurite.stop()
        raise
    return azurite


@contextlib.contextmanager
def running_azurite(**kwargs: object) -> Iterator[Azurite]:
    azurite = start_azurite(**kwargs)  # type: ignore[arg-type]
    try:
        yield azurite
    finally:
        azurite.stop()
