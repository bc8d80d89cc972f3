"""The voice webhooks' unit of work when the database itself is the fault."""

from __future__ import annotations

import asyncio
import socket

from sqlalchemy import create_engine

from ivr.calls.unit import VoiceDatabase, VoiceLink


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens on it once the socket is closed


def test_an_unreachable_postgresql_gives_the_fault_answer_and_is_tried_again() -> None:
    # The URL is only parsed here: nothing connects until a webhook runs.
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/nowhere")
    voice_db = VoiceDatabase(engine)
    worked: list[VoiceLink] = []
    faults: list[Exception] = []

    def work(link: VoiceLink) -> str:
        worked.append(link)
        return "answer"

    def fault(exc: Exception) -> str:
        faults.append(exc)
        return "apology"

    async def two_webhooks() -> list[str]:
        try:
            return [await voice_db.run(work, fault) for _ in range(2)]
        finally:
            await voice_db.close()

    assert asyncio.run(two_webhooks()) == ["apology", "apology"]
    assert worked == []
    # Each webhook tried to connect: a server that comes back is used by the next caller.
    assert len(faults) == 2 and all(isinstance(exc, OSError) for exc in faults)
