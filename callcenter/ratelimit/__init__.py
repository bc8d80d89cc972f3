"""Rate limits shared by every worker and host: the `limits` library's sliding-window
counter, on the service's database (default) or Redis (`RATE_LIMIT_STORAGE_URL`).

Never an in-process dict: several workers each counting alone would let a flood through
several times over. The app builds one limiter (`request.app.state.rate_limiter`); use
it from a plain `def` endpoint (or through a thread from an `async def` one), since the
storage does blocking I/O:

    from callcenter.ratelimit import Limit, RateLimiter, RateLimitUnavailable

    PER_PHONE = Limit.parse("3/10 minutes;10/day")
    PER_ADDRESS = Limit.parse("20/hour")

    limiter: RateLimiter = request.app.state.rate_limiter
    if not (limiter.hit(PER_ADDRESS, "otp-address", ip) and limiter.hit(PER_PHONE, "otp-phone", phone)):
        wait = max(limiter.retry_after(PER_ADDRESS, "otp-address", ip),
                   limiter.retry_after(PER_PHONE, "otp-phone", phone))
        ... answer 429 with Retry-After: ceil(wait)

`hit` counts a try and says whether it was allowed; `test` only looks; `retry_after` is
the seconds until the next try passes (0 when it would now); `clear` forgets (say, after
a code was entered correctly). The first identifier names the kind of counter, so two
uses never share one. Check the broadest limit first (the address before the phone): a
refused try is not counted against the limits after it. `RateLimitUnavailable` means
the storage is down: answer 503, never let the try through unlimited.
"""

from callcenter.ratelimit.limiter import (
    Limit,
    RateLimiter,
    RateLimitUnavailable,
    build_rate_limiter,
    storage_for,
)
from callcenter.ratelimit.storage import DatabaseStorage

__all__ = [
    "DatabaseStorage", "Limit", "RateLimitUnavailable", "RateLimiter", "build_rate_limiter", "storage_for",
]
