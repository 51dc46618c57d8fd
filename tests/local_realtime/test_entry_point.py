"""``python -m media_host.local_realtime`` starts a server the SDK can use."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from openai import AsyncOpenAI


async def test_module_entry_point_serves_until_sigterm() -> None:
    env = {**os.environ, "LOCAL_REALTIME_API_KEY": "sk-entry"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "media_host.local_realtime",
        "--port",
        "0",
        "--mode",
        "echo",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        assert line.startswith("local realtime engine ready: ws://127.0.0.1:")
        url = line.split(": ", 1)[1].strip()
        client = AsyncOpenAI(api_key="sk-entry", websocket_base_url=url)
        async with client.realtime.connect(model="gpt-realtime") as conn:
            assert (await conn.recv()).type == "session.created"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
