"""The dossiers' periodic chores, in a small thread of their own next to the outbox worker.

Every `DOSSIER_STATUS_POLL_S` seconds (default 60): release claims idle longer than
`CLAIM_IDLE` (30 minutes), then ask the one-stop system about every filed
dossier (`onestop_sync.poll_statuses`). The app starts it when it runs the outbox worker
in-process (`RUN_WORKER_IN_APP`, the default), and `tongdai worker` beside its own
worker. Both chores are safe with several app
workers running them at once: each change is a conditional UPDATE that only one wins.
"""

from __future__ import annotations

import threading

import httpx
import structlog
from sqlalchemy.orm import Session, sessionmaker

from callcenter.dossiers.onestop_sync import PollReport, poll_statuses
from callcenter.dossiers.service import release_idle_claims
from callcenter.onestop.client import HttpOneStopClient, OneStopClient
from ivr.settings import DossierChoresConfig, Settings

log = structlog.get_logger(__name__)


class DossierChores:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        client: OneStopClient,
        sending_enabled: bool,
        config: DossierChoresConfig,
    ) -> None:
        self.sessions = sessions
        self.client = client
        self.sending_enabled = sending_enabled
        self.config = config

    def run_once(self) -> tuple[int, PollReport]:
        with self.sessions() as session:
            released = release_idle_claims(session)
            session.commit()
        report = poll_statuses(
            self.sessions,
            client=self.client,
            sending_enabled=self.sending_enabled,
            limit=self.config.poll_batch,
        )
        return released, report

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.config.status_poll_s):
            try:
                released, report = self.run_once()
            except Exception:
                log.exception("dossier_chores_failed")
                continue
            if released or report.moved or report.errors:
                log.info("dossier_chores", released=released, moved=report.moved, errors=report.errors)


class DossierChoresThread:
    def __init__(self, chores: DossierChores, http: httpx.Client) -> None:
        self.chores = chores
        self._http = http
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=chores.run, args=(self._stop,), name="dossier-chores", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 20.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
        self._http.close()


def start_dossier_chores(settings: Settings, sessions: sessionmaker[Session]) -> DossierChoresThread:
    http = httpx.Client(timeout=15.0)
    chores = DossierChores(
        sessions,
        client=HttpOneStopClient.from_settings(settings, http=http),
        sending_enabled=settings.twilio_sending_enabled,
        config=settings.dossier,
    )
    thread = DossierChoresThread(chores, http)
    thread.start()
    return thread
