"""Client and emulator over real HTTP: uvicorn on a loopback port, the client on httpx."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcenter.onestop.application import build_application
from callcenter.onestop.client import HttpOneStopClient, OneStopAuthFailed, OneStopRejected
from callcenter.onestop.emulator import ManualClock
from callcenter.postal.s10 import is_tracking_number
from models.dossier import Dossier
from models.onestop_emulator import OneStopEmuDossier
from tests.callcenter.onestop.conftest import API_KEY, STEP_SECONDS
from tests.live_server import serve

pytestmark = pytest.mark.slow  # live servers, threads and races: seconds, not milliseconds

STEP = timedelta(seconds=STEP_SECONDS)


@pytest.fixture
def emulator_url(emulator_app: FastAPI) -> Iterator[str]:
    with serve(emulator_app) as url:
        yield url


@pytest.fixture
def onestop(emulator_url: str) -> Iterator[HttpOneStopClient]:
    client = HttpOneStopClient(base_url=emulator_url, api_key=API_KEY, timeout=5)
    yield client
    client.close()


def dossier() -> Dossier:
    return Dossier(
        reference="472915", procedure="fishing_licence", variant="new", channel="ivr", status="submitting",
        vessel_registration="QNg-90567-TS", vessel_verified=False,
        applicant_name="Nguyễn Văn Tám", applicant_phone="+84905123456", applicant_id_number="051070001234",
        applicant_address={"line": "Thôn An Hải", "commune": "Đặc khu Lý Sơn", "province": "Quảng Ngãi"},
        fields={}, delivery={"method": "post"},
    )


def test_a_dossier_filed_over_http_comes_back_by_post(
    onestop: HttpOneStopClient, clock: ManualClock, db: Session
) -> None:
    application = build_application(dossier(), None)
    receipt = onestop.apply(application, idempotency_key="outbox-1")
    assert receipt.code == "000.00.53.H48-270203-0001"
    assert receipt.due_date == date(2027, 2, 18)  # six working days, Tết skipped
    assert receipt.status == "submitted"

    # The answer was lost, the worker retries: same dossier, no second one.
    assert onestop.apply(application, idempotency_key="outbox-1").code == receipt.code
    assert db.scalar(select(func.count()).select_from(OneStopEmuDossier)) == 1

    assert onestop.get(receipt.code).status == "submitted"
    clock.advance(STEP)
    assert onestop.get(receipt.code).status == "processing"
    clock.advance(STEP)
    ready = onestop.get(receipt.code)
    assert (ready.status, ready.onestop_status_name, ready.tracking_number) == ("result_ready", "Có kết quả", None)
    clock.advance(STEP)
    shipped = onestop.get(receipt.code)
    assert shipped.status == "in_transit"
    assert shipped.tracking_number is not None and is_tracking_number(shipped.tracking_number)
    clock.advance(STEP)
    delivered = onestop.get(receipt.code)
    assert (delivered.status, delivered.tracking_number) == ("delivered", shipped.tracking_number)


def test_a_wrong_token_over_http_is_refused_and_files_nothing(emulator_url: str, db: Session) -> None:
    stranger = HttpOneStopClient(base_url=emulator_url, api_key="guessed", timeout=5)
    with pytest.raises(OneStopAuthFailed):
        stranger.apply(build_application(dossier(), None), idempotency_key="outbox-1")
    stranger.close()
    assert db.scalar(select(func.count()).select_from(OneStopEmuDossier)) == 0


def test_an_application_the_desk_refuses_fails_for_good(onestop: HttpOneStopClient) -> None:
    bad = dossier()
    bad.applicant_id_number = "999070001234"  # no such province code
    with pytest.raises(OneStopRejected) as caught:
        onestop.apply(build_application(bad, None), idempotency_key="outbox-2")
    assert [field for field, _ in caught.value.errors] == ["applicant.identityNumber"]


def test_simultaneous_retries_from_several_workers_make_one_dossier(
    onestop: HttpOneStopClient, db: Session
) -> None:
    application = build_application(dossier(), None)
    codes: list[str] = []
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            codes.append(onestop.apply(application, idempotency_key="outbox-9").code)
        except BaseException as exc:  # collected, asserted below
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert len(codes) == 6 and len(set(codes)) == 1
    assert db.scalar(select(func.count()).select_from(OneStopEmuDossier)) == 1


def test_simultaneous_applications_each_get_their_own_sequence_number(onestop: HttpOneStopClient) -> None:
    application = build_application(dossier(), None)
    codes: list[str] = []
    failures: list[BaseException] = []

    def worker(key: str) -> None:
        try:
            codes.append(onestop.apply(application, idempotency_key=key).code)
        except BaseException as exc:  # collected, asserted below
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(f"outbox-{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert sorted(code[-4:] for code in codes) == ["0001", "0002", "0003", "0004", "0005", "0006"]
