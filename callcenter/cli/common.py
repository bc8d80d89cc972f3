"""What every command needs: the database, without demanding Twilio credentials."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from ivr.settings import get_settings
from models.db import ensure_schema_current, make_engine, make_sessionmaker


@contextmanager
def cli_session() -> Iterator[Session]:
    """A session on an up-to-date schema; the command commits where it means to."""
    engine = make_engine(get_settings().database_url)
    try:
        ensure_schema_current(engine)
        with make_sessionmaker(engine)() as session:
            yield session
    finally:
        engine.dispose()
