"""Benchmark: the supervisor's call log and summary over 1,000,000 call events.

    DATABASE_URL=postgresql+psycopg://… python -m tests.bench.call_log

100,000 calls of ten events each over 30 days, a dossier for one call in five, claimed
by one of ten operators. Then times what a supervisor waits for: the call log's first
page, a deep page, a filtered page, the period summary with its funnel, and the whole
dashboard. The database is always a fresh one: for PostgreSQL a throwaway schema inside
the one named (dropped afterwards), for SQLite a temporary file.
"""

from __future__ import annotations

import os
import random
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

from alembic import command
from sqlalchemy import Engine, insert, text
from sqlalchemy.engine import make_url

from callcenter.reports.context import ReportContext
from callcenter.reports.period import Period, parse_period
from callcenter.reports.summary import call_summary, funnel, funnel_menus
from callcenter.supervisor.calllog import CallLogFilters, list_call_log, next_cursor
from callcenter.supervisor.common import period_figures
from ivr.runtime import load_runtime
from models.call import Call, CallEvent
from models.db import alembic_config, make_engine, make_sessionmaker
from models.dossier import Dossier
from models.user import User

CALLS = 100_000
EVENTS_PER_CALL = 10  # → 1,000,000 call events
OPERATORS = 10
START = datetime(2026, 10, 1, tzinfo=UTC)
DAYS = 30
_BATCH = 20_000
# (menus entered, outcome, abandoned_menu): the shapes real calls take, with weights.
PATHS: list[tuple[list[str], str, str | None, int]] = [
    (["greeting", "main", "licence_variant", "licence_new", "vessel_entry", "vessel_readback", "confirm",
      "create_dossier", "done"], "dossier_created", None, 20),
    (["greeting", "main"], "abandoned", "main", 15),
    (["greeting", "main", "operator"], "transferred", None, 25),
    (["greeting", "main", "licence_variant"], "abandoned", "licence_variant", 10),
    (["greeting", "main", "safety_vessel", "vessel_entry", "operator"], "callback_requested", None, 15),
    (["greeting", "main", "status_start", "status_newest", "status_more"], "status_read", None, 15),
]


@contextmanager
def fresh_database(workdir: Path) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield f"sqlite:///{workdir / 'call_log_bench.db'}"
        return
    schema = f"bench_{secrets.token_hex(4)}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def populate(engine: Engine, seed: int = 2022) -> None:
    rng = random.Random(seed)
    weights = [w for *_, w in PATHS]
    with engine.begin() as conn:
        conn.execute(insert(User), [
            {"id": i, "username": f"dtv{i:02d}", "full_name": f"Điện thoại viên {i}", "role": "operator",
             "password_hash": "x", "created_at": START, "updated_at": START} for i in range(1, OPERATORS + 1)
        ])
    calls: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    dossiers: list[dict[str, Any]] = []
    event_id = 0

    def flush(final: bool = False) -> None:
        if len(events) >= _BATCH or final:
            with engine.begin() as conn:
                if calls:
                    conn.execute(insert(Call), calls)
                if events:
                    conn.execute(insert(CallEvent), events)
                if dossiers:
                    conn.execute(insert(Dossier), dossiers)
            for batch in (calls, events, dossiers):
                batch.clear()

    for call_id in range(1, CALLS + 1):
        menus, outcome, abandoned_menu, _ = rng.choices(PATHS, weights)[0]
        started = START + timedelta(seconds=rng.randrange(DAYS * 86400))
        reference = f"{call_id:06d}" if outcome == "dossier_created" else None
        calls.append({
            "id": call_id, "call_sid": f"CA{call_id:032x}", "from_number": f"+8490{rng.randrange(10**7):07d}",
            "to_number": "+842553818558", "flow_version": "2026-11-23", "state": {}, "turn": len(menus),
            "started_at": started, "ended_at": started + timedelta(seconds=90), "duration_s": rng.randrange(20, 300),
            "twilio_status": "completed", "outcome": outcome, "abandoned_menu": abandoned_menu,
            "dossier_reference": reference,
        })
        at = started
        for n in range(EVENTS_PER_CALL):  # the path's menus, then prompts and keys to make ten
            event_id += 1
            at += timedelta(seconds=2)
            if n < len(menus):
                events.append({"id": event_id, "call_id": call_id, "at": at, "kind": "menu", "menu": menus[n]})
            else:
                events.append({"id": event_id, "call_id": call_id, "at": at, "kind": "prompt",
                               "menu": menus[-1], "prompt": "main_menu"})
        if reference is not None:
            claimed = rng.random() < 0.8
            submitted = claimed and rng.random() < 0.7
            claimed_at = started + timedelta(minutes=rng.randrange(5, 600))
            dossiers.append({
                "reference": reference, "procedure": "fishing_licence", "variant": "new", "channel": "ivr",
                "status": "submitted" if submitted else ("in_progress" if claimed else "draft"),
                "vessel_registration": "QNg-90567-TS", "fields": {}, "call_sid": f"CA{call_id:032x}",
                "applicant_name": "Nguyễn Văn Tám", "created_at": started, "updated_at": started,
                "claimed_by_id": rng.randrange(1, OPERATORS + 1) if claimed else None,
                "claimed_at": claimed_at if claimed else None,
                "submitted_at": claimed_at + timedelta(minutes=rng.randrange(3, 60)) if submitted else None,
            })
        flush()
    flush(final=True)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def timed(label: str, work: Callable[[], object], repeat: int = 3) -> float:
    best = min(_once(work) for _ in range(repeat))
    print(f"  {label:<52} {best * 1000:9.1f} ms")
    return best


