"""The voice webhooks' PostgreSQL connections (`ivr.calls.pool`).

The queueing rules run against stand-in connections (no server needed); the last case
has a real PostgreSQL server close a connection under a running hotline.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from ivr.calls.links import APPLICATION_NAME
from ivr.calls.pool import VoicePool
from tests.ivr.voice import VoiceCaller


class StandIn:
    """What the pool asks of an asyncpg connection."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.closed = False
        self.in_transaction = False

    def is_closed(self) -> bool:
        return self.closed

    def is_in_transaction(self) -> bool:
        return self.in_transaction

    def terminate(self) -> None:
        self.closed = True

    async def close(self, timeout: float | None = None) -> None:
        self.closed = True


class Server:
    def __init__(self, failures: int = 0) -> None:
        self.opened: list[StandIn] = []
        self.failures = failures

    async def connect(self) -> StandIn:
        await asyncio.sleep(0.001)
        if self.failures:
            self.failures -= 1
            raise OSError("connection refused")
        self.opened.append(StandIn(len(self.opened) + 1))
        return self.opened[-1]


def pool_of(server: Server, *, size: int, timeout: float = 5.0) -> VoicePool:
    return VoicePool(server.connect, size=size, timeout=timeout)


def test_no_more_connections_than_its_size_and_waiting_webhooks_are_served_in_arrival_order() -> None:
    server = Server()
    served: list[int] = []

    async def webhook(pool: VoicePool, n: int) -> None:
        conn = await pool.acquire()
        served.append(n)
        await asyncio.sleep(0.01)  # the step's round trips
        pool.release(conn)

    async def rush() -> VoicePool:
        pool = pool_of(server, size=2)
        await asyncio.gather(*(webhook(pool, n) for n in range(8)))
        return pool

    pool = asyncio.run(rush())
    assert len(server.opened) == 2 and pool.open_connections == 2
    assert served == list(range(8))


def test_a_webhook_that_waits_too_long_gives_up_and_takes_nothing_with_it() -> None:
    server = Server()

    async def scene() -> tuple[float, StandIn, StandIn]:
        pool = pool_of(server, size=1, timeout=0.05)
        held = await pool.acquire()
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await pool.acquire()
        waited = time.monotonic() - started
        pool.release(held)
        again = await pool.acquire()  # the connection came back to the pool, not to the quitter
        return waited, held, again

    waited, held, again = asyncio.run(scene())
    assert 0.04 < waited < 1
    assert again is held and len(server.opened) == 1


def test_a_failed_connect_frees_its_place_and_the_next_webhook_tries_again() -> None:
    server = Server(failures=1)

    async def scene() -> tuple[int, StandIn]:
        pool = pool_of(server, size=1)
        with pytest.raises(OSError):
            await pool.acquire()
        left = pool.open_connections
        return left, await pool.acquire()

    left, conn = asyncio.run(scene())
    assert left == 0 and conn.number == 1


def test_a_connection_given_back_broken_is_dropped_and_a_waiting_webhook_opens_a_new_one() -> None:
    server = Server()

    async def scene() -> tuple[StandIn, StandIn, int]:
        pool = pool_of(server, size=1)
        first = await pool.acquire()
        waiting = asyncio.ensure_future(pool.acquire())
        await asyncio.sleep(0.01)
        first.in_transaction = True  # a step that could not roll back
        pool.release(first)
        second = await waiting
        return first, second, pool.open_connections

    first, second, open_connections = asyncio.run(scene())
    assert first.closed and not second.closed and second is not first
    assert open_connections == 1


def test_a_connection_the_server_closed_is_replaced_before_the_next_caller_notices(
    client: TestClient, db: Session, engine: Engine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to close a connection")
    phone = VoiceCaller(client)
    phone.ring()
    with engine.begin() as admin:  # an administrator, a restart or a proxy ends the session
        ended = admin.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :name"
        ), {"name": APPLICATION_NAME}).scalar_one()
    assert ended >= 1
    time.sleep(0.2)  # the hotline's loop hears the connection close
    menu = phone.press("1")
    assert "Xin lỗi" not in menu.said() and menu.gather() is not None
