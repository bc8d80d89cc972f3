"""Cursor paging for newest-first lists: `{"items": [...], "next_cursor": ...}`.

The cursor is the (timestamp, id) of the last row served, base64-encoded so clients
treat it as opaque. Keyset paging, unlike OFFSET, neither skips nor repeats rows when
new ones arrive between two pages, and costs the same on page 1 and page 1,000.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")
ItemT = TypeVar("ItemT")


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    at: datetime
    id: int


def encode_cursor(cursor: Cursor) -> str:
    raw = f"{cursor.at.astimezone(UTC).isoformat()}|{cursor.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(value: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        at_text, id_text = raw.split("|")
        at = datetime.fromisoformat(at_text)
        if at.tzinfo is None:
            raise ValueError("naive timestamp")
        return Cursor(at=at, id=int(id_text))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursor(value) from exc


def query_error(name: str, message: str, value: Any) -> RequestValidationError:
    """A 422 in FastAPI's own shape, naming the query parameter at fault."""
    return RequestValidationError(
        [{"type": "value_error", "loc": ("query", name), "msg": message, "input": value}]
    )


@dataclass(frozen=True)
class PageParams:
    limit: int
    after: Cursor | None


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query()] = None,
) -> PageParams:
    return PageParams(limit=limit, after=parse_cursor(cursor))


def parse_cursor(cursor: str | None) -> Cursor | None:
    if not cursor:
        return None
    try:
        return decode_cursor(cursor)
    except InvalidCursor:
        raise query_error(
            "cursor",
            "Con trỏ trang (cursor) không hợp lệ: hãy dùng đúng giá trị next_cursor của trang trước.",
            cursor,
        ) from None


PageDep = Annotated[PageParams, Depends(page_params)]


def older_than(
    at_column: InstrumentedAttribute[datetime], id_column: InstrumentedAttribute[int], cursor: Cursor
) -> ColumnElement[bool]:
    """Rows after `cursor` in (at desc, id desc) order."""
    return or_(at_column < cursor.at, and_(at_column == cursor.at, id_column < cursor.id))


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None


def split_page(rows: Sequence[T], *, limit: int, key: Callable[[T], Cursor]) -> tuple[list[T], str | None]:
    """Rows fetched with `limit + 1` → (this page, cursor of the next or None)."""
    page = list(rows[:limit])
    if len(rows) <= limit or not page:
        return page, None
    return page, encode_cursor(key(page[-1]))
