"""SQLite's WAL checkpoints, moved off the request path.

By default the connection whose commit pushes the write-ahead log past 1,000 pages
copies it back into the database file and syncs it, inside that commit: under a
steady stream of webhooks, one caller in a few hundred waited 10–30 ms for it (the
paced benchmark's p99). The server's connections switch that off, and this thread
checkpoints once a second on a connection of its own; sqlite3 releases the GIL while
it copies, and WAL lets writers go on meanwhile.
"""

from __future__ import annotations

import sqlite3
import threading

import structlog

log = structlog.get_logger(__name__)


class WalCheckpointer:
    def __init__(self, database_path: str, *, every_s: float = 1.0) -> None:
        self._path = database_path
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-wal-checkpoint", daemon=True)

    def start(self) -> WalCheckpointer:
        self._thread.start()
        return self

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, timeout=30, check_same_thread=False)
        try:
            while not self._stop.wait(self._every_s):
                self._checkpoint(conn, "PASSIVE")
            self._checkpoint(conn, "TRUNCATE")  # leave a short log behind at shutdown
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection, mode: str) -> None:
        try:
            conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()
        except sqlite3.Error as exc:  # busy or locked: the next round catches up
            log.warning("wal_checkpoint_failed", mode=mode, error=str(exc)[:200])

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
