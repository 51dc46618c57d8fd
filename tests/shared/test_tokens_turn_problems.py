"""Pure units: tokens, TURN credentials, problems, the transition table."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from pydantic import SecretStr

from shared.config import IceSettings
from shared.events import SessionStatus
from shared.problems import (
    BadGateway,
    NotFound,
    Problem,
    SessionExpired,
    TriageError,
    error_from_problem,
)
from shared.session_state import can_transition
from shared.tokens import hash_token, keys_match, new_session_token, token_matches
from shared.turn import ice_servers_for


def test_tokens_have_256_bits_and_only_match_their_hash() -> None:
    token = new_session_token()
    assert len(base64.urlsafe_b64decode(token + "=")) == 32
    assert new_session_token() != token
    digest = hash_token(token)
    assert token not in digest and len(digest) == 64
    assert token_matches(token, digest)
    assert not token_matches(token + "x", digest)
    assert not token_matches("", digest)
    assert not token_matches("x" * 1000, digest)


def test_keys_match() -> None:
    assert keys_match("k" * 40, "k" * 40)
    assert not keys_match("k" * 39, "k" * 40)
    assert not keys_match(None, "k")
    assert not keys_match("", "")
    assert not keys_match("ключ", "key")  # non-ASCII input must not raise


def test_turn_credentials_follow_the_coturn_rest_scheme() -> None:
    settings = IceSettings(
        stun_urls=["stun:stun.example:3478"],
        turn_urls=["turn:turn.example:3478?transport=udp"],
        turn_secret=SecretStr("s3cret"),
        turn_ttl_seconds=600,
    )
    now = datetime(2026, 1, 1, tzinfo=UTC)
    stun, turn = ice_servers_for("sess1", settings, now)
    assert stun.urls == ["stun:stun.example:3478"] and stun.username is None
    assert turn.username == f"{int(now.timestamp()) + 600}:sess1"
    expected = hmac.new(b"s3cret", turn.username.encode(), hashlib.sha1).digest()
    assert turn.credential == base64.b64encode(expected).decode()


def test_no_turn_without_secret() -> None:
    settings = IceSettings(turn_urls=["turn:turn.example"])
    assert ice_servers_for("s", settings) == []


def test_problem_round_trip_and_tree() -> None:
    err = SessionExpired("gone")
    problem = err.to_problem(instance="/api/x")
    assert problem.status == 410 and problem.code == "session_expired"
    back = error_from_problem(Problem.model_validate(problem.to_json()))
    assert isinstance(back, SessionExpired) and back.detail == "gone"
    assert isinstance(NotFound(), LookupError) and isinstance(BadGateway(), TriageError)
    assert error_from_problem(Problem(title="t", status=418, code="teapot")).status == 500


def test_transition_table() -> None:
    assert can_transition(SessionStatus.CREATED, SessionStatus.CONNECTING)
    assert can_transition(SessionStatus.LISTENING, SessionStatus.AGENT_SPEAKING)
    assert can_transition(SessionStatus.AGENT_SPEAKING, SessionStatus.COMPLETED)
    assert not can_transition(SessionStatus.CONNECTED, SessionStatus.CREATED)
    assert not can_transition(SessionStatus.ENDED, SessionStatus.CONNECTED)
    assert not can_transition(SessionStatus.LISTENING, SessionStatus.LISTENING)
