"""The engine through the real, unmodified openai SDK (and raw WebSockets for wire-level abuse)."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest
import websockets
from openai import AsyncAzureOpenAI, AsyncOpenAI

from media_host.local_realtime import LocalRealtimeServer, LocalRealtimeSettings
from tests.fixtures.speech import silence_pcm16, synthesize_pcm16_24k
from tests.local_realtime.conftest import (
    append_audio,
    collect_until,
    next_event,
    sdk_client,
    types_of,
)


def _is(kind: str):  # type: ignore[no-untyped-def]
    return lambda event: event.type == kind


async def test_session_update_round_trip_and_headers_recorded(server: LocalRealtimeServer) -> None:
    async with sdk_client(server, "sk-test-123").realtime.connect(model="gpt-realtime") as conn:
        created = await next_event(conn)
        assert created.type == "session.created"
        await conn.session.update(
            session={
                "type": "realtime",
                "instructions": "Triage intake.",
                "audio": {
                    "input": {
                        "turn_detection": {
                            "type": "server_vad",
                            "threshold": 0.6,
                            "silence_duration_ms": 400,
                            "prefix_padding_ms": 200,
                        },
                        "transcription": {"model": "whisper-1", "language": "en"},
                    },
                    "output": {"voice": "alloy"},
                },
            }
        )
        updated = await next_event(conn)
        assert updated.type == "session.updated"
        assert updated.session.instructions == "Triage intake."
        assert updated.session.audio.input.turn_detection.silence_duration_ms == 400
        assert updated.session.id == created.session.id
    [record] = server.connections
    assert record.path == "/v1/realtime" and record.query["model"] == "gpt-realtime"
    assert record.headers["authorization"] == "Bearer sk-test-123"
    assert record.session_id == created.session.id
    assert server.received_events[0]["type"] == "session.update"


async def test_text_input_turn_streams_audio_and_transcript(server: LocalRealtimeServer) -> None:
    async with sdk_client(server).realtime.connect(model="gpt-realtime") as conn:
        await next_event(conn)
        await conn.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "My chest hurts."}],
            }
        )
        line = "I am sorry to hear that. When did the pain start?"
        await conn.response.create(response={"instructions": line})
        got = await collect_until(conn, _is("rate_limits.updated"))
    kinds = types_of(got)
    assert kinds[:6] == [
        "conversation.item.added",
        "conversation.item.done",
        "response.created",
        "response.output_item.added",
        "conversation.item.added",
        "response.content_part.added",
    ]
    audio = b"".join(
        base64.b64decode(e.delta) for e in got if e.type == "response.output_audio.delta"
    )
    assert len(audio) > 48 * 1500  # ≥1.5 s of speech for a 10-word sentence
    transcript = "".join(e.delta for e in got if e.type == "response.output_audio_transcript.delta")
    assert transcript == line
    done = next(e for e in got if e.type == "response.done")
    assert done.response.status == "completed"
    assert done.response.output[0].content[0].transcript == line


async def test_text_modality_uses_output_text_events(server: LocalRealtimeServer) -> None:
    async with sdk_client(server).realtime.connect(model="gpt-realtime") as conn:
        await next_event(conn)
        await conn.response.create(
            response={"instructions": "Hi there, friend!", "output_modalities": ["text"]}
        )
        got = await collect_until(conn, _is("rate_limits.updated"))
    kinds = types_of(got)
    assert "response.output_audio.delta" not in kinds
    text = "".join(e.delta for e in got if e.type == "response.output_text.delta")
    assert text == "Hi there, friend!"
    assert next(e for e in got if e.type == "response.output_text.done").text == text


async def test_truncate_and_overshoot_through_sdk(server: LocalRealtimeServer) -> None:
    async with sdk_client(server).realtime.connect(model="gpt-realtime") as conn:
        await next_event(conn)
        await conn.response.create(response={"instructions": "Please tell me more about it."})
        got = await collect_until(conn, _is("response.done"))
        item_id = got[-1].response.output[0].id
        audio_ms = (
            sum(
                len(base64.b64decode(e.delta))
                for e in got
                if e.type == "response.output_audio.delta"
            )
            // 48
        )
        await conn.conversation.item.truncate(item_id=item_id, content_index=0, audio_end_ms=500)
        truncated = await collect_until(conn, _is("conversation.item.truncated"))
        assert truncated[-1].audio_end_ms == 500
        await conn.conversation.item.truncate(
            item_id=item_id, content_index=0, audio_end_ms=audio_ms + 1000
        )
        errors = await collect_until(conn, _is("error"))
        assert errors[-1].error.message == (
            f"Audio content of 500ms is already shorter than {audio_ms + 1000}ms"
        )
    sent = [e for e in server.received_events if e["type"] == "conversation.item.truncate"]
    assert [e["audio_end_ms"] for e in sent] == [500, audio_ms + 1000]


async def test_cancel_when_idle_and_malformed_events_do_not_kill_the_session(
    server: LocalRealtimeServer,
) -> None:
    async with websockets.connect(server.url + "/realtime?model=gpt-realtime") as ws:
        assert json.loads(await ws.recv())["type"] == "session.created"
        await ws.send(json.dumps({"type": "response.cancel"}))
        await ws.send("not json")
        await ws.send(b"\x00" * 64)
        await ws.send(json.dumps({"type": "nope"}))
        await ws.send(json.dumps({"type": "input_audio_buffer.append"}))
        await ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": "A" * 3_000_000}))
        codes = [json.loads(await ws.recv())["error"]["code"] for _ in range(6)]
        assert codes == [
            "response_cancel_not_active",
            "invalid_json",
            "invalid_event",
            "invalid_value",
            "missing_required_parameter",
            "message_too_large",
        ]
        await ws.send(json.dumps({"type": "input_audio_buffer.clear", "event_id": "c9"}))
        assert json.loads(await ws.recv())["type"] == "input_audio_buffer.cleared"
    logged = [event.get("type") for event in server.connections[-1].events]
    assert logged[:4] == ["response.cancel", "<invalid json>", "<binary frame>", "nope"]
    assert "<oversize frame>" in logged
    appends = [e for e in server.received_events if e.get("type") == "input_audio_buffer.append"]
    assert appends == [{"type": "input_audio_buffer.append"}]  # the one without audio


async def test_wrong_path_is_404(server: LocalRealtimeServer) -> None:
    with pytest.raises(websockets.InvalidStatus) as info:
        async with websockets.connect(server.url + "/chat?model=x"):
            pass
    assert info.value.response.status_code == 404


async def test_required_api_key_rejects_like_the_hosted_service() -> None:
    settings = LocalRealtimeSettings(required_api_key="sk-right-key-0000")
    async with LocalRealtimeServer(settings) as server:
        url = server.url + "/realtime?model=gpt-realtime"
        async with websockets.connect(
            url, additional_headers={"Authorization": "Bearer sk-wrong-key-1234"}
        ) as ws:
            error = json.loads(await ws.recv())["error"]
            assert error["code"] == "invalid_api_key"
            assert "sk-wrong-key-1234" not in error["message"]  # masked
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 3000
            assert closed.value.rcvd.reason == "invalid_request_error.invalid_api_key"
        async with websockets.connect(url) as ws:
            error = json.loads(await ws.recv())["error"]
            assert error["message"] == "Missing bearer or basic authentication in header"
            await ws.wait_closed()
            assert ws.close_code == 3000
        async with websockets.connect(
            url, additional_headers={"api-key": "sk-right-key-0000"}
        ) as ws:
            assert json.loads(await ws.recv())["type"] == "session.created"
        async with AsyncOpenAI(
            api_key="sk-right-key-0000", websocket_base_url=server.url
        ).realtime.connect(model="gpt-realtime") as conn:
            assert (await next_event(conn)).type == "session.created"


async def test_beta_header_and_missing_model_close_4000(server: LocalRealtimeServer) -> None:
    async with websockets.connect(
        server.url + "/realtime?model=gpt-realtime",
        additional_headers={"OpenAI-Beta": "realtime=v1"},
    ) as ws:
        assert json.loads(await ws.recv())["error"]["code"] == "beta_api_shape_disabled"
        await ws.wait_closed()
        assert ws.close_code == 4000
    async with websockets.connect(server.url + "/realtime") as ws:
        assert json.loads(await ws.recv())["error"]["code"] == "missing_model"
        await ws.wait_closed()
        assert ws.close_code == 4000


async def test_azure_client_url_and_api_key_header(server: LocalRealtimeServer) -> None:
    client = AsyncAzureOpenAI(
        api_key="azure-key-abc",
        api_version="2025-08-28",
        azure_endpoint="http://127.0.0.1:1",  # unused: websocket_base_url wins
        websocket_base_url=server.url.removesuffix("/v1") + "/openai/v1",
    )
    async with client.realtime.connect(model="triage-realtime") as conn:
        created = await next_event(conn)
        assert created.session.model == "triage-realtime"
    record = server.connections[-1]
    assert record.path == "/openai/v1/realtime"
    assert record.headers["api-key"] == "azure-key-abc"
    assert record.query["deployment"] == "triage-realtime"


async def test_concurrent_connections_have_separate_sessions(server: LocalRealtimeServer) -> None:
    client = sdk_client(server)
    async with (
        client.realtime.connect(model="gpt-realtime") as first,
        client.realtime.connect(model="gpt-realtime") as second,
    ):
        one, two = await next_event(first), await next_event(second)
        assert one.session.id != two.session.id
        await first.response.create(response={"instructions": "First."})
        await second.response.create(response={"instructions": "Second."})
        a, b = await asyncio.gather(
            collect_until(first, _is("response.done")), collect_until(second, _is("response.done"))
        )
    assert a[-1].response.output[0].content[0].transcript == "First."
    assert b[-1].response.output[0].content[0].transcript == "Second."


async def test_barge_in_cancels_the_streaming_response() -> None:
    # Paced at real time so the response is still streaming when the caller speaks.
    async with (
        LocalRealtimeServer(LocalRealtimeSettings(output_pace_factor=1.0)) as server,
        sdk_client(server).realtime.connect(model="gpt-realtime") as conn,
    ):
        await next_event(conn)
        long_text = "Please listen carefully. " * 12
        await conn.response.create(response={"instructions": long_text})
        first = await collect_until(conn, _is("response.output_audio.delta"))
        response_id = first[0].response.id
        await append_audio(conn, silence_pcm16(200) + synthesize_pcm16_24k("Excuse me, wait."))
        got = await collect_until(conn, _is("response.done"), timeout=20)
        kinds = types_of(got)
        assert kinds.index("input_audio_buffer.speech_started") < kinds.index("response.done")
        done = got[-1].response
        assert done.id == response_id and done.status == "cancelled"
        assert done.status_details.reason == "turn_detected"
        assert done.output[0].status == "incomplete"
        heard = done.output[0].content[0].transcript
        assert heard and len(heard) < len(long_text.strip())


async def test_echo_mode_returns_audio_equal_in_length_to_input() -> None:
    settings = LocalRealtimeSettings(mode="echo", output_pace_factor=0)
    async with (
        LocalRealtimeServer(settings) as server,
        sdk_client(server).realtime.connect(model="gpt-realtime") as conn,
    ):
        await next_event(conn)
        await conn.session.update(
            session={"type": "realtime", "audio": {"input": {"turn_detection": None}}}
        )
        await collect_until(conn, _is("session.updated"))
        pcm = synthesize_pcm16_24k("Echo this back please.")
        await append_audio(conn, pcm)
        await conn.input_audio_buffer.commit()
        got = await collect_until(conn, _is("response.done"))
    echoed = b"".join(
        base64.b64decode(e.delta) for e in got if e.type == "response.output_audio.delta"
    )
    assert echoed == pcm
    assert "conversation.item.input_audio_transcription.completed" not in types_of(got)


async def test_unknown_espeak_voice_fails_the_response(server: LocalRealtimeServer) -> None:
    async with sdk_client(server).realtime.connect(model="gpt-realtime") as conn:
        await next_event(conn)
        await conn.response.create(
            response={"instructions": "Hello.", "audio": {"output": {"voice": "zz-nope"}}}
        )
        got = await collect_until(conn, _is("response.done"))
        assert got[-1].response.status == "failed"
        assert got[-1].response.status_details.error.code == "speech_synthesis_failed"
        await conn.response.create(response={"instructions": "Hello again."})
        again = await collect_until(conn, _is("response.done"))
        assert again[-1].response.status == "completed"


async def test_session_expiry_closes_with_1001() -> None:
    settings = LocalRealtimeSettings(max_session_seconds=0.3)
    async with (
        LocalRealtimeServer(settings) as server,
        websockets.connect(server.url + "/realtime?model=gpt-realtime") as ws,
    ):
        assert json.loads(await ws.recv())["type"] == "session.created"
        await ws.wait_closed()
        assert ws.close_code == 1001
        assert ws.close_reason is not None and "maximum duration" in ws.close_reason
        assert server.connections[-1].close_code == 1001


async def test_connections_beyond_the_limit_are_refused() -> None:
    async with (
        LocalRealtimeServer(LocalRealtimeSettings(max_connections=1)) as server,
        websockets.connect(server.url + "/realtime?model=m") as first,
    ):
        assert json.loads(await first.recv())["type"] == "session.created"
        with pytest.raises(websockets.InvalidStatus) as info:
            async with websockets.connect(server.url + "/realtime?model=m"):
                pass
        assert info.value.response.status_code == 503
