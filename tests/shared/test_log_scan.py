"""The log scanner finds addresses in the shapes libraries print them, and nothing else."""

from __future__ import annotations

from tests.support.log_scan import ip_addresses_in


def test_finds_ipv4_and_ipv6_as_libraries_print_them() -> None:
    text = (
        "Connection(0) Check CandidatePair(('192.0.2.44', 50123) -> ('198.51.100.9', 3478)) "
        "State.FROZEN -> State.WAITING; remote candidate 2001:db8::7 port 9; peer [fe80::1]:4000; "
        'uvicorn 203.0.113.5:51234 - "GET /api/health" 200; ::ffff:10.0.0.1'
    )
    assert set(ip_addresses_in(text)) >= {
        "192.0.2.44",
        "198.51.100.9",
        "2001:db8::7",
        "fe80::1",
        "203.0.113.5",
        "10.0.0.1",  # the IPv4 part of a mapped address is enough to flag it
    }


def test_times_versions_and_ids_are_not_addresses() -> None:
    text = (
        "2026-12-02 16:21:33,123 INFO media_host.call session 9c1e4f3a status listening; "
        "aiortc 1.16.0; seq 12:30; ratio 0.95; 999.1.1.1; deadbeef"
    )
    assert ip_addresses_in(text) == []