def _once(work: Callable[[], object]) -> float:
    begun = perf_counter()
    work()
    return perf_counter() - begun


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir, fresh_database(Path(workdir)) as url:
        command.upgrade(alembic_config(url), "head")
        engine = make_engine(url)
        begun = perf_counter()
        populate(engine)
        print(f"call log bench on {engine.dialect.name}: {CALLS:,} calls, {CALLS * EVENTS_PER_CALL:,} call events "
              f"inserted in {perf_counter() - begun:.1f} s")
        runtime = load_runtime()
        flows = list(runtime.flows.values())
        tz = ZoneInfo("Asia/Ho_Chi_Minh")
        ctx = ReportContext(tz=tz, menus=funnel_menus(flows, runtime.current),
                            operator_nodes={f.operator for f in flows}, now=START + timedelta(days=DAYS))
        everything = CallLogFilters(period=Period(None, None))
        week = parse_period("2026-10-08", "2026-10-14", tz=tz)
        filtered = CallLogFilters(period=week, outcome="dossier_created", operator="dtv03",
                                  procedure="fishing_licence")
        month = parse_period("2026-10-01", "2026-10-30", tz=tz)
        with make_sessionmaker(engine)() as session:
            timed("call log, newest 50", lambda: list_call_log(session, filters=everything, limit=51))

            def deep_page() -> None:
                cursor = None
                for _ in range(20):  # the 20th page, cursor by cursor
                    rows = list_call_log(session, filters=everything, cursor=cursor, limit=51)
                    _, cursor = next_cursor(rows, limit=50, sort="newest")

            timed("call log, 20 pages deep (20 queries)", deep_page, repeat=1)
            timed("call log, longest first", lambda: list_call_log(session, filters=everything, sort="longest",
                                                                    limit=51))
            timed("call log, week × outcome × operator × procedure",
                  lambda: list_call_log(session, filters=filtered, limit=51))
            timed("call log, one caller's number",
                  lambda: list_call_log(session, filters=CallLogFilters(period=Period(None, None),
                                                                        from_number="+84901234567"), limit=51))
            timed("summary: outcome counts, 30 days", lambda: call_summary(session, period=month))
            timed("summary: IVR funnel over 1M events, 30 days",
                  lambda: funnel(session, period=month, menus=ctx.menus, operator_nodes=ctx.operator_nodes))
            timed("summary: IVR funnel, one week",
                  lambda: funnel(session, period=week, menus=ctx.menus, operator_nodes=ctx.operator_nodes))
            timed("whole dashboard, 30 days", lambda: period_figures(session, period=month, ctx=ctx), repeat=1)
        engine.dispose()


if __name__ == "__main__":
    main()
