"""Scanning captured logs for what must never be there: IP addresses (test-only)."""

from __future__ import annotations

import ipaddress
import re

_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![0-9A-Fa-f:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Fa-f:])")


def ip_addresses_in(text: str) -> list[str]:
    """Every IPv4 or IPv6 address literal in ``text`` (validated, so ``12:30:05`` is not one)."""
    found = []
    for match in [*_IPV4.finditer(text), *_IPV6.finditer(text)]:
        try:
            ipaddress.ip_address(match.group())
        except ValueError:
            continue
        found.append(match.group())
    return found
