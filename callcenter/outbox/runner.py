"""The worker as a background thread of the app (`RUN_WORKER_IN_APP`, on by default)."""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session, sessionmaker

from callcenter.outbox.context import build_context
from callcenter.outbox.worker import OutboxWorker
from ivr.settings import Settings


class OutboxThread:
    def __init__(self, worker: OutboxWorker) -> None:
        self.worker = worker
        self._stop = threading.Event()
        # A daemon, so a stuck delivery can never keep the server from exiting.
        self._thread = threading.Thread(
            target=worker.run, args=(self._stop,), name="outbox-worker", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 20.0) -> None:
        """Finish the delivery in hand (bounded by the HTTP timeout), release the rest."""
        self._stop.set()
        self._thread.join(timeout)
        self.worker.context.close()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()


def start_outbox_thread(settings: Settings, sessions: sessionmaker[Session]) -> OutboxThread:
    worker = OutboxWorker(sessions, build_context(settings), config=settings.outbox)
    thread = OutboxThread(worker)
    thread.start()
    return thread
