"""Capped exponential backoff with jitter, honouring what the remote asked for."""

from __future__ import annotations

import random


def retry_delay(
    attempt: int,
    *,
    base: float,
    cap: float,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before attempt ``attempt + 1``.

    Equal jitter: half the capped exponential step is fixed, half random, so retries of many jobs that
    failed together spread out instead of stampeding, yet never come back immediately. A Retry-After
    from the remote is a floor: coming back earlier only earns another rejection.
    """
    uniform = (rng or random).uniform
    step = min(cap, base * (2 ** max(0, attempt - 1)))
    delay = step / 2 + uniform(0, step / 2)
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return delay
