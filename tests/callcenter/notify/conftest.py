from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import pytest
from sqlalchemy import Engine

from callcenter.outbox.context import OutboxContext
from callcenter.outbox.worker import OutboxWorker
from ivr.settings import Settings
from tests.callcenter.outbox.helpers import FakeClock, make_worker

ACCOUNT_SID = "AC" + "0" * 32
FROM_NUMBER = "+842553818558"
TWILIO_FAKE = "https://twilio.test"


class FakeTwilio:
    """Twilio's Messages API at the HTTP layer: answers each POST with the next scripted status."""

    def __init__(self) -> None:
        self.script: list[int | Exception] = [201]
        self.requests: list[httpx.Request] = []
        self.accepted: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if step == 201:
            self.accepted.append(form)
            sid = f"SM{len(self.accepted):032x}"
            return httpx.Response(201, json={"sid": sid, "status": "queued", "to": form["To"], "body": form["Body"]})
        if step == 400:
            return httpx.Response(400, json={
                "code": 21211, "status": 400, "more_info": "https://www.twilio.com/docs/errors/21211",
                "message": f"The 'To' number {form['To']} is not a valid phone number.",
            })
        return httpx.Response(step, text="<html>Service Unavailable</html>")

    def form(self, index: int) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.requests[index].content.decode()).items()}


@pytest.fixture
def twilio() -> FakeTwilio:
    return FakeTwilio()


@pytest.fixture
def sms_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={
        "twilio_account_sid": ACCOUNT_SID, "twilio_from_number": FROM_NUMBER,
        "twilio_api_base_url": TWILIO_FAKE,
    })


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def worker(engine: Engine, sms_settings: Settings, twilio: FakeTwilio, clock: FakeClock) -> Iterator[OutboxWorker]:
    context = OutboxContext(settings=sms_settings, http=httpx.Client(transport=httpx.MockTransport(twilio)))
    yield make_worker(engine, context, clock=clock)
    context.close()
