"""Dossiers to work on, operators to work on them, and a one-stop emulator on a hand-moved clock."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from callcenter.onestop.emulator import ManualClock, create_emulator_app
from callcenter.outbox.context import OutboxContext
from callcenter.outbox.handlers import install_default_handlers
from callcenter.outbox.registry import HandlerRegistry
from callcenter.outbox.worker import OutboxWorker
from ivr.settings import EmulatorConfig, OutboxConfig, Settings
from models.db import make_sessionmaker
from models.dossier import Dossier, DossierEvent
from models.onestop_emulator import OneStopEmuDossier
from models.user import User

PHONE = "+84905123456"
CITIZEN_ID = "051070001234"
STEP = timedelta(seconds=60)
ONESTOP_URL = "http://onestop.test"  # any host: the line below hands every request to the emulator


def in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def add_user(db: Session, username: str, role: str = "operator") -> User:
    # No password: these tests call the service directly, never log in.
    user = User(username=username, role=role, full_name=username, password_hash="-")
    db.add(user)
    db.commit()
    return user


@pytest.fixture
def vana(db: Session) -> User:
    return add_user(db, "vana")


@pytest.fixture
def thib(db: Session) -> User:
    return add_user(db, "thib")


def make_dossier(db: Session, reference: str = "472915", **values: Any) -> Dossier:
    fields: dict[str, Any] = {
        "procedure": "fishing_licence",
        "variant": "new",
        "channel": "ivr",
        "status": "draft",
        "vessel_registration": "QNg-90567-TS",
        "applicant_phone": PHONE,
        "fields": {},
    }
    fields.update(values)
    dossier = Dossier(reference=reference, **fields)
    dossier.history.append(DossierEvent(by="ivr", what="Tạo hồ sơ nháp qua tổng đài tự động"))
    db.add(dossier)
    db.commit()
    return dossier


def complete_values(**overrides: Any) -> dict[str, Any]:
    """A fishing-licence draft an operator has finished: ready to submit."""
    values: dict[str, Any] = {
        "applicant_name": "Nguyễn Văn Tám",
        "applicant_id_number": CITIZEN_ID,
        "applicant_address": {"line": "Thôn An Hải", "commune": "Đặc khu Lý Sơn", "province": "Quảng Ngãi"},
        "fields": {"main_gear": "lưới vây", "fishing_zone": "khơi", "port": "Cảng cá Sa Kỳ"},
        "delivery": {"method": "post", "address": None},
    }
    values.update(overrides)
    return values


@pytest.fixture
def emulator_clock() -> ManualClock:
    return ManualClock(datetime.now(UTC))


@pytest.fixture
def emulator_app(engine: Engine, db: Session, emulator_clock: ManualClock) -> FastAPI:
    return create_emulator_app(
        sessionmaker=make_sessionmaker(engine),
        clock=emulator_clock,
        config=EmulatorConfig(step_seconds=STEP.total_seconds()),
    )


@pytest.fixture
def emulator(emulator_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(emulator_app) as client:
        yield client


class OneStopLine:
    """The wire between the hotline and the one-stop system: up, down (503), or refusing (422).

    Up, each request is handed to the emulator as it is, so what arrives there is what
    the client really sent.
    """

    def __init__(self, emulator: TestClient) -> None:
        self.emulator = emulator
        self.down = False
        self.refuse_with: str | None = None
        self.applies = 0  # apply requests that reached the emulator
        self.refused = 0  # apply requests answered 503

    def __call__(self, request: httpx.Request) -> httpx.Response:
        applying = request.url.path.endswith("--apply-online")
        if self.down:
            self.refused += applying
            return httpx.Response(503, json={"error": "unavailable", "message": "bảo trì"})
        if applying and self.refuse_with is not None:
            return httpx.Response(
                422, json={"error": "invalid_application", "message": self.refuse_with, "errors": []}
            )
        self.applies += applying
        answer = self.emulator.request(
            request.method,
            request.url.path,
            params=request.url.params,
            content=request.content,
            headers={
                k: v for k, v in request.headers.items() if k.lower() in ("content-type", "idempotency-key")
            },
        )
        return httpx.Response(
            answer.status_code, content=answer.content, headers={"content-type": "application/json"}
        )


@pytest.fixture
def line(emulator: TestClient) -> OneStopLine:
    return OneStopLine(emulator)


@pytest.fixture
def context(settings: Settings, line: OneStopLine) -> Iterator[OutboxContext]:
    linked = settings.model_copy(update={"onestop_base_url": ONESTOP_URL})
    ctx = OutboxContext(settings=linked, http=httpx.Client(transport=httpx.MockTransport(line)))
    yield ctx
    ctx.close()


class WorkerClock:
    """Wall-clock time (submissions are due when made) that a test can move ahead."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@pytest.fixture
def worker_clock() -> WorkerClock:
    return WorkerClock()


@pytest.fixture
def make_worker(
    engine: Engine, context: OutboxContext, worker_clock: WorkerClock
) -> Callable[..., OutboxWorker]:
    def make(worker_id: str = "worker-a", **config: Any) -> OutboxWorker:
        return OutboxWorker(
            make_sessionmaker(engine),
            context,
            config=OutboxConfig(**config),
            registry=install_default_handlers(HandlerRegistry()),
            worker_id=worker_id,
            clock=worker_clock,
            rng=random.Random(3),
        )

    return make


def emulated_dossiers(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(OneStopEmuDossier)) or 0


def history(db: Session, reference: str) -> list[str]:
    db.expire_all()
    dossier = db.scalars(select(Dossier).where(Dossier.reference == reference)).one()
    return [event.what for event in dossier.history]
