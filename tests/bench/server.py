"""The server under test, started as in production, on a database made fresh for the run."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

VENV_BIN = Path(sys.executable).parent
REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH_TOKEN = "bench-" + secrets.token_hex(12)
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str


def sqlite_backend(workdir: Path) -> Backend:
    return Backend("SQLite", f"sqlite:///{workdir / 'bench.db'}")


def postgres_backend() -> tuple[Backend | None, str]:
    """The bench's own PostgreSQL database, created if missing and emptied; or why not."""
    url = make_url(os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    name = url.database or ""
    if name in ("", "test", "postgres", "template0", "template1"):
        return None, f"refusing to use database {name!r}: the bench drops its schema"
    try:
        admin = create_engine(
            url.set(database="postgres"), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        bench = create_engine(url, connect_args={"connect_timeout": 3})
        with bench.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        bench.dispose()
    except SQLAlchemyError as exc:
        where = url.render_as_string(hide_password=True)
        return None, f"PostgreSQL not reachable at {where}: {exc.__class__.__name__}"

    return Backend("PostgreSQL", url.render_as_string(hide_password=False)), ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_healthy(proc: subprocess.Popen[bytes], base_url: str, log_tail: Callable[[], str]) -> None:
    """Until `/healthz` answers 200 (60 s at most); the server's log if it exits or never does."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited at start:\n" + log_tail())
        try:
            if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not answer /healthz within 60 s:\n" + log_tail())


def stop_server(proc: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM to the server's own session (only what we started), then SIGKILL."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


class Server:
    """The product's app (with the bench's bare endpoint), one uvicorn worker, loopback only."""

    def __init__(self, backend: Backend, workdir: Path) -> None:
        self.backend = backend
        self.workdir = workdir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.token = BENCH_TOKEN
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "ONESTOP_"))}
        env.update(
            DATABASE_URL=backend.database_url,
            PUBLIC_BASE_URL=self.base_url,
            TWILIO_AUTH_TOKEN=self.token,  # signatures checked, as in production
            PYTHONPATH=str(REPO_ROOT),  # the bench's app factory lives in tests/bench
            RUN_WORKER_IN_APP="false",  # the outbox worker would compete for the same core
            SECRET_KEY=secrets.token_urlsafe(32),
            PYTHONUNBUFFERED="1",
        )
        self.env = env
        self.log_path = workdir / f"server-{backend.name.lower()}.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> str:
        # Run from the work directory so the checkout's .env cannot leak into the bench.
        done = subprocess.run(
            [str(VENV_BIN / "tongdai"), *args],
            env=self.env, cwd=self.workdir, capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"tongdai {' '.join(args)} failed: {(done.stderr or done.stdout)[-600:]}")
        return done.stdout

    def start(self) -> None:
        log = self.log_path.open("wb")
        self._proc = subprocess.Popen(
            [
                str(VENV_BIN / "uvicorn"), "--factory", "tests.bench.bare:create_bench_app",
                "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1",
                "--no-access-log", "--log-level", "warning",
            ],
            env=self.env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        wait_until_healthy(self._proc, self.base_url, self.log_tail)

    def peak_rss_mb(self) -> float | None:
        """The uvicorn process's resident-memory high-water mark (VmHWM)."""
        if self._proc is None:
            return None
        try:
            for line in Path(f"/proc/{self._proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass  # not Linux: no high-water mark to read
        return None

    def cpu_s(self) -> float | None:
        """CPU seconds the server has used (user + system): a figure other load cannot inflate."""
        if self._proc is None:
            return None
        try:
            fields = Path(f"/proc/{self._proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        # After the command name: state is field 3, utime and stime are fields 14 and 15.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, chars: int = 1500) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        stop_server(proc)

    def __enter__(self) -> Server:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
