"""What every command needs: the database, without demanding Twilio credentials."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.orm import Session

from models.db import ensure_schema_current, make_engine, make_sessionmaker


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite:///./var/tongdai.db"
    hotline_province: str = "QNg"


@contextmanager
def cli_session() -> Iterator[Session]:
    """A session on an up-to-date schema; the command commits where it means to."""
    engine = make_engine(DatabaseSettings().database_url)
    try:
        ensure_schema_current(engine)
        with make_sessionmaker(engine)() as session:
            yield session
    finally:
        engine.dispose()
