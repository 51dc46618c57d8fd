"""Run the local realtime engine: ``python -m media_host.local_realtime --port 8765 [--mode echo]``.

Options fall back to environment variables ``LOCAL_REALTIME_HOST``, ``LOCAL_REALTIME_PORT``,
``LOCAL_REALTIME_MODE``, ``LOCAL_REALTIME_VOICE``, ``LOCAL_REALTIME_API_KEY``,
``LOCAL_REALTIME_STT_MODEL``, ``LOCAL_REALTIME_STT_THREADS`` and ``LOCAL_REALTIME_PACE``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal

from media_host.local_realtime.server import LocalRealtimeServer
from media_host.local_realtime.settings import LocalRealtimeSettings
from shared.log_setup import configure_logging


def _parse_args() -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(prog="python -m media_host.local_realtime")
    parser.add_argument("--host", default=env.get("LOCAL_REALTIME_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env.get("LOCAL_REALTIME_PORT", "8765")))
    parser.add_argument(
        "--mode", choices=["speech", "echo"], default=env.get("LOCAL_REALTIME_MODE", "speech")
    )
    parser.add_argument("--voice", default=env.get("LOCAL_REALTIME_VOICE", "en-us"))
    parser.add_argument("--api-key", default=env.get("LOCAL_REALTIME_API_KEY"))
    parser.add_argument("--stt-model", default=env.get("LOCAL_REALTIME_STT_MODEL"))
    parser.add_argument(
        "--stt-threads", type=int, default=int(env.get("LOCAL_REALTIME_STT_THREADS", "1"))
    )
    parser.add_argument(
        "--pace",
        type=float,
        default=float(env.get("LOCAL_REALTIME_PACE", "4.0")),
        help="stream response audio at most N times faster than real time (0 = unpaced)",
    )
    parser.add_argument("--no-warm-up", action="store_true", help="load Whisper lazily")
    return parser.parse_args()


async def _serve(args: argparse.Namespace) -> None:
    settings = LocalRealtimeSettings(
        host=args.host,
        port=args.port,
        mode=args.mode,
        tts_voice=args.voice,
        required_api_key=args.api_key or None,
        stt_model_path=args.stt_model or None,
        stt_threads=args.stt_threads,
        output_pace_factor=args.pace,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with LocalRealtimeServer(settings) as server:
        if settings.mode == "speech" and not args.no_warm_up:
            await server.warm_up()
        print(f"local realtime engine ready: {server.url}", flush=True)
        await stop.wait()


def main() -> None:
    """Entry point."""
    configure_logging(logging.INFO)
    asyncio.run(_serve(_parse_args()))


if __name__ == "__main__":
    main()
