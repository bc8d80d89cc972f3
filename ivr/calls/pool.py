"""The voice webhooks' PostgreSQL connections: a few, made when needed, handed out in turn.

asyncpg's own pool does more than a voice step needs, on every webhook: a holder and a
proxy per checkout, a timeout scope around the wait and another around the reset, an
inactivity timer re-armed on each release — ~45-60 µs of the event loop's time per
webhook, measured on this project's machine, against ~2 µs here. A voice step takes
a connection, runs its statement or two and gives it back; what this pool keeps is that:
- at most `size` connections, opened on demand; an idle one is taken without a wait;
- when all are taken, webhooks queue in arrival order and each returned connection
  goes straight to the first of them (no newcomer overtakes a webhook already waiting);
  a wait longer than `timeout` is given up (the caller hears the apology in time);
- a connection the server closed, or one returned mid-transaction, is dropped and its
  place freed for a new one; a failed connect frees its place too, so the next webhook
  tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable

import asyncpg

Connect = Callable[[], Awaitable[asyncpg.Connection]]


class PoolClosed(RuntimeError):
    pass


class VoicePool:
    def __init__(self, connect: Connect, *, size: int, timeout: float) -> None:
        self._connect = connect
        self._size = size
        self._timeout = timeout
        self._idle: list[asyncpg.Connection] = []
        self._open = 0  # connections open or being opened
        self._waiting: deque[asyncio.Future[asyncpg.Connection | None]] = deque()
        self._closed = False

    @property
    def open_connections(self) -> int:
        return self._open

    async def acquire(self) -> asyncpg.Connection:
        if self._closed:
            raise PoolClosed("the voice database pool is closed")
        while self._idle:
            conn = self._idle.pop()
            if not conn.is_closed():
                return conn
            self._open -= 1  # the server closed it while it was idle
        if self._open < self._size:
            self._open += 1
            return await self._open_reserved()
        handed = await self._wait_turn()
        # None: a connection was dropped, and its place kept for this webhook to open one.
        return handed if handed is not None else await self._open_reserved()

    async def _open_reserved(self) -> asyncpg.Connection:
        """Open a connection in a place already counted in `_open`."""
        try:
            return await self._connect()
        except BaseException:
            self._drop_place()  # a webhook waiting tries to connect in its turn
            raise

    async def _wait_turn(self) -> asyncpg.Connection | None:
        waiter: asyncio.Future[asyncpg.Connection | None] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            async with asyncio.timeout(self._timeout):
                return await waiter
        except BaseException:
            if not waiter.done():
                waiter.cancel()
                with contextlib.suppress(ValueError):
                    self._waiting.remove(waiter)
            elif not waiter.cancelled():  # handed over just as the wait ended: pass it on
                handed = waiter.result()
                if handed is not None:
                    self.release(handed)
                else:
                    self._drop_place()
            raise

    def release(self, conn: asyncpg.Connection) -> None:
        """Give `conn` back; the caller has committed or rolled back."""
        if self._closed or conn.is_closed() or conn.is_in_transaction():
            conn.terminate()
            self._drop_place()
        elif not self._hand_over(conn):
            self._idle.append(conn)

    def _drop_place(self) -> None:
        """A connection is gone (or was never made): its place goes to the first webhook
        still waiting, which opens a connection in it."""
        self._open -= 1
        if self._hand_over(None):
            self._open += 1  # the waiter's, before any newcomer can run

    def _hand_over(self, conn: asyncpg.Connection | None) -> bool:
        """To the first webhook still waiting: `conn`, or (None) a place to open one in."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return True
        return False

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            self._open -= 1
            with contextlib.suppress(Exception):
                await conn.close(timeout=5)
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_exception(PoolClosed("the voice database pool is closed"))
