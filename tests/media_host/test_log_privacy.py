"""A real WebRTC call through the media host leaves no IP address in the logs.

ICE is all about addresses, and ``aioice`` logs every candidate pair it checks at INFO. With the
logging setup every entry point applies (:func:`shared.log_setup.quiet_library_loggers`), a call
that connects — candidates gathered, pairs checked, DTLS up — logs nothing that names an address,
even with the root logger at DEBUG.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import httpx
import pytest
from aiortc import RTCSessionDescription

from media_host.runner import running_media_host
from shared.log_setup import QUIET_LOGGERS, quiet_library_loggers
from shared.mediahost_api import offer_path
from tests.media_host.support import (
    AUTH,
    SilentBridge,
    client_peer,
    create_session,
    host_settings,
    offer_body,
    session_store,
)
from tests.support.log_scan import ip_addresses_in


@pytest.fixture
def quiet_logging() -> Iterator[None]:
    before = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    quiet_library_loggers()
    try:
        yield
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)


async def test_a_connected_call_logs_no_ip_address(
    azurite, table_prefix, quiet_logging: None, caplog: pytest.LogCaptureFixture
) -> None:
    settings = host_settings(azurite.connection_string, table_prefix)
    with caplog.at_level(logging.DEBUG):
        async with (
            running_media_host(settings, bridge_factory=SilentBridge) as host,
            session_store(settings) as sessions,
            httpx.AsyncClient(base_url=host.url, headers=AUTH, timeout=30) as http,
            client_peer() as (pc, sdp),
        ):
            session_id = await create_session(sessions)
            response = await http.post(offer_path(session_id), json=offer_body(sdp))
            assert response.status_code == 200, response.text
            await pc.setRemoteDescription(RTCSessionDescription(**response.json()))
            for _ in range(300):
                if pc.connectionState == "connected":
                    break
                await asyncio.sleep(0.05)
            assert pc.connectionState == "connected"
    assert caplog.records  # the call did log
    assert ip_addresses_in(caplog.text) == []
