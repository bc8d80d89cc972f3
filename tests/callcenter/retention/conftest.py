from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import Engine

from callcenter.outbox.context import OutboxContext
from callcenter.outbox.worker import OutboxWorker
from ivr.settings import Settings
from tests.callcenter.outbox.helpers import FakeClock, make_worker

NOW = datetime(2027, 6, 1, tzinfo=UTC)
ACCOUNT_SID = "AC" + "1" * 32
TWILIO_FAKE = "https://twilio.test"
_RECORDING_PATH = re.compile(r"/2010-04-01/Accounts/(AC[0-9a-f]{32})/Recordings/(RE[0-9a-f]{32})\.json")


def recording_url(recording_sid: str, account_sid: str = ACCOUNT_SID) -> str:
    """The link Twilio posts as `RecordingUrl` after a <Record>."""
    return f"https://api.twilio.com/2010-04-01/Accounts/{account_sid}/Recordings/{recording_sid}"


class FakeTwilioRecordings:
    """Twilio's Recording resources at the HTTP layer, answering as Twilio documents:
    DELETE of a recording it holds → 204 and no body, of one it does not → 404 with error
    20404. `script` puts an outage (a status or an exception) before the next answers."""

    def __init__(self, *recording_sids: str) -> None:
        self.held: set[str] = set(recording_sids)
        self.script: list[int | Exception] = []
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, Exception):
                raise step
            if step == 401:
                return httpx.Response(401, json={
                    "code": 20003, "detail": "Your AccountSid or AuthToken was incorrect.",
                    "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003",
                    "status": 401,
                })
            return httpx.Response(step, text="<html>Internal Server Error</html>")
        found = _RECORDING_PATH.fullmatch(request.url.path)
        if request.method != "DELETE" or found is None:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        sid = found.group(2)
        if sid not in self.held:
            return httpx.Response(404, json={
                "code": 20404, "message": f"The requested resource {request.url.path} was not found",
                "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404,
            })
        self.held.remove(sid)
        return httpx.Response(204)


@pytest.fixture
def twilio() -> FakeTwilioRecordings:
    return FakeTwilioRecordings()


@pytest.fixture
def twilio_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"twilio_account_sid": ACCOUNT_SID, "twilio_api_base_url": TWILIO_FAKE})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)  # the retention run's time: the entries it queues are due at once


def worker_for(engine: Engine, settings: Settings, twilio: FakeTwilioRecordings, clock: FakeClock,
               ) -> tuple[OutboxWorker, OutboxContext]:
    context = OutboxContext(settings=settings, http=httpx.Client(transport=httpx.MockTransport(twilio)))
    return make_worker(engine, context, clock=clock), context


@pytest.fixture
def worker(engine: Engine, twilio_settings: Settings, twilio: FakeTwilioRecordings,
           clock: FakeClock) -> Iterator[OutboxWorker]:
    worker, context = worker_for(engine, twilio_settings, twilio, clock)
    yield worker
    context.close()
