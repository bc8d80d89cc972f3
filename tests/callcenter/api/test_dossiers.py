"""Reading dossiers: filters, paging, and the full picture of one dossier."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from models.dossier import Dossier, DossierEvent
from models.message import Message
from models.user import User
from models.vessel import Vessel
from tests.callcenter.api.conftest import Login, listed

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
PHONE = "+84905123456"


def _dossier(reference: str, *, at: datetime, **kwargs: object) -> Dossier:
    values: dict[str, object] = {
        "procedure": "fishing_licence", "variant": "new", "channel": "ivr", "status": "draft",
        "vessel_registration": "QNg-90567-TS", "applicant_phone": PHONE, "fields": {},
    }
    values.update(kwargs)
    return Dossier(reference=reference, created_at=at, updated_at=at, **values)


@pytest.fixture
def headers(operator: User, login: Login) -> dict[str, str]:
    return login(operator)


def _references(client: TestClient, headers: dict[str, str], **params: str) -> list[str]:
    return listed(client, "/api/v1/dossiers", "reference", headers, **params)


def test_list_is_newest_first_and_filters_by_status_procedure_and_phone(
    client: TestClient, db: Session, headers: dict[str, str]
) -> None:
    db.add_all([
        _dossier("100001", at=T0),
        _dossier("100002", at=T0 + timedelta(minutes=1), status="submitted"),
        _dossier("100003", at=T0 + timedelta(minutes=2), procedure="vessel_safety_certificate",
                 variant=None),
        _dossier("100004", at=T0 + timedelta(minutes=3), applicant_phone="+84355123456"),
    ])
    db.commit()

    assert _references(client, headers) == ["100004", "100003", "100002", "100001"]
    assert _references(client, headers, status="submitted") == ["100002"]
    assert _references(client, headers, procedure="vessel_safety_certificate") == ["100003"]
    # National form and the old 11-digit form both find the E.164 number.
    assert _references(client, headers, phone="0905 123 456") == ["100003", "100002", "100001"]
    assert _references(client, headers, phone="01655123456") == ["100004"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "finished"}, "status"), ({"procedure": "fishing"}, "procedure"),
     ({"phone": "12345"}, "phone"), ({"limit": "201"}, "limit"), ({"limit": "0"}, "limit"),
     ({"cursor": "not-a-cursor"}, "cursor"), ({"cursor": "MjAyNnxhYmM"}, "cursor")],
)
def test_bad_query_is_422_naming_the_parameter(
    client: TestClient, headers: dict[str, str], params: dict[str, str], field: str
) -> None:
    response = client.get("/api/v1/dossiers", params=params, headers=headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_bad_cursor_message_tells_what_to_do(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/api/v1/dossiers", params={"cursor": "xyz"}, headers=headers)

    assert "next_cursor" in response.json()["detail"][0]["msg"]


def test_paging_walks_every_dossier_once_even_with_equal_timestamps(
    client: TestClient, db: Session, headers: dict[str, str]
) -> None:
    # Seven dossiers, three of them created in the same microsecond: the id breaks ties.
    times = [T0, T0, T0, T0 + timedelta(seconds=1), T0 + timedelta(seconds=2),
             T0 + timedelta(seconds=3), T0 + timedelta(seconds=4)]
    db.add_all([_dossier(str(200000 + i), at=at) for i, at in enumerate(times)])
    db.commit()
    expected = _references(client, headers, limit="200")

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/v1/dossiers", params=params, headers=headers).json()
        seen += [item["reference"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert pages == 4
    assert seen == expected
    assert sorted(seen) == sorted(str(200000 + i) for i in range(7))


def test_detail_has_vessel_applicant_receipt_messages_and_history(
    client: TestClient, db: Session, operator: User, headers: dict[str, str]
) -> None:
    vessel = Vessel(registration_number="QNg-90567-TS", province_symbol="QNg", digits="90567",
                    vessel_name="Thành Đạt 01", owner_name="Lê Văn Tám", owner_phone=PHONE)
    db.add(vessel)
    db.flush()
    dossier = _dossier(
        "472915", at=T0, status="submitted", vessel_id=vessel.id, vessel_verified=True,
        applicant_name="Lê Văn Tám", applicant_id_number="051080001234",
        applicant_address={"line": "Thôn Đông", "commune": "Đặc khu Lý Sơn", "province": "Quảng Ngãi"},
        call_sid="CA0001", claimed_by_id=operator.id, fields={"main_gear": "lưới vây"},
        delivery={"method": "post", "address": "Thôn Đông, Lý Sơn"},
        onestop_code="000.00.53.H48-260302-0001", onestop_due_date=date(2026, 3, 10),
        postal_tracking_number="EB123456785VN", postal_status="in_transit",
    )
    dossier.history = [
        DossierEvent(at=T0, by="ivr", what="Tạo hồ sơ nháp qua tổng đài tự động"),
        DossierEvent(at=T0 + timedelta(hours=1), by="vana", what="Nộp hồ sơ lên hệ thống một cửa"),
    ]
    db.add(dossier)
    db.flush()
    db.add_all([
        Message(direction="out", dossier_id=dossier.id, to_number=PHONE, body="Ma ho so cua ban la 472915",
                status="sent", created_at=T0 + timedelta(minutes=1)),
        Message(direction="in", dossier_id=dossier.id, to_number="+842553818558", from_number=PHONE,
                body="TT 472915", status="received", created_at=T0 + timedelta(minutes=2)),
        Message(direction="out", dossier_id=None, to_number=PHONE, body="not this dossier's",
                created_at=T0 + timedelta(minutes=3)),
    ])
    db.commit()

    response = client.get("/api/v1/dossiers/472915", headers=headers)

    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == "472915"
    assert body["procedure"] == "fishing_licence"
    assert body["variant"] == "new"
    assert body["channel"] == "ivr"
    assert body["status"] == "submitted"
    assert body["vessel"] == {"registration_number": "QNg-90567-TS", "verified": True,
                              "name": "Thành Đạt 01", "owner_name": "Lê Văn Tám"}
    assert body["applicant"] == {
        "name": "Lê Văn Tám", "phone": PHONE, "id_number": "051******234",  # masked: contract section 5
        "address": {"line": "Thôn Đông", "commune": "Đặc khu Lý Sơn", "district": None,
                    "province": "Quảng Ngãi"},
    }
    assert body["call_sid"] == "CA0001"
    assert datetime.fromisoformat(body["created_at"]) == T0
    assert body["onestop"] == {"code": "000.00.53.H48-260302-0001", "due_date": "2026-03-10"}
    assert body["postal"] == {"tracking_number": "EB123456785VN", "status": "in_transit"}
    assert body["fields"] == {"main_gear": "lưới vây"}
    assert body["delivery"] == {"method": "post", "address": "Thôn Đông, Lý Sơn"}
    assert body["claimed_by"] == "vana"
    assert [(m["direction"], m["to"], m["body"], m["status"]) for m in body["messages"]] == [
        ("out", PHONE, "Ma ho so cua ban la 472915", "sent"),
        ("in", "+842553818558", "TT 472915", "received"),
    ]
    assert body["messages"][1]["from"] == PHONE
    assert datetime.fromisoformat(body["messages"][0]["at"]) == T0 + timedelta(minutes=1)
    assert [(h["by"], h["what"]) for h in body["history"]] == [
        ("ivr", "Tạo hồ sơ nháp qua tổng đài tự động"), ("vana", "Nộp hồ sơ lên hệ thống một cửa"),
    ]

    listed = client.get("/api/v1/dossiers", headers=headers).json()["items"][0]
    assert {k: listed[k] for k in ("vessel", "applicant", "call_sid", "claimed_by")} == {
        k: body[k] for k in ("vessel", "applicant", "call_sid", "claimed_by")
    }


def test_unverified_vessel_shows_no_registry_names(
    client: TestClient, db: Session, headers: dict[str, str]
) -> None:
    # A registry row exists but the caller's number was not confirmed against it.
    vessel = Vessel(registration_number="QNg-90999-TS", province_symbol="QNg", digits="90999",
                    vessel_name="Someone else's", owner_name="Người khác")
    db.add(vessel)
    db.flush()
    db.add(_dossier("300001", at=T0, vessel_registration="QNg-90999-TS", vessel_id=vessel.id,
                    vessel_verified=False))
    db.commit()

    body = client.get("/api/v1/dossiers/300001", headers=headers).json()

    assert body["vessel"] == {"registration_number": "QNg-90999-TS", "verified": False,
                              "name": None, "owner_name": None}
    assert body["claimed_by"] is None
    assert body["messages"] == []


def test_unknown_reference_is_404_in_vietnamese(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/api/v1/dossiers/999999", headers=headers)

    assert response.status_code == 404
    assert response.json()["detail"] == "Không tìm thấy hồ sơ số 999999."


def test_list_costs_the_same_queries_for_one_dossier_or_many(
    client: TestClient, db: Session, operator: User, headers: dict[str, str], app: FastAPI
) -> None:
    vessel = Vessel(registration_number="QNg-90567-TS", province_symbol="QNg", digits="90567",
                    owner_name="Lê Văn Tám")
    db.add(vessel)
    db.flush()
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def queries_for_list() -> int:
        statements.clear()
        event.listen(app.state.engine, "before_cursor_execute", count)
        try:
            assert client.get("/api/v1/dossiers", headers=headers).status_code == 200
        finally:
            event.remove(app.state.engine, "before_cursor_execute", count)
        return len(statements)

    db.add(_dossier("400000", at=T0, vessel_id=vessel.id, vessel_verified=True, claimed_by_id=operator.id))
    db.commit()
    one = queries_for_list()
    db.add_all([_dossier(str(400001 + i), at=T0 + timedelta(seconds=i + 1), vessel_id=vessel.id,
                         vessel_verified=True, claimed_by_id=operator.id) for i in range(6)])
    db.commit()

    assert queries_for_list() == one
