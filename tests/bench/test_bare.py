"""The bare endpoint the benchmark compares the IVR against: signed like every webhook, only in the bench."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ivr.settings import Settings
from ivr.simulator import Gather, parse_twiml
from tests.bench.bare import create_bench_app
from tests.conftest import twilio_post

PARAMS = {"CallSid": "CA" + "1" * 32, "From": "+84987654321", "To": "+842553818558"}


@pytest.fixture
def bench_client(settings: Settings, db: Session) -> Iterator[TestClient]:
    app = create_bench_app(settings)
    with TestClient(app, base_url="http://testserver") as client:
        yield client


def test_a_signed_request_gets_a_gather_in_vietnamese(bench_client: TestClient) -> None:
    response = twilio_post(bench_client, "/twilio/bench/bare", PARAMS)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    (gather,) = parse_twiml(response.content)
    assert isinstance(gather, Gather) and gather.prompts[0].language == "vi-VN"  # type: ignore[union-attr]


def test_an_unsigned_request_is_refused(bench_client: TestClient) -> None:
    response = bench_client.post("/twilio/bench/bare", data=PARAMS)

    assert response.status_code == 403


def test_the_product_app_does_not_have_it(client: TestClient) -> None:
    response = twilio_post(client, "/twilio/bench/bare", PARAMS)

    assert response.status_code in (404, 405)
