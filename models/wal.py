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
from contextlib import AbstractContextManager

import structlog

log = structlog.get_logger(__name__)


class WalCheckpointer:
    def __init__(
        self, database_path: str, *, every_s: float = 1.0,
        writers: AbstractContextManager[object] | None = None,
    ) -> None:
        self._path = database_path
        self._writers = writers
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
                if self._writers is not None:
                    self._restart_log(conn, self._writers)
            self._checkpoint(conn, "TRUNCATE")  # leave a short log behind at shutdown
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection, mode: str) -> None:
        try:
            conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()
        except sqlite3.Error as exc:  # busy or locked: the next round catches up
            log.warning("wal_checkpoint_failed", mode=mode, error=str(exc)[:200])

    def _restart_log(self, conn: sqlite3.Connection, writers: AbstractContextManager[object]) -> None:
        """Let the next commit write the log from its start again.

        Under a steady stream of webhooks a passive checkpoint never catches up with the
        last commit, so the log was never restarted: it grew by gigabytes a day, and every
        commit appended to a growing file, which costs the file system more than writing
        over blocks it already has. Right after the passive round there are only a few
        frames left; this copies them while this process's writers wait their turn (the
        same lock they queue on, `models.db.write_turns`), and gives up at once, rather
        than keep them waiting, if a reader elsewhere still uses the log.
        """
        conn.execute("PRAGMA busy_timeout=0")
        with writers:
            self._checkpoint(conn, "RESTART")
        conn.execute("PRAGMA busy_timeout=30000")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
