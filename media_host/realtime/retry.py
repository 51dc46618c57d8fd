"""Backoff policies: the one reconnect policy (exponential backoff with full jitter, bounded
attempts) and the delay between attempts of one agent turn.

Replaceable: the bridge takes any :class:`RetryPolicy` (tests pass one without sleeping).
"""

from __future__ import annotations

import random
from typing import Protocol

from media_host.realtime.settings import ReconnectSettings


class RetryPolicy(Protocol):
    def delay_s(self, attempt: int) -> float | None:
        """Seconds to wait before reconnect attempt `attempt` (1-based); None = give up."""
        ...


class ExponentialBackoff:
    """``uniform(0, min(max_delay, initial * 2**(attempt-1)))``; the first attempt is quick so
    the patient hears at most a short pause."""

    def __init__(self, settings: ReconnectSettings, *, rng: random.Random | None = None) -> None:
        self._settings = settings
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography

    def delay_s(self, attempt: int) -> float | None:
        if attempt > self._settings.max_attempts:
            return None
        if attempt <= 1:
            return 0.0
        cap = min(self._settings.max_delay_s, self._settings.initial_delay_s * 2 ** (attempt - 2))
        return self._rng.uniform(0, cap)


def turn_retry_delay_s(
    attempt: int, *, initial_s: float = 0.5, max_s: float = 4.0, rng: random.Random | None = None
) -> float:
    """Delay before retry `attempt` (1-based) of an agent turn: exponential with equal jitter
    (``cap/2 + uniform(0, cap/2)``), so retries neither hammer storage nor all align."""
    cap: float = min(max_s, initial_s * 2.0 ** max(0, attempt - 1))
    return cap / 2 + (rng or _RNG).uniform(0, cap / 2)


_RNG = random.Random()  # noqa: S311 - jitter, not cryptography
