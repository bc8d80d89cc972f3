"""Benchmark: import a 100,000-row vessel registry CSV (plus a few bad rows).

    DATABASE_URL=postgresql+psycopg://… python -m tests.bench.vessel_import

The database is always a fresh one and the one named is never touched: for PostgreSQL
a throwaway schema inside it (migrated, used, dropped), for SQLite a temporary file in
the same directory (default: the system's temp directory).
"""

from __future__ import annotations

import csv
import os
import random
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from time import perf_counter

from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import make_url

from callcenter.vessels.importer import import_file
from callcenter.vessels.rows import COLUMNS
from models.db import alembic_config, make_engine, make_sessionmaker

ROWS = 100_000
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Ngọc")
GIVEN = ("Tám", "Lộc", "Hường", "Lực", "Hùng", "Bình", "Nam", "Sáu", "Lan", "Đức", "Bảy", "Hải", "Phước")
COMMUNES = ("Bình Châu", "Bình Sơn", "Tịnh Kỳ", "Đức Phổ", "Sa Huỳnh", "Mộ Đức", "An Vĩnh (đặc khu Lý Sơn)")
GEAR = ("lưới vây", "lưới rê", "câu mực", "câu cá ngừ", "lồng bẫy", "lưới chụp")
MOBILE_PREFIXES = ("090", "091", "093", "094", "096", "097", "098", "086", "035", "038", "070", "077", "081")
SPELLINGS = ("QNg-{}-TS", "QNG {} TS", "qng{}ts", "QNg-{} TS")
# Rows that must be reported, one of each kind the importer knows.
BAD_ROWS = (
    ["not-a-number", "", "Lê Văn A", "", "", "", "", "", "", "", "", ""],
    ["QNg-00001-TS", "", "Trùng Số", "", "", "", "", "", "", "", "", ""],  # duplicate of an early row
    ["QNg-99999-TX", "", "Phạm Văn B", "12345", "", "", "", "", "", "", "", ""],
    ["QNg-99998-TS", "", "Võ Văn C", "", "0510780012", "", "", "", "", "abc", "", "31/12/2026"],
    ["QNg-99997-TS", "too", "few"],
)


def write_registry(path: Path, rows: int, seed: int = 2021) -> int:
    """A registry CSV of `rows` good rows with the bad ones spread among them; returns how many bad."""
    rng = random.Random(seed)
    bad_every = rows // (len(BAD_ROWS) + 1)
    bad_left = list(BAD_ROWS)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(rows):
            writer.writerow(_good_row(rng, n))
            if n and n % bad_every == 0 and bad_left:
                writer.writerow(bad_left.pop(0))
    return len(BAD_ROWS) - len(bad_left)


def _good_row(rng: random.Random, n: int) -> list[str]:
    year = rng.randint(1950, 2000)
    id_number = f"051{(year // 100 - 19) * 2 + rng.randint(0, 1)}{year % 100:02d}{rng.randrange(10**6):06d}"
    phone = "" if n % 10 == 0 else f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
    expiry = date(2025, 1, 1) + timedelta(days=rng.randrange(1500))
    return [
        rng.choice(SPELLINGS).format(f"{n:05d}"),
        "" if n % 3 else f"Tàu {n}",
        f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
        phone,
        id_number if n % 4 else "",
        f"Thôn {rng.choice(GIVEN)} {n % 17}",
        rng.choice(COMMUNES),
        "" if n % 5 else "Bình Sơn",
        "Quảng Ngãi",
        f"{rng.uniform(6, 30):.1f}",
        rng.choice(GEAR),
        "" if n % 7 == 0 else expiry.isoformat(),
    ]


@contextmanager
def fresh_database(workdir: Path) -> Iterator[str]:
    """The URL of an empty, migrated database that is removed afterwards."""
    given = os.environ.get("DATABASE_URL", "")
    url = make_url(given) if given else None
    if url is None or url.get_backend_name() == "sqlite":
        folder = Path(url.database).resolve().parent if url and url.database else workdir
        fd, name = tempfile.mkstemp(prefix="tongdai-bench-", suffix=".db", dir=folder)
        os.close(fd)
        bench_url = f"sqlite:///{name}"
        try:
            command.upgrade(alembic_config(bench_url), "head")
            yield bench_url
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(name + suffix).unlink(missing_ok=True)
        return
    schema = f"bench_{secrets.token_hex(4)}"
    admin = make_engine(given)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    bench_url = url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )
    try:
        command.upgrade(alembic_config(bench_url), "head")
        yield bench_url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="tongdai-bench-") as tmp:
        registry = Path(tmp) / "registry.csv"
        bad_written = write_registry(registry, ROWS)
        with fresh_database(Path(tmp)) as url:
            engine = make_engine(url)
            started = perf_counter()
            with make_sessionmaker(engine)() as session:
                report = import_file(session, registry)
                session.commit()
            seconds = perf_counter() - started
            engine.dispose()
    print(
        f"vessel import ({engine.dialect.name}): {report.rows} rows in {seconds:.1f} s, "
        f"{report.rows / seconds:,.0f} rows/s; {report.counts.created} imported, "
        f"{len(report.errors)} bad rows reported (of {bad_written} written)"
    )


if __name__ == "__main__":
    main()
