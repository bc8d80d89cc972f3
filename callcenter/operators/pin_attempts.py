"""Tries at an operator's phone PIN, counted in the shared rate limiter (`LOGIN_PIN_PER_PHONE`)."""

from __future__ import annotations

import structlog

from callcenter.ratelimit import Limit, RateLimiter, RateLimitUnavailable
from ivr.settings import Settings

log = structlog.get_logger(__name__)


class LimitedPinAttempts:
    """`ivr.queue.pins.PinAttempts` on the service's limiter; the limit read at each try
    (the settings may change under a running app in tests)."""

    def __init__(self, limiter: RateLimiter, settings: Settings) -> None:
        self.limiter = limiter
        self.settings = settings

    def allowed(self, phone: str) -> bool:
        try:
            allowed = self.limiter.hit(Limit.parse(self.settings.login.pin_per_phone), "operator-pin", phone)
        except RateLimitUnavailable:
            log.warning("operator_pin_limiter_unavailable")
            return False  # closed: a PIN is never tried uncounted
        if not allowed:
            log.warning("operator_pin_throttled", phone_tail=phone[-3:])
        return allowed
