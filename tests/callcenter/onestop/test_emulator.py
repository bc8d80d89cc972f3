"""The emulated one-stop desk as the hotline meets it: codes, due dates, retries, pace."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcenter.onestop.emulator import ManualClock
from callcenter.postal.s10 import is_tracking_number
from models.onestop_emulator import OneStopEmuDossier
from tests.callcenter.onestop.conftest import STEP_SECONDS, application_body

APPLY = "/pa/dossier/--apply-online"
CODE = re.compile(r"^000\.00\.53\.H48-(\d{6})-(\d{4})$")
STEP = timedelta(seconds=STEP_SECONDS)


def apply(emulator: TestClient, key: str, **overrides: Any) -> Any:
    return emulator.post(APPLY, json=application_body(**overrides), headers={"Idempotency-Key": key})


def status_of(emulator: TestClient, code: str) -> dict[str, Any]:
    response = emulator.get("/pa/dossier/--by-code", params={"code": code})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_apply_gives_a_code_of_the_agency_and_day_with_a_due_date_after_tet(emulator: TestClient) -> None:
    response = apply(emulator, "k-1")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["code"] == "000.00.53.H48-270203-0001"
    assert body["dossierStatus"] == {"id": 1, "code": "received", "name": "Đã tiếp nhận"}
    assert body["appliedDate"].startswith("2027-02-03T09:00:00") and body["appliedDate"].endswith("+07:00")
    assert body["acceptedDate"] == body["appliedDate"]
    # 6 working days for a first licence, with Tết 4–10 Feb 2027 skipped.
    assert body["appointmentDate"].startswith("2027-02-18")
    assert body["applicant"]["fullname"] == "Nguyễn Văn Tám"
    assert body["externalCode"] == "472915"


def test_the_sequence_counts_within_a_day_and_restarts_the_next(
    emulator: TestClient, clock: ManualClock
) -> None:
    first = apply(emulator, "k-1").json()["code"]
    second = apply(emulator, "k-2").json()["code"]
    clock.advance(timedelta(days=1))
    next_day = apply(emulator, "k-3").json()["code"]
    assert [CODE.match(c).groups() for c in (first, second, next_day)] == [  # type: ignore[union-attr]
        ("270203", "0001"), ("270203", "0002"), ("270204", "0001"),
    ]


def test_a_retried_apply_returns_the_same_dossier_and_creates_no_second(
    emulator: TestClient, db: Session
) -> None:
    first = apply(emulator, "outbox-17")
    again = apply(emulator, "outbox-17")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["code"] == first.json()["code"]
    assert db.scalar(select(func.count()).select_from(OneStopEmuDossier)) == 1


def test_a_key_reused_for_a_different_application_is_refused(emulator: TestClient, db: Session) -> None:
    apply(emulator, "outbox-17")
    other = apply(emulator, "outbox-17", externalCode="999999")
    assert other.status_code == 422
    assert other.json()["error"] == "idempotency_key_reused"
    assert db.scalar(select(func.count()).select_from(OneStopEmuDossier)) == 1


def test_apply_without_an_idempotency_key_is_refused(emulator: TestClient) -> None:
    response = emulator.post(APPLY, json=application_body())
    assert response.status_code == 400
    assert response.json()["error"] == "idempotency_key_required"


def test_a_wrong_or_missing_token_is_refused(emulator_app: Any) -> None:
    for headers in ({"Authorization": "Bearer not-the-key"}, {}):
        with TestClient(emulator_app, headers=headers) as stranger:
            response = stranger.post(APPLY, json=application_body(), headers={"Idempotency-Key": "k"})
            assert response.status_code == 401
            assert response.headers["WWW-Authenticate"] == "Bearer"
            assert response.json()["error"] == "unauthorized"
            assert stranger.get("/pa/dossier/--by-code", params={"code": "x"}).status_code == 401


def test_an_invalid_application_names_each_bad_field(emulator: TestClient, db: Session) -> None:
    response = apply(
        emulator,
        "k-bad",
        applicant={"fullname": " ", "identityNumber": "123456789", "phoneNumber": "12345"},
        eForm={"data": {}},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_application"
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert set(fields) == {
        "applicant.fullname", "applicant.identityNumber", "applicant.phoneNumber",
        "eForm.data.registrationNumber",
    }
    assert "CMND" in fields["applicant.identityNumber"]  # the old 9-digit card is refused
    assert db.scalar(select(func.count()).select_from(OneStopEmuDossier)) == 0


def test_a_malformed_body_names_the_missing_fields_the_same_way(emulator: TestClient) -> None:
    response = emulator.post(APPLY, json={"applicant": {}}, headers={"Idempotency-Key": "k"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"procedure", "applicant.fullname", "applicant.identityNumber", "resultDelivery"} <= fields


def test_the_dossier_moves_on_by_itself_to_result_ready_then_ships_by_post(
    emulator: TestClient, clock: ManualClock
) -> None:
    code = apply(emulator, "k-1").json()["code"]
    clock.advance(STEP - timedelta(seconds=1))
    assert status_of(emulator, code)["dossierStatus"]["code"] == "received"
    clock.advance(timedelta(seconds=1))
    assert status_of(emulator, code)["dossierStatus"]["code"] == "being_processed"

    clock.advance(STEP)
    ready = status_of(emulator, code)
    assert ready["dossierStatus"] == {"id": 4, "code": "result_ready", "name": "Có kết quả"}
    assert ready["completedDate"] is not None and ready["postal"] is None

    clock.advance(STEP)
    shipped = status_of(emulator, code)
    assert shipped["dossierStatus"]["code"] == "returned"
    assert shipped["postal"]["status"] == "in_transit"
    assert is_tracking_number(shipped["postal"]["trackingNumber"])

    clock.advance(STEP)
    delivered = status_of(emulator, code)
    assert delivered["postal"] == {"trackingNumber": shipped["postal"]["trackingNumber"], "status": "delivered"}


def test_steps_missed_while_nobody_asked_are_dated_when_they_fell_due(
    emulator: TestClient, clock: ManualClock
) -> None:
    code = apply(emulator, "k-1").json()["code"]
    clock.advance(STEP * 10)
    body = status_of(emulator, code)
    assert body["postal"]["status"] == "delivered"
    assert body["completedDate"].startswith("2027-02-03T09:02:00")
    assert body["returnedDate"].startswith("2027-02-03T09:03:00")


def test_a_result_picked_up_at_the_counter_is_returned_without_a_parcel(
    emulator: TestClient, clock: ManualClock
) -> None:
    pickup = {"method": {"label": "Nhận kết quả tại bộ phận một cửa", "value": "pickup"}}
    code = apply(emulator, "k-1", resultDelivery=pickup).json()["code"]
    clock.advance(STEP * 5)
    body = status_of(emulator, code)
    assert body["dossierStatus"]["code"] == "returned" and body["postal"] is None


def test_requested_documents_stop_the_clock_until_the_dossier_is_resumed(
    emulator: TestClient, clock: ManualClock
) -> None:
    code = apply(emulator, "k-1").json()["code"]
    clock.advance(STEP)
    asked = emulator.post(
        f"/_emulator/dossiers/{code}/--status",
        json={"status": "more_documents_requested", "reason": "Thiếu bản sao giấy chứng nhận an toàn kỹ thuật"},
    )
    assert asked.status_code == 200
    clock.advance(STEP * 5)
    waiting = status_of(emulator, code)
    assert waiting["dossierStatus"]["code"] == "more_documents_requested"
    assert waiting["statusComment"] == "Thiếu bản sao giấy chứng nhận an toàn kỹ thuật"

    resumed = emulator.post(f"/_emulator/dossiers/{code}/--status", json={"status": "being_processed"})
    assert resumed.json()["dossierStatus"]["code"] == "being_processed"
    clock.advance(STEP)
    assert status_of(emulator, code)["dossierStatus"]["code"] == "result_ready"


def test_a_refused_dossier_stays_refused(emulator: TestClient, clock: ManualClock) -> None:
    code = apply(emulator, "k-1").json()["code"]
    emulator.post(f"/_emulator/dossiers/{code}/--status", json={"status": "refused", "reason": "Tàu ngoài hạn ngạch"})
    clock.advance(STEP * 5)
    body = status_of(emulator, code)
    assert body["dossierStatus"]["code"] == "refused" and body["statusComment"] == "Tàu ngoài hạn ngạch"
    again = emulator.post(f"/_emulator/dossiers/{code}/--status", json={"status": "being_processed"})
    assert again.status_code == 409


def test_an_unknown_code_is_not_found(emulator: TestClient) -> None:
    response = emulator.get("/pa/dossier/--by-code", params={"code": "000.00.53.H48-270203-9999"})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_search_by_identity_number_finds_the_applicants_dossiers(emulator: TestClient) -> None:
    apply(emulator, "k-1")
    apply(emulator, "k-2")
    other = {**application_body()["applicant"], "identityNumber": "051085004321"}
    apply(emulator, "k-3", applicant=other)
    page = emulator.get("/pa/dossier/search", params={"identityNumber": "051070001234"}).json()
    assert page["totalElements"] == 2
    assert [d["code"][-4:] for d in page["content"]] == ["0002", "0001"]  # newest first
    by_code = emulator.get("/pa/dossier/search", params={"code": page["content"][0]["code"]}).json()
    assert by_code["totalElements"] == 1


def test_the_safety_certificate_is_due_after_the_inspection_and_three_more_days(
    emulator: TestClient,
) -> None:
    body = apply(emulator, "k-1", procedure={"code": "QNG-TS-ATKT"}).json()
    # 1 working day to agree the inspection + 3 after it: 11, 12, 15, 16 Feb 2027.
    assert body["appointmentDate"].startswith("2027-02-16")
    assert body["procedure"]["name"] == "Cấp giấy chứng nhận an toàn kỹ thuật tàu cá"
