"""ICE configuration reaches aiortc: TURN REST credentials and the transport policy."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from aiortc.mediastreams import AudioStreamTrack
from aiortc.rtcconfiguration import RTCIceTransportPolicy
from aiortc.rtcicetransport import connection_kwargs
from pydantic import SecretStr

from media_host.calls import CallManager
from media_host.webrtc.connection import SessionPeer, rtc_configuration
from shared.config import IceSettings
from shared.signaling import IceServer
from shared.turn import ice_servers_for
from tests.media_host.support import SilentBridge, client_peer, host_settings

TURN_SECRET = "coturn-static-auth-secret"


def test_turn_credentials_and_relay_policy_reach_rtc_configuration() -> None:
    ice = IceSettings(
        stun_urls=["stun:stun.example:3478"],
        turn_urls=["turn:turn.example:3478?transport=udp", "turns:turn.example:5349"],
        turn_secret=SecretStr(TURN_SECRET),
        turn_ttl_seconds=600,
    )
    config = rtc_configuration(ice_servers_for("session-1", ice), policy="relay")
    assert config.iceTransportPolicy is RTCIceTransportPolicy.RELAY
    stun, turn = config.iceServers
    assert stun.urls == ["stun:stun.example:3478"] and stun.username is None
    assert turn.urls == ice.turn_urls
    expiry, session = turn.username.split(":")
    assert session == "session-1"
    assert 590 <= int(expiry) - time.time() <= 610
    expected = base64.b64encode(
        hmac.new(TURN_SECRET.encode(), turn.username.encode(), hashlib.sha1).digest()
    ).decode()
    assert turn.credential == expected


def test_aiortc_uses_the_first_turn_url_so_the_deployed_list_starts_with_udp() -> None:
    """aiortc binds a peer to one TURN server: the first usable URL. The deployed list (infra
    main.bicep) is UDP, TCP, then 443 (TLS with a certificate); the browser gets all of them,
    the host relays over UDP. A ``turns:`` URL first would make aiortc use TLS over TCP."""
    deployed = [
        "turn:turn.example:3478?transport=udp",
        "turn:turn.example:3478?transport=tcp",
        "turns:turn.tls.example:443?transport=tcp",
    ]
    ice = IceSettings(turn_urls=deployed, turn_secret=SecretStr(TURN_SECRET))
    (turn,) = ice_servers_for("session-1", ice)
    assert turn.urls == deployed and turn.credential  # every URL offered, with credentials
    chosen = connection_kwargs(rtc_configuration([turn]).iceServers)
    assert chosen["turn_server"] == ("turn.example", 3478)
    assert (chosen["turn_transport"], chosen["turn_ssl"]) == ("udp", False)
    tls_first = IceServer(urls=deployed[::-1], username=turn.username, credential=turn.credential)
    chosen = connection_kwargs(rtc_configuration([tls_first]).iceServers)
    assert chosen["turn_server"] == ("turn.tls.example", 443)
    assert (chosen["turn_transport"], chosen["turn_ssl"]) == ("tcp", True)


def test_host_prefers_its_own_ice_config_and_falls_back_to_the_offer() -> None:
    offered = [IceServer(urls=["stun:offered.example"])]
    configured = host_settings(
        "UseDevelopmentStorage=true",
        "",
        ice=IceSettings(turn_urls=["turn:t.example"], turn_secret=SecretStr(TURN_SECRET)),
    )
    manager = CallManager(configured, event_log=None, sessions=None, bridge_factory=SilentBridge)  # type: ignore[arg-type]
    (turn,) = manager.ice_servers("s", offered)
    assert turn.urls == ["turn:t.example"] and turn.username and turn.username.endswith(":s")
    bare = host_settings("UseDevelopmentStorage=true", "")
    manager = CallManager(bare, event_log=None, sessions=None, bridge_factory=SilentBridge)  # type: ignore[arg-type]
    assert manager.ice_servers("s", offered) == offered


async def _answer(policy: str) -> str:
    track = AudioStreamTrack()
    peer = SessionPeer(
        rtc_configuration([], policy=policy),  # type: ignore[arg-type]
        outbound_track=track,
        on_state=lambda _s: None,
        on_remote_audio=lambda _t: None,
        on_datachannel=lambda _c: None,
    )
    try:
        async with client_peer() as (_pc, sdp):
            return await peer.accept_offer(sdp)
    finally:
        await peer.close()
        track.stop()


async def test_relay_policy_is_applied_by_aiortc() -> None:
    # Without a TURN server, "relay" leaves aiortc no candidate to offer; "all" has host ones.
    assert "a=candidate:" in await _answer("all")
    assert "a=candidate:" not in await _answer("relay")
