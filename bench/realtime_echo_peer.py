"""A minimal GA-Realtime protocol peer that only echoes audio (for bench/media_host.py).

It speaks just enough of the protocol for the unmodified ``openai`` SDK and our bridge, and
does no speech work, so the benchmark measures the media host rather than a speech engine:

- on connect: ``session.created``; ``session.update`` → ``session.updated``;
- ``response.create`` → ``response.created`` + ``response.output_item.added`` and, from then
  on, every ``input_audio_buffer.append`` that is not silence comes straight back as a
  ``response.output_audio.delta`` of that response (the same base64 string, not re-encoded) —
  a two-way audio stream, like a call where the agent talks back all the time. Silent appends
  are not echoed, as a model sends no audio between sentences: each pause ends in a "reply
  onset" for the host's playback track;
- ``response.cancel`` → ``response.done`` (cancelled); ``conversation.item.truncate`` →
  ``conversation.item.truncated``; anything else is ignored.

Run alone: ``python bench/realtime_echo_peer.py --port 8766``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
from typing import Any

import numpy as np
from websockets.asyncio.server import ServerConnection, serve

_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}_{next(_ids)}"


async def handle(ws: ServerConnection) -> None:
    """One realtime session."""
    session: dict[str, Any] = {
        "id": _id("sess"),
        "object": "realtime.session",
        "type": "realtime",
        "model": "echo",
        "expires_at": 0,
    }
    await ws.send(_event("session.created", session=session))
    active: tuple[str, str] | None = None  # (response id, item id)
    async for raw in ws:
        try:
            event = json.loads(raw)
        except ValueError:
            continue
        kind = event.get("type")
        if kind == "input_audio_buffer.append" and active is not None:
            if _is_silence(event.get("audio", "")):
                continue
            response_id, item_id = active
            await ws.send(
                _event(
                    "response.output_audio.delta",
                    response_id=response_id,
                    item_id=item_id,
                    output_index=0,
                    content_index=0,
                    delta=event.get("audio", ""),
                )
            )
        elif kind == "session.update":
            session.update(event.get("session") or {})
            await ws.send(_event("session.updated", session=session))
        elif kind == "response.create" and active is None:
            active = (_id("resp"), _id("item"))
            await ws.send(
                _event(
                    "response.created",
                    response={
                        "id": active[0],
                        "object": "realtime.response",
                        "status": "in_progress",
                        "output": [],
                    },
                )
            )
            await ws.send(
                _event(
                    "response.output_item.added",
                    response_id=active[0],
                    output_index=0,
                    item={
                        "id": active[1],
                        "object": "realtime.item",
                        "type": "message",
                        "role": "assistant",
                        "status": "in_progress",
                        "content": [],
                    },
                )
            )
        elif kind == "response.cancel" and active is not None:
            response_id, item_id = active
            active = None
            await ws.send(
                _event(
                    "response.done",
                    response={
                        "id": response_id,
                        "object": "realtime.response",
                        "status": "cancelled",
                        "status_details": {"type": "cancelled", "reason": "client_cancelled"},
                        "output": [{"id": item_id, "type": "message", "role": "assistant"}],
                    },
                )
            )
        elif kind == "conversation.item.truncate":
            await ws.send(
                _event(
                    "conversation.item.truncated",
                    item_id=event.get("item_id", ""),
                    content_index=0,
                    audio_end_ms=int(event.get("audio_end_ms", 0)),
                )
            )


def _is_silence(audio_b64: str, threshold: int = 300) -> bool:
    try:
        samples = np.frombuffer(base64.b64decode(audio_b64), dtype="<i2")
    except ValueError:
        return True
    return samples.size == 0 or int(np.abs(samples).max()) < threshold


def _event(kind: str, **fields: Any) -> str:
    return json.dumps({"type": kind, "event_id": _id("event"), **fields})


async def run(host: str, port: int, ready: asyncio.Event | None = None) -> None:
    """Serve until cancelled; prints the base URL for the bridge (``websocket_base_url``)."""
    async with serve(handle, host, port, max_size=4 * 1024 * 1024) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        print(f"ws://{host}:{bound}/v1", flush=True)
        if ready is not None:
            ready.set()
        await asyncio.Future()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(run(args.host, args.port))


if __name__ == "__main__":
    main()
