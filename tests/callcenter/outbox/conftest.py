from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from callcenter.outbox.context import OutboxContext
from ivr.settings import Settings
from tests.callcenter.outbox.helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def context(settings: Settings) -> Iterator[OutboxContext]:
    # Handlers here never go out; any request they made would fail the test loudly.
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"unexpected HTTP call {request.url}")

    ctx = OutboxContext(settings=settings, http=httpx.Client(transport=httpx.MockTransport(refuse)))
    yield ctx
    ctx.close()
