"""When to try again: exponential, capped, with jitter."""

from __future__ import annotations

import random
from datetime import timedelta

from ivr.settings import OutboxConfig


def retry_delay(failed_attempts: int, config: OutboxConfig, rng: random.Random) -> timedelta:
    """Delay after the `failed_attempts`-th failure: base·2ⁿ⁻¹ up to the cap, plus jitter.

    The jitter only adds, so the documented minimum total wait (over an hour with the
    defaults) holds whatever the dice say.
    """
    exponent = min(failed_attempts - 1, 32)  # 2**32·base is past any cap; avoids overflow
    delay = min(config.retry_cap_s, config.retry_base_s * 2**exponent)
    return timedelta(seconds=delay * (1 + rng.uniform(0, config.retry_jitter)))


def minimum_total_wait(config: OutboxConfig) -> timedelta:
    """How long an outage may last before an entry is given up, at the least."""
    seconds = sum(
        min(config.retry_cap_s, config.retry_base_s * 2 ** min(n - 1, 32))
        for n in range(1, config.max_attempts)
    )
    return timedelta(seconds=seconds)
