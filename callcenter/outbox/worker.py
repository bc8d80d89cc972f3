"""The outbox worker: claim due entries, deliver each in its own transaction, record the outcome.

Delivery is at least once: an entry whose delivery succeeded but whose "done" was lost
(crash between the two) is delivered again after its lease expires. Handlers therefore
check what they already did (the SMS handler skips a message that has a Twilio SID) and
receivers get the entry's idempotency key.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import structlog
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from callcenter.outbox.backoff import retry_delay
from callcenter.outbox.claim import claim_due, release
from callcenter.outbox.context import OutboxContext
from callcenter.outbox.errors import PermanentFailure, RetryLater
from callcenter.outbox.handlers import install_default_handlers
from callcenter.outbox.registry import Handler, HandlerRegistry
from ivr.settings import OutboxConfig
from models.base import utcnow
from models.outbox import OutboxEntry

log = structlog.get_logger(__name__)

Outcome = Literal["done", "retry", "failed", "skipped"]


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class DrainReport:
    done: int = 0
    retry: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def handled(self) -> int:
        return self.done + self.retry + self.failed

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


class OutboxWorker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        context: OutboxContext,
        *,
        config: OutboxConfig,
        registry: HandlerRegistry | None = None,
        worker_id: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.sessions = sessions
        self.context = context
        self.config = config
        self.registry = registry if registry is not None else install_default_handlers()
        self.worker_id = worker_id or new_worker_id()
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311  # jitter, not secrecy

    def claim(self) -> list[int]:
        with self.sessions() as session:
            ids = claim_due(
                session,
                worker_id=self.worker_id,
                now=self.clock(),
                lease=timedelta(seconds=self.config.lease_s),
                limit=self.config.batch_size,
            )
            session.commit()
        return ids

    def drain(self, *, stop: threading.Event | None = None) -> DrainReport:
        """Deliver everything due now (batch after batch), then return."""
        report = DrainReport()
        while stop is None or not stop.is_set():
            ids = self.claim()
            if not ids:
                break
            for position, entry_id in enumerate(ids):
                if stop is not None and stop.is_set():
                    with self.sessions() as session:
                        release(session, worker_id=self.worker_id, entry_ids=ids[position:])
                        session.commit()
                    break
                report.count(self.deliver(entry_id))
        return report

    def run(self, stop: threading.Event) -> None:
        """Poll until `stop` is set; a broken database is logged and retried, never fatal."""
        log.info("outbox_worker_started", worker=self.worker_id, kinds=self.registry.kinds())
        while not stop.is_set():
            try:
                report = self.drain(stop=stop)
            except Exception:
                log.exception("outbox_poll_failed", worker=self.worker_id)
                report = DrainReport()
            if not report.handled:
                stop.wait(self.config.poll_s)
        log.info("outbox_worker_stopped", worker=self.worker_id)

    def deliver(self, entry_id: int) -> Outcome:
        with self.sessions() as session:
            entry = session.get(OutboxEntry, entry_id)
            if entry is None or entry.status != "pending" or entry.locked_by != self.worker_id:
                return "skipped"
            handler = self.registry.get(entry.kind)
            try:
                if handler is None:
                    raise RetryLater(f"không có bộ xử lý cho loại {entry.kind}")
                handler.deliver(session, entry, self.context)
            except PermanentFailure as exc:
                outcome = self._give_up(session, entry, handler, exc.reason)
            except RetryLater as exc:
                outcome = self._retry(session, entry, handler, exc.reason)
            except Exception as exc:
                # A bug or a broken row: undo what the handler half-did, try again later
                # (a fix may be deployed), and give up after the usual number of attempts.
                log.exception("outbox_handler_crashed", entry_id=entry_id)
                session.rollback()
                entry = session.get_one(OutboxEntry, entry_id)
                outcome = self._retry(session, entry, handler, f"lỗi không mong đợi: {exc!r}")
            else:
                outcome = self._finish(session, entry, status="done", done_at=self.clock())
            session.commit()
        log.info(
            "outbox_delivery", entry_id=entry_id, kind=entry.kind, outcome=outcome,
            attempt=entry.attempts + 1, worker=self.worker_id,
        )
        return outcome

    def _retry(
        self, session: Session, entry: OutboxEntry, handler: Handler | None, reason: str
    ) -> Outcome:
        failed_attempts = entry.attempts + 1
        if failed_attempts >= self.config.max_attempts:
            return self._give_up(session, entry, handler, reason)
        delay = retry_delay(failed_attempts, self.config, self.rng)
        return self._finish(
            session, entry, status="pending", last_error=reason, next_attempt_at=self.clock() + delay,
            outcome="retry",
        )

    def _give_up(
        self, session: Session, entry: OutboxEntry, handler: Handler | None, reason: str
    ) -> Outcome:
        if handler is not None and handler.on_give_up is not None:
            handler.on_give_up(session, entry, reason)
        return self._finish(session, entry, status="failed", last_error=reason, outcome="failed")

    def _finish(
        self, session: Session, entry: OutboxEntry, *, outcome: Outcome = "done", **values: Any
    ) -> Outcome:
        session.flush()  # the handler's own changes first, in this same transaction
        result = session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.id == entry.id, OutboxEntry.locked_by == self.worker_id)
            .values(attempts=entry.attempts + 1, locked_by=None, locked_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            # Our lease ran out mid-delivery and another worker holds the entry now. The
            # handler's changes still commit (e.g. the Twilio SID), so the new holder sees
            # the work is done instead of doing it again; the entry is its to finish.
            log.warning("outbox_lease_lost", entry_id=entry.id, worker=self.worker_id)
            return "skipped"
        return outcome
