"""The emulator on the test database, on a clock the test moves by hand."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from callcenter.onestop.emulator import ManualClock, create_emulator_app
from callcenter.onestop.schemas import Application
from ivr.settings import EmulatorConfig
from models.db import make_sessionmaker

API_KEY = "emulator-test-key"
STEP_SECONDS = 60.0
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def clock() -> ManualClock:
    # The Wednesday before Tết 2027, mid-morning in Quảng Ngãi.
    return ManualClock(datetime(2027, 2, 3, 9, 0, tzinfo=LOCAL))


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(step_seconds=STEP_SECONDS)


@pytest.fixture
def emulator_app(engine: Engine, db: Session, clock: ManualClock, emulator_config: EmulatorConfig) -> FastAPI:
    # `db` is requested so the tables are emptied after the test.
    return create_emulator_app(
        sessionmaker=make_sessionmaker(engine), api_key=API_KEY, clock=clock, config=emulator_config
    )


@pytest.fixture
def emulator(emulator_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(emulator_app, headers={"Authorization": f"Bearer {API_KEY}"}) as client:
        yield client


def application_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "procedure": {"code": "QNG-TS-GPKT-CM", "name": "Cấp giấy phép khai thác thủy sản"},
        "applicant": {
            "fullname": "Nguyễn Văn Tám",
            "birthday": None,
            "identityNumber": "051070001234",
            "phoneNumber": "0905123456",
            "address": "Thôn An Hải",
            "village": {"label": "Đặc khu Lý Sơn", "value": None},
            "province": {"label": "Quảng Ngãi", "value": "51"},
        },
        "eForm": {"data": {"registrationNumber": "QNg-90567-TS", "mainGear": "lưới vây"}},
        "resultDelivery": {
            "method": {"label": "Nhận kết quả qua bưu chính công ích", "value": "post"},
            "address": "Thôn An Hải, Đặc khu Lý Sơn, Quảng Ngãi",
        },
        "externalCode": "472915",
    }
    body.update(overrides)
    return body


@pytest.fixture
def make_application() -> Callable[..., Application]:
    def make(**overrides: Any) -> Application:
        return Application.model_validate(application_body(**overrides))

    return make
