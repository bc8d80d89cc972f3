"""The smartphone channel over HTTP, with Twilio faked at its HTTP boundary.

Codes travel as they would in production: the endpoint queues the SMS in the outbox,
the outbox worker hands it to the real `twilio` library, whose HTTP requests reach
`FakeTwilio` (Twilio's documented 201 answer) through an `httpx.MockTransport`; the
test reads the code from the message Twilio was asked to send.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import ExifTags, Image
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from callcenter.app import create_app
from callcenter.outbox.context import OutboxContext
from callcenter.outbox.worker import OutboxWorker
from ivr.settings import Settings
from models.base import utcnow
from models.vessel import Vessel
from tests.callcenter.notify.conftest import ACCOUNT_SID, FROM_NUMBER, TWILIO_FAKE, FakeTwilio
from tests.callcenter.outbox.helpers import FakeClock, make_worker

OWNER_PHONE = "+84905123456"  # the registered owner of QNg-90567-TS
OTHER_PHONE = "+84912345678"


@pytest.fixture
def twilio() -> FakeTwilio:
    return FakeTwilio()


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    settings.twilio_account_sid = ACCOUNT_SID
    settings.twilio_from_number = FROM_NUMBER
    settings.twilio_api_base_url = TWILIO_FAKE
    settings.attachments.store_url = str(tmp_path / "attachments")
    settings.attachments.max_bytes = 2 * 1024 * 1024
    # The default counts, over a day: `limits`' sliding window weighs the window before,
    # so a test that straddled a 15-minute edge could see 2.99 of 3 and pass one too many.
    settings.mobile.otp_per_phone = "3/day"
    settings.mobile.otp_per_address = "20/day"
    settings.mobile.session_tries_per_address = "30/day"
    return settings


@pytest.fixture
def app(settings: Settings, db: Session) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def worker(engine: Engine, settings: Settings, twilio: FakeTwilio) -> Iterator[OutboxWorker]:
    context = OutboxContext(settings=settings, http=httpx.Client(transport=httpx.MockTransport(twilio)))
    yield make_worker(engine, context, clock=FakeClock(utcnow() + timedelta(seconds=1)))
    context.close()


@pytest.fixture
def vessel(db: Session) -> Vessel:
    boat = Vessel(
        registration_number="QNg-90567-TS", province_symbol="QNg", digits="90567", vessel_name="Hải Long 01",
        owner_name="Nguyễn Văn Tàu", owner_phone=OWNER_PHONE, owner_id_number="051085001234",
        address="Thôn An Vĩnh", commune="Lý Sơn", district=None, province="Quảng Ngãi",
        length_m=Decimal("16.50"), main_gear="lưới vây",
    )
    db.add(boat)
    db.commit()
    return boat


SignIn = Callable[[str], str]


def texted_code(twilio: FakeTwilio, phone: str) -> str:
    """The code in the last SMS Twilio was asked to send to `phone`."""
    for form in reversed(twilio.accepted):
        if form["To"] == phone:
            found = re.search(r"\b(\d{6})\b", form["Body"])
            assert found, form["Body"]
            return found.group(1)
    raise AssertionError(f"no SMS to {phone}")


@pytest.fixture
def sign_in(client: TestClient, worker: OutboxWorker, twilio: FakeTwilio) -> SignIn:
    def sign(phone: str) -> str:
        assert client.post("/api/v1/public/otp", json={"phone": phone}).status_code == 202
        worker.drain()
        answer = client.post("/api/v1/public/session", json={"phone": phone, "code": texted_code(twilio, phone)})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["token"])

    return sign


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def photo_with_gps() -> bytes:
    """A phone's photo: camera make and model, and where it was taken (Lý Sơn)."""
    image = Image.new("RGB", (1200, 900), (210, 190, 160))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Samsung"
    exif[ExifTags.Base.Model] = "Galaxy A05"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (15.0, 22.0, 48.0), 3: "E", 4: (109.0, 7.0, 12.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()
