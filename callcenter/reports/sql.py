"""The few expressions SQLite and PostgreSQL spell differently, so reports stay in SQL.

Timestamps are stored as naive UTC on both backends (models.base.UTCDateTime). Local
days and hours add the centre's UTC offset in the database; Vietnam has kept +07:00
without daylight saving since 1975, so one offset per report is exact.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, String, cast, func, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name


def epoch_seconds(column: Any, dialect: str) -> ColumnElement[float]:
    if dialect == "postgresql":
        return cast(func.extract("epoch", column), Float)
    # julianday() loses microseconds to floating point; whole seconds plus the
    # milliseconds of `%f` ("SS.SSS") stay exact.
    whole = cast(func.strftime("%s", column), Float)
    fraction = cast(func.strftime("%f", column), Float) - cast(func.strftime("%S", column), Float)
    return whole + fraction


def seconds_between(start: Any, end: Any, dialect: str) -> ColumnElement[float]:
    return epoch_seconds(end, dialect) - epoch_seconds(start, dialect)


def local_day(column: Any, offset_s: int, dialect: str) -> ColumnElement[str]:
    """`YYYY-MM-DD` of the centre's local day."""
    if dialect == "postgresql":
        shifted = column + literal_column(f"interval '{int(offset_s)} seconds'")
        return func.to_char(shifted, "YYYY-MM-DD")
    return cast(func.date(column, f"{int(offset_s):+d} seconds"), String)


def local_month(column: Any, offset_s: int, dialect: str) -> ColumnElement[str]:
    """`YYYY-MM` of the centre's local month."""
    if dialect == "postgresql":
        shifted = column + literal_column(f"interval '{int(offset_s)} seconds'")
        return func.to_char(shifted, "YYYY-MM")
    return cast(func.strftime("%Y-%m", column, f"{int(offset_s):+d} seconds"), String)


def local_hour(column: Any, offset_s: int, dialect: str) -> ColumnElement[int]:
    """0–23, the hour of the centre's local clock."""
    if dialect == "postgresql":
        shifted = column + literal_column(f"interval '{int(offset_s)} seconds'")
        return cast(func.extract("hour", shifted), Integer)
    return cast(func.strftime("%H", column, f"{int(offset_s):+d} seconds"), Integer)


def percentiles(session: Session, values: Subquery, fractions: tuple[float, ...]) -> list[float | None]:
    """Discrete percentiles of the subquery's single column `value`, in the database.

    PostgreSQL has `percentile_disc`; SQLite has none, so there the value sits at offset
    ceil(p·n) − 1 of the ordered column — the same definition, one indexed walk each.
    """
    column = values.c.value
    if dialect_name(session) == "postgresql":
        row = session.execute(
            select(*[func.percentile_disc(p).within_group(column) for p in fractions])
        ).one()
        return [float(v) if v is not None else None for v in row]
    n = session.scalar(select(func.count()).select_from(values).where(column.is_not(None))) or 0
    if n == 0:
        return [None for _ in fractions]
    out: list[float | None] = []
    for p in fractions:
        offset = max(0, math.ceil(p * n - 1e-9) - 1)
        value = session.scalar(
            select(column).where(column.is_not(None)).order_by(column).limit(1).offset(offset)
        )
        out.append(float(value) if value is not None else None)
    return out

