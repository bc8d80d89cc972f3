"""Test fixtures: a schema built by `alembic upgrade head`, emptied after every test.

TEST_DATABASE_URL picks the database (CI runs the suite on SQLite and on PostgreSQL);
by default a fresh SQLite file per test session. The app is built once per session
(building it loads the flows, the prompts and the schema check); each test gets the
same settings object back as it was, whatever the test changed on it. Emptying the
tables costs ~2 ms a test on PostgreSQL, far less than a fresh app did.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

import models
from callcenter.app import create_app
from ivr.settings import Settings
from models.db import alembic_config, make_engine, make_sessionmaker

TWILIO_TOKEN = "test-twilio-auth-token"
PUBLIC_BASE = "https://hotline.example.vn"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:  # the CI database is ours: start from nothing
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    command.upgrade(alembic_config(database_url), "head")
    yield engine
    engine.dispose()


def _empty_tables(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(models.Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    session = make_sessionmaker(engine)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
        _empty_tables(engine)


@pytest.fixture(scope="session")
def shared_settings(database_url: str, engine: Engine) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        public_base_url=PUBLIC_BASE,
        twilio_auth_token=TWILIO_TOKEN,
        twilio_account_sid=None,
        twilio_from_number=None,
        run_worker_in_app=False,
        secret_key="test-secret-key-not-for-production",
        log_json=False,
    )


@pytest.fixture(scope="session")
def shared_app(shared_settings: Settings) -> FastAPI:
    return create_app(shared_settings)


@pytest.fixture
def settings(shared_settings: Settings) -> Iterator[Settings]:
    """The app's settings; a test may change them, and finds them as they were in the next."""
    saved = shared_settings.model_copy(deep=True)
    yield shared_settings
    for name in type(shared_settings).model_fields:
        setattr(shared_settings, name, getattr(saved, name))


@pytest.fixture
def app(shared_app: FastAPI, settings: Settings, db: Session) -> FastAPI:
    return shared_app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def sign(url: str, params: dict[str, Any], token: str = TWILIO_TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, params))


def twilio_post(client: TestClient, path: str, params: dict[str, str], *, token: str = TWILIO_TOKEN):  # type: ignore[no-untyped-def]
    """POST a form the way Twilio does: signed against the public URL, not the test host."""
    signature = sign(PUBLIC_BASE + path, params, token)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def form_query(params: dict[str, str]) -> str:
    return urlencode(params)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
