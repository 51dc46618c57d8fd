"""The ICE candidate grammar of the shared signalling contract (RFC 8839 §5.1)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.signaling import IceCandidate, check_candidate

VALID = [
    "",  # end of candidates
    "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0 "
    "generation 0 ufrag EsAw network-cost 999",
    "candidate:1 1 UDP 2122262783 4a1f1c3e-5b8d-4c55-9d5e-0c2b1f0e8a11.local 54321 typ host",
    "candidate:2 1 tcp 1518280447 2001:db8::7 9 typ host tcptype active generation 0",
    "3 2 udp 41885439 198.51.100.20 3478 typ relay raddr 203.0.113.7 rport 65535",  # no prefix
    "candidate:a+/Z 256 udp 4294967295 192.0.2.1 0 typ prflx",
]

INVALID = [
    "candidate:garbage",
    "candidate:1 1 udp 2122260223 192.0.2.1 99999999 typ host",
    "candidate:1 1 udp 2122260223 192.0.2.1 65536 typ host",
    "candidate:1 0 udp 2122260223 192.0.2.1 5000 typ host",  # component 0
    "candidate:1 257 udp 2122260223 192.0.2.1 5000 typ host",
    "candidate:1 1 udp 4294967296 192.0.2.1 5000 typ host",  # priority > 2^32-1
    "candidate:1 1 udp -5 192.0.2.1 5000 typ host",
    "candidate:1 1 udp 2122260223 192.0.2.1 5000 type host",
    "candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host raddr",  # dangling extension
    "candidate:1 1 udp 2122260223 192.0.2.1 5000 typ srflx raddr 999.0.0.1 rport 1",
    "candidate:1 1 udp 2122260223 192.0.2.1 5000 typ srflx raddr 0.0.0.0 rport 1e3",
    "candidate:toolongfoundation-toolongfoundation 1 udp 1 192.0.2.1 5000 typ host",
    "candidate:1 1 udp 2122260223 -bad-.local 5000 typ host",
    "candidate:1 1 udp 2122260223 192.0.2.1 ５０００ typ host",  # non-ASCII digits
]


@pytest.mark.parametrize("line", VALID)
def test_browser_candidates_are_valid(line: str) -> None:
    check_candidate(line)
    assert IceCandidate(candidate=line).candidate == line


@pytest.mark.parametrize("line", INVALID)
def test_malformed_candidates_are_refused_without_echoing_them(line: str) -> None:
    with pytest.raises(ValidationError) as raised:
        IceCandidate(candidate=line, sdpMid="0")
    (error,) = raised.value.errors(include_input=False)
    assert "192.0.2.1" not in error["msg"]
