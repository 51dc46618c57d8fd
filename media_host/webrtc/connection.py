"""One ``RTCPeerConnection`` per session, and the signalling operations on it.

The browser offers (audio sendrecv + one data channel); the host answers with the outbound paced
track attached to the offered audio transceiver. aiortc gathers all local candidates while
setting the local description, so the answer already carries them (the host does not trickle);
the browser's trickled candidates arrive through :meth:`SessionPeer.add_candidates`.

ICE servers come from configuration (:func:`rtc_configuration`): STUN, and TURN with per-session
coturn REST credentials. ``ice_transport_policy="relay"`` makes aiortc gather and use only
TURN-relayed candidates: aiortc cannot pin its UDP ports, so in production the host sits behind
coturn and only the relay's fixed port range is exposed (docs/media-host.md, "Ports and TURN").
aiortc 1.16's ``RTCConfiguration`` has ``iceTransportPolicy``, so no library patching is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Literal

from aiortc import (
    RTCConfiguration,
    RTCDataChannel,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcconfiguration import RTCIceTransportPolicy
from aiortc.sdp import candidate_from_sdp

from shared.problems import PayloadTooLarge, Unprocessable
from shared.signaling import MAX_SDP_BYTES, IceCandidate, IceServer

logger = logging.getLogger(__name__)


class InvalidSdp(Unprocessable):
    """The offer could not be applied (malformed, or no audio to talk over)."""

    default_code = "invalid_sdp"


class InvalidCandidate(Unprocessable):
    default_code = "invalid_candidate"


def rtc_configuration(
    ice_servers: Sequence[IceServer], *, policy: Literal["all", "relay"] = "all"
) -> RTCConfiguration:
    """The aiortc configuration for one session's peer connection."""
    return RTCConfiguration(
        iceServers=[
            RTCIceServer(
                urls=list(server.urls), username=server.username, credential=server.credential
            )
            for server in ice_servers
        ],
        iceTransportPolicy=RTCIceTransportPolicy(policy),
    )


class SessionPeer:
    """A session's peer connection with the callbacks the call needs.

    Args:
        configuration: ICE servers and transport policy.
        outbound_track: The track the patient hears (attached to the offered audio transceiver).
        on_state: Called with aiortc's ``connectionState`` on every change.
        on_remote_audio: Called once with the patient's audio track.
        on_datachannel: Called with each data channel the browser opens.
    """

    def __init__(
        self,
        configuration: RTCConfiguration,
        *,
        outbound_track: MediaStreamTrack,
        on_state: Callable[[str], None],
        on_remote_audio: Callable[[MediaStreamTrack], None],
        on_datachannel: Callable[[RTCDataChannel], None],
    ) -> None:
        self._pc: RTCPeerConnection | None = RTCPeerConnection(configuration)
        self._outbound = outbound_track
        self._on_state = on_state
        self._on_remote_audio = on_remote_audio
        self._has_remote_audio = False
        self._pc.on("connectionstatechange", self._state_changed)
        self._pc.on("track", self._track_received)
        self._pc.on("datachannel", on_datachannel)

    @property
    def state(self) -> str:
        return self._pc.connectionState if self._pc is not None else "closed"

    async def accept_offer(self, sdp: str) -> str:
        """Apply the browser's offer and return the answer SDP.

        Raises:
            PayloadTooLarge: the SDP exceeds the signalling bound.
            InvalidSdp: the SDP cannot be parsed/applied or offers no audio.
        """
        pc = self._require_pc()
        if len(sdp.encode("utf-8")) > MAX_SDP_BYTES:
            raise PayloadTooLarge("SDP offer too large", code="sdp_too_large")
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        except Exception as exc:  # aiortc raises ValueError/IndexError/AssertionError on bad SDP
            # The class name is for us, not for the caller: problem details name no internals.
            logger.debug("SDP offer refused: %s", type(exc).__name__)
            raise InvalidSdp("the SDP offer could not be applied") from None
        audio = [t for t in pc.getTransceivers() if t.kind == "audio"]
        if not audio:
            raise InvalidSdp("the SDP offer has no audio section")
        pc.addTrack(self._outbound)
        try:
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as exc:
            logger.debug("no SDP answer: %s", type(exc).__name__)
            raise InvalidSdp("no answer can be made for this offer") from None
        return pc.localDescription.sdp

    async def add_candidates(self, candidates: Sequence[IceCandidate]) -> None:
        """Add the browser's trickled candidates (``""`` marks the end of candidates).

        Raises:
            InvalidCandidate: a candidate line cannot be parsed.
        """
        pc = self._require_pc()
        for item in candidates:
            text = item.candidate.strip()
            if not text:
                await pc.addIceCandidate(None)
                continue
            if text.startswith("candidate:"):
                text = text[len("candidate:") :]
            try:
                candidate = candidate_from_sdp(text)
            except Exception:
                raise InvalidCandidate("an ICE candidate could not be parsed") from None
            candidate.sdpMid = item.sdpMid
            candidate.sdpMLineIndex = item.sdpMLineIndex
            if candidate.sdpMid is None and candidate.sdpMLineIndex is None:
                candidate.sdpMLineIndex = 0
            try:
                await pc.addIceCandidate(candidate)
            except Exception as exc:
                logger.debug("remote candidate ignored: %s", type(exc).__name__)

    async def close(self) -> None:
        """Close the peer connection and drop every reference to it (idempotent)."""
        pc, self._pc = self._pc, None
        if pc is None:
            return
        try:
            await pc.close()
        finally:
            pc.remove_all_listeners()

    def _require_pc(self) -> RTCPeerConnection:
        if self._pc is None:
            raise RuntimeError("peer connection already closed")
        return self._pc

    def _state_changed(self) -> None:
        if self._pc is not None:
            self._on_state(self._pc.connectionState)

    def _track_received(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio" and not self._has_remote_audio:
            self._has_remote_audio = True
            self._on_remote_audio(track)
