"""Stream tickets: short-lived credentials a browser may put in a URL instead of its token.

``EventSource`` and ``WebSocket`` cannot send an ``Authorization`` header, and the session token
must never appear in a URL (URLs end up in proxy logs, browser history and ``Referer``). A
ticket is ``<expiry_unix>.<mac>`` where ``mac`` = base64url(HMAC-SHA256(key, "stream-ticket:v1:
<session_id>:<expiry_unix>")) and the key is the session's stored token hash. So:

* it names one session and one expiry, and is useless for any other session or after expiry;
* nothing is stored and no deployment secret is needed: every API instance that can read the
  session row can verify it. Someone who sees a ticket (in a log) cannot derive the key or
  extend the ticket. The token's holder could compute the key (it is the token's SHA-256) and
  mint tickets — harmless, since the token already grants more — but a ticket whose expiry is
  further ahead than ``max_lifetime_s`` is refused, so no ticket outlives that bound;
* it grants only reading the session's events (SSE stream, WebSocket), never signalling,
  deletion or the summary.

It may be presented several times until it expires, so ``EventSource``'s own reconnects (same
URL) keep working for its lifetime; after that the client asks for a new one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime

TICKET_PREFIX = "stream-ticket:v1"
# expiry (unix seconds, 10 digits until 2286) "." 43 base64url characters (256-bit MAC)
TICKET_PATTERN = r"^[0-9]{10}\.[A-Za-z0-9_-]{43}$"
MAX_TICKET_CHARS = 54
_TICKET = re.compile(TICKET_PATTERN)


def _mac(token_hash: str, session_id: str, expiry: int) -> str:
    message = f"{TICKET_PREFIX}:{session_id}:{expiry}".encode()
    digest = hmac.new(token_hash.encode("ascii"), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue_ticket(token_hash: str, session_id: str, expires_at: datetime) -> str:
    """A ticket for ``session_id`` valid until ``expires_at`` (timezone-aware)."""
    expiry = int(expires_at.timestamp())
    return f"{expiry}.{_mac(token_hash, session_id, expiry)}"


def ticket_is_valid(
    ticket: str, *, token_hash: str, session_id: str, now: datetime, max_lifetime_s: float
) -> bool:
    """Whether ``ticket`` was issued for this session (by its token hash), is unexpired and
    expires within ``max_lifetime_s`` of ``now``.

    The MAC is compared in constant time; a malformed ticket is refused before any hashing.
    """
    if len(ticket) > MAX_TICKET_CHARS or not _TICKET.match(ticket) or not token_hash:
        return False
    expiry_text, mac = ticket.split(".", 1)
    expiry = int(expiry_text)
    if not now.timestamp() < expiry <= now.timestamp() + max_lifetime_s:
        return False
    expected = _mac(token_hash, session_id, expiry)
    return hmac.compare_digest(mac.encode("ascii"), expected.encode("ascii"))
