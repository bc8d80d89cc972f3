"""SQLite's write-ahead log under a steady stream of commits: checkpointed off the
request path, and started over instead of growing for as long as the stream lasts."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from models.wal import WalCheckpointer


def _writer(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")  # as the server's connections
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body BLOB)")
    return conn


def _commit_steadily(path: Path, writers: threading.Lock) -> tuple[int, int]:
    """(commits, times the log started over) for commits that never pause for longer
    than the checkpointer's interval. Passive checkpoints alone never catch up with such
    a stream: the log would never start over and would hold all of it."""
    conn = _writer(path)
    checkpointer = WalCheckpointer(str(path), every_s=0.02, writers=writers).start()
    committed = 0
    deadline = time.monotonic() + 1.5
    try:
        while time.monotonic() < deadline:
            with writers:  # as `models.db.write_turns`: one writer at a time in a process
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO t (body) VALUES (?)", (b"x" * 3000,))
                conn.execute("COMMIT")
            committed += 1
    finally:
        header = (path.parent / (path.name + "-wal")).read_bytes()[:16]
        checkpointer.stop()
        conn.close()
    # The log's header counts its restarts (SQLite's "checkpoint sequence number").
    return committed, int.from_bytes(header[12:16], "big")


def test_the_log_starts_over_under_a_steady_stream_of_commits(tmp_path: Path) -> None:
    commits, restarts = _commit_steadily(tmp_path / "restart.db", threading.Lock())
    assert commits > 500, "too few commits to tell"
    assert restarts >= 5, restarts  # a round every 20 ms for 1.5 s; some may find a reader
