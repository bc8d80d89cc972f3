"""The call log: list, CSV export, one call's path through the menus, who may read it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from models.call import Call, CallEvent
from models.dossier import Dossier
from models.user import User
from tests.callcenter.api.conftest import Login, MakeUser, listed

# 08:00 in Quảng Ngãi on 2 March 2026.
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
FISHER = "+84905123456"
HOTLINE = "+842553818558"


def _call(sid: str, *, at: datetime, **kwargs: object) -> Call:
    values: dict[str, object] = {
        "from_number": FISHER, "to_number": HOTLINE, "flow_version": "2026.1", "state": {},
        "ended_at": at + timedelta(seconds=95), "duration_s": 95, "outcome": "dossier_created",
    }
    values.update(kwargs)
    return Call(call_sid=sid, started_at=at, **values)


@pytest.fixture
def supervisor_headers(supervisor: User, login: Login) -> dict[str, str]:
    return login(supervisor)


def _sids(client: TestClient, headers: dict[str, str], **params: str) -> list[str]:
    return listed(client, "/api/v1/calls", "call_sid", headers, **params)


def test_list_newest_first_with_filters(
    client: TestClient, db: Session, supervisor_headers: dict[str, str]
) -> None:
    db.add_all([
        _call("CA1", at=T0),
        _call("CA2", at=T0 + timedelta(days=1), outcome="abandoned", abandoned_menu="vessel_entry",
              ended_at=None, duration_s=None),
        _call("CA3", at=T0 + timedelta(days=2), from_number="+84355123456", outcome="transferred"),
    ])
    db.commit()

    assert _sids(client, supervisor_headers) == ["CA3", "CA2", "CA1"]
    assert _sids(client, supervisor_headers, outcome="abandoned") == ["CA2"]
    assert _sids(client, supervisor_headers, phone="0905123456") == ["CA2", "CA1"]
    # Dates are the centre's days, `until` included: 3 March local is CA2 only.
    assert _sids(client, supervisor_headers, since="2026-03-03", until="2026-03-03") == ["CA2"]
    assert _sids(client, supervisor_headers, since="2026-03-03T08:00:00+07:00") == ["CA3", "CA2"]
    assert _sids(client, supervisor_headers, until="2026-03-03T01:00:00Z") == ["CA1"]
    # Typed into a browser without encoding, `+07:00` arrives as ` 07:00`.
    typed = client.get("/api/v1/calls?since=2026-03-03T08:00:00+07:00", headers=supervisor_headers)
    assert [c["call_sid"] for c in typed.json()["items"]] == ["CA3", "CA2"]

    row = client.get("/api/v1/calls", params={"outcome": "abandoned"}, headers=supervisor_headers).json()
    assert row["items"][0] == {
        "call_sid": "CA2", "from": FISHER, "to": HOTLINE, "started_at": "2026-03-03T01:00:00Z",
        "ended_at": None, "duration_s": None, "outcome": "abandoned", "abandoned_menu": "vessel_entry",
        "dossier_reference": None, "applicant_name": None,
    }
    assert row["next_cursor"] is None


def test_list_pages_with_a_cursor(
    client: TestClient, db: Session, supervisor_headers: dict[str, str]
) -> None:
    db.add_all([_call(f"CA{i}", at=T0 + timedelta(minutes=i)) for i in range(5)])
    db.commit()

    first = client.get("/api/v1/calls", params={"limit": 3}, headers=supervisor_headers).json()
    second = client.get("/api/v1/calls", params={"limit": 3, "cursor": first["next_cursor"]},
                        headers=supervisor_headers).json()

    assert [c["call_sid"] for c in first["items"]] == ["CA4", "CA3", "CA2"]
    assert [c["call_sid"] for c in second["items"]] == ["CA1", "CA0"]
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    "params", [{"since": "hôm qua"}, {"until": "2026-13-01"}, {"phone": "abc"}, {"format": "xlsx"}]
)
def test_bad_filters_are_422(
    client: TestClient, supervisor_headers: dict[str, str], params: dict[str, str]
) -> None:
    assert client.get("/api/v1/calls", params=params, headers=supervisor_headers).status_code == 422


def test_csv_has_bom_and_keeps_vietnamese_names(
    client: TestClient, db: Session, supervisor_headers: dict[str, str]
) -> None:
    db.add_all([
        _call("CA1", at=T0, dossier_reference="472915"),
        _call("CA2", at=T0 + timedelta(minutes=5), outcome="abandoned", abandoned_menu="main"),
        Dossier(reference="472915", procedure="fishing_licence", channel="ivr", call_sid="CA1",
                applicant_name="Nguyễn Thị Hường", applicant_phone=FISHER, fields={}),
    ])
    db.commit()

    response = client.get("/api/v1/calls", params={"format": "csv"}, headers=supervisor_headers)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["call_sid"] for r in rows] == ["CA2", "CA1"]
    assert rows[1]["applicant_name"] == "Nguyễn Thị Hường"
    assert rows[1]["from"] == FISHER
    assert rows[1]["dossier_reference"] == "472915"
    assert rows[0]["abandoned_menu"] == "main"
    assert rows[0]["started_at"] == "2026-03-02T01:05:00Z"


def test_csv_exports_the_whole_period_not_one_page(
    client: TestClient, db: Session, supervisor_headers: dict[str, str]
) -> None:
    db.add_all([_call(f"CA{i:03d}", at=T0 + timedelta(minutes=i)) for i in range(60)])
    db.commit()

    response = client.get("/api/v1/calls", params={"format": "csv"}, headers=supervisor_headers)

    assert len(response.content.decode("utf-8-sig").strip().splitlines()) == 1 + 60


def test_csv_neutralises_a_name_that_would_run_as_a_formula(
    client: TestClient, db: Session, supervisor_headers: dict[str, str]
) -> None:
    db.add_all([
        _call("CA1", at=T0, dossier_reference="472915"),
        Dossier(reference="472915", procedure="fishing_licence", channel="ivr",
                applicant_name='=HYPERLINK("http://evil")', fields={}),
    ])
    db.commit()

    text = client.get("/api/v1/calls", params={"format": "csv"}, headers=supervisor_headers).text
    row = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))

    assert row["applicant_name"] == "'=HYPERLINK(\"http://evil\")"
    assert row["from"] == FISHER  # a phone number is left as it is


def test_detail_lists_events_in_order_with_consent(
    client: TestClient, db: Session, supervisor_headers: dict[str, str]
) -> None:
    call = _call("CA1", at=T0, dossier_reference="472915", consent_notice_version="2026-01",
                 consent_at=T0 + timedelta(seconds=20))
    call.events = [
        CallEvent(at=T0, kind="menu", menu="greeting", prompt="greeting"),
        CallEvent(at=T0 + timedelta(seconds=20), kind="consent", menu="greeting", key="1",
                  detail={"notice_version": "2026-01"}),
        CallEvent(at=T0 + timedelta(seconds=40), kind="key", menu="vessel_entry", key="90567#",
                  detail={"owner_name": "Lê Văn Tám"}),
        # Same second as the previous one: order comes from the id, not the clock.
        CallEvent(at=T0 + timedelta(seconds=40), kind="dossier", detail={"reference": "472915"}),
    ]
    db.add(call)
    db.commit()

    response = client.get("/api/v1/calls/CA1", headers=supervisor_headers)

    assert response.status_code == 200
    body = response.json()
    assert body["from"] == FISHER
    assert body["to"] == HOTLINE
    assert body["duration_s"] == 95
    assert body["outcome"] == "dossier_created"
    assert body["dossier_reference"] == "472915"
    assert body["flow_version"] == "2026.1"
    assert body["consent"] == {"notice_version": "2026-01", "at": "2026-03-02T01:00:20Z"}
    assert [(e["kind"], e["menu"], e["key"]) for e in body["events"]] == [
        ("menu", "greeting", None), ("consent", "greeting", "1"),
        ("key", "vessel_entry", "90567#"), ("dossier", None, None),
    ]
    assert body["events"][2]["detail"] == {"owner_name": "Lê Văn Tám"}
    assert body["events"][0]["prompt"] == "greeting"

    missing = client.get("/api/v1/calls/CA404", headers=supervisor_headers)
    assert missing.status_code == 404
    assert "Không tìm thấy" in missing.json()["detail"]


def test_operator_reads_the_call_behind_their_own_dossier_only(
    client: TestClient, db: Session, operator: User, make_user: MakeUser, login: Login
) -> None:
    other = make_user("vanc", "operator")
    db.add_all([
        _call("CA-MINE", at=T0, dossier_reference="100001"),
        _call("CA-THEIRS", at=T0, dossier_reference="100002"),
        _call("CA-NOBODY", at=T0, outcome="transferred"),
        Dossier(reference="100001", procedure="fishing_licence", channel="ivr", call_sid="CA-MINE",
                claimed_by_id=operator.id, fields={}),
        Dossier(reference="100002", procedure="fishing_licence", channel="ivr", call_sid="CA-THEIRS",
                claimed_by_id=other.id, fields={}),
    ])
    db.commit()
    headers = login(operator)

    assert client.get("/api/v1/calls/CA-MINE", headers=headers).status_code == 200
    assert client.get("/api/v1/calls/CA-THEIRS", headers=headers).status_code == 403
    assert client.get("/api/v1/calls/CA-NOBODY", headers=headers).status_code == 403
    assert client.get("/api/v1/calls/CA-THEIRS", headers=login(other)).status_code == 200
