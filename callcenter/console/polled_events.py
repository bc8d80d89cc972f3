"""Server-sent events that read the database on a timer: the console's live calls and the
supervisors' wall board.

Any worker (or host) can serve them: each tick reads a few indexed rows, so there is no
broker and no in-process state. A stream ends after `STREAM_SECONDS` so connections spread
over the workers; the browser reconnects by itself after the `retry` it was given.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

STREAM_SECONDS = 300.0
PING_S = 15.0  # a comment line now and then, so proxies keep a quiet stream open


def polled_events(
    request: Request, tick: Callable[[], object], *, event: str, every_s: float, retry_ms: int,
    only_changes: bool = False,
) -> StreamingResponse:
    """`tick()` (run in the thread pool: it reads the database) every `every_s` seconds,
    sent as `event` with its JSON; with `only_changes`, sent only when it differs from the
    last one sent."""

    async def stream() -> AsyncIterator[str]:
        yield f"retry: {retry_ms}\n\n"
        sent = ""
        pinged = time.monotonic()
        ends = time.monotonic() + STREAM_SECONDS
        while time.monotonic() < ends and not await request.is_disconnected():
            data = json.dumps(await run_in_threadpool(tick), ensure_ascii=False, sort_keys=True)
            if data != sent or not only_changes:
                sent = data
                yield f"event: {event}\ndata: {data}\n\n"
            elif time.monotonic() - pinged > PING_S:
                pinged = time.monotonic()
                yield ": ping\n\n"
            await asyncio.sleep(every_s)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
