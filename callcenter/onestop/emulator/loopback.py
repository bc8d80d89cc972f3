"""The built-in emulator on a loopback port of its own, never on the service's port.

With ONESTOP_BASE_URL unset, each process that talks to the one-stop system (an app
worker, `tongdai worker`) starts one: uvicorn on 127.0.0.1 at a free port, in a thread,
behind ONESTOP_API_KEY (a random key for this process when none is set), and points its
one-stop client at it (`Settings.use_emulator`). Nothing outside the machine reaches
it, and nothing on it without the key.

Its dossiers are rows in the service's database, so several of these (one per worker
process) are one emulated system: the same idempotency key gives the same dossier
whichever answers, sequence numbers are allocated under a unique constraint, and a
clerk's change and a status catch-up lock the row.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time

import structlog
import uvicorn
from sqlalchemy.orm import Session, sessionmaker

from callcenter.onestop.emulator.app import create_emulator_app
from ivr.settings import Settings

log = structlog.get_logger(__name__)

HOST = "127.0.0.1"


class LoopbackEmulator:
    """`start()` serves the emulator and returns its URL; `stop()` ends it."""

    def __init__(self, *, sessions: sessionmaker[Session], settings: Settings) -> None:
        # A key of this process's own when none is configured: the emulator is never open.
        self.api_key = settings.onestop_api_key or secrets.token_urlsafe(32)
        self.generated_key = settings.onestop_api_key is None
        app = create_emulator_app(
            sessionmaker=sessions, api_key=self.api_key, config=settings.onestop_emulator
        )
        # log_config=None and access_log left on at construction: uvicorn.Config sets up
        # logging globally there (access_log=False would silence the service's own access
        # log). Its own access lines are turned off afterwards, on this config only.
        config = uvicorn.Config(app, log_config=None, lifespan="off", ws="none", timeout_graceful_shutdown=2)
        config.access_log = False
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self, *, timeout: float = 10.0) -> str:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, 0))  # the system picks a free port; bound before uvicorn starts
        port = listener.getsockname()[1]
        self.url = f"http://{HOST}:{port}"
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [listener]}, name="onestop-emulator", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the built-in one-stop emulator did not start")
            time.sleep(0.01)
        log.warning(
            "onestop.emulator_in_use",
            message=(
                "ONESTOP_BASE_URL is not set: dossiers go to the BUILT-IN ONE-STOP EMULATOR, not the "
                "province's system. Set ONESTOP_BASE_URL (and ONESTOP_API_KEY) in production."
            ),
            url=self.url,
            key="ONESTOP_API_KEY" if not self.generated_key else "random, this process only",
        )
        return self.url

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)


def start_loopback_emulator(settings: Settings, sessions: sessionmaker[Session]) -> LoopbackEmulator | None:
    """When no one-stop system is configured: start the emulator and point `settings` at it."""
    if settings.onestop_base_url is not None:
        return None
    emulator = LoopbackEmulator(sessions=sessions, settings=settings)
    settings.use_emulator(emulator.start(), emulator.api_key)
    return emulator
