"""WebRTC signalling shapes shared by the public API and the internal media-host API.

A trickled ICE candidate is checked here against the ``candidate-attribute`` grammar of RFC 8839
§5.1 (numbers in range, a real address, a known type), so a malformed one is refused at whichever
edge receives it (422 ``invalid_candidate``) instead of reaching the media host's ICE agent —
a port of 99999999 used to pass and fail later inside the transport. Error messages never repeat
the candidate: it holds the patient's network addresses.
"""

from __future__ import annotations

import ipaddress
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_SDP_BYTES = 64 * 1024  # an offer larger than this is refused with 413
MAX_CANDIDATES_PER_CALL = 50
MAX_CANDIDATE_CHARS = 1024

# Validation errors on these input fields get the field's own problem code.
SIGNALING_FIELD_CODES = {"candidate": "invalid_candidate"}

CANDIDATE_TYPES = frozenset({"host", "srflx", "prflx", "relay"})
TRANSPORTS = frozenset({"udp", "tcp"})
_FOUNDATION = re.compile(r"^[A-Za-z0-9+/]{1,32}$")
_DIGITS = re.compile(r"^[0-9]{1,10}$")
_TOKEN = re.compile(r"^[\x21-\x7e]{1,256}$")  # visible ASCII: extension names and values
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_MAX_PRIORITY = 2**32 - 1
_MAX_PORT = 65_535


def _number(text: str, low: int, high: int, what: str) -> int:
    if not _DIGITS.match(text) or not low <= int(text) <= high:
        raise ValueError(f"{what} must be a number from {low} to {high}")
    return int(text)


def _address(text: str, what: str) -> None:
    """An IPv4/IPv6 literal, or a host name (browsers hide host addresses behind mDNS names)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        # A name's last label is never all digits (RFC 3696 §2), so 999.0.0.1 is no host name.
        if not _HOSTNAME.match(text) or text.rsplit(".", 1)[-1].isdigit():
            raise ValueError(f"{what} is not an IP address or host name") from None


def check_candidate(line: str) -> None:
    """Raise ``ValueError`` unless ``line`` is an RFC 8839 candidate attribute value (with or
    without the ``candidate:`` prefix); ``""`` (end of candidates) is valid."""
    text = line.strip()
    if not text:
        return
    text = text.removeprefix("candidate:")
    parts = text.split()
    if len(parts) < 8 or len(parts) % 2:
        raise ValueError("a candidate has 8 fields and then name/value pairs")
    foundation, component, transport, priority, address, port, typ, cand_type = parts[:8]
    if not _FOUNDATION.match(foundation):
        raise ValueError("foundation must be 1-32 characters of [A-Za-z0-9+/]")
    _number(component, 1, 256, "component-id")
    if transport.lower() not in TRANSPORTS:
        raise ValueError("transport must be UDP or TCP")
    _number(priority, 0, _MAX_PRIORITY, "priority")
    _address(address, "connection-address")
    _number(port, 0, _MAX_PORT, "port")
    if typ != "typ" or cand_type not in CANDIDATE_TYPES:
        raise ValueError("typ must be one of host, srflx, prflx, relay")
    for name, value in zip(parts[8::2], parts[9::2], strict=True):
        if name == "raddr":
            _address(value, "raddr")
        elif name == "rport":
            _number(value, 0, _MAX_PORT, "rport")
        elif not (_TOKEN.match(name) and _TOKEN.match(value)):
            raise ValueError("candidate extensions must be visible ASCII name/value pairs")


class IceServer(BaseModel):
    """One entry of RTCConfiguration.iceServers, as browsers and aiortc take it."""

    urls: list[str] = Field(min_length=1)
    username: str | None = None
    credential: str | None = None


class IceCandidate(BaseModel):
    """A trickled candidate, as `RTCIceCandidate.toJSON()` gives it in a browser."""

    model_config = ConfigDict(extra="ignore")

    candidate: str = Field(
        max_length=MAX_CANDIDATE_CHARS,
        description='RFC 8839 candidate attribute (with or without "candidate:"); "" = end of '
        "candidates. Malformed → 422 invalid_candidate",
    )
    sdpMid: str | None = Field(default=None, max_length=64)
    sdpMLineIndex: int | None = Field(default=None, ge=0, le=64)

    @field_validator("candidate")
    @classmethod
    def _grammar(cls, value: str) -> str:
        check_candidate(value)
        return value
