"""The summary and the IVR funnel from a known set of calls, through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from models.user import User
from tests.callcenter.reports.builders import known_calls
from tests.callcenter.reports.fixtures import Login

PERIOD = {"since": "2026-03-02", "until": "2026-03-02"}


def test_summary_counts_the_period_outcomes(client: TestClient, db: Session, supervisor: User, login: Login) -> None:
    known_calls(db)
    body = client.get("/api/v1/reports/summary", params=PERIOD, headers=login(supervisor)).json()
    assert {k: body[k] for k in ("calls", "dossiers_created", "transferred", "callback_requested", "abandoned")} == {
        "calls": 5, "dossiers_created": 1, "transferred": 1, "callback_requested": 1, "abandoned": 2,
    }


def test_funnel_shows_where_callers_went_on_gave_up_or_asked_for_a_person(
    client: TestClient, db: Session, supervisor: User, login: Login
) -> None:
    known_calls(db)
    body = client.get("/api/v1/reports/summary", params=PERIOD, headers=login(supervisor)).json()
    funnel = {step["menu"]: step for step in body["funnel"]}
    assert body["funnel"][0]["menu"] == "main"  # menu order, not alphabetical

    def figures(menu: str) -> tuple[int, int, int, int]:
        s = funnel[menu]
        return s["reached"], s["went_on"], s["abandoned"], s["to_operator"]

    assert figures("main") == (5, 3, 1, 1)
    assert figures("licence_variant") == (2, 1, 1, 0)
    assert figures("vessel_entry") == (2, 1, 0, 1)  # the third miss went to the operator node
    assert figures("confirm") == (1, 1, 0, 0)
    assert figures("status_entry") == (0, 0, 0, 0)
    assert funnel["main"]["title"] == "Menu chính"


def test_whole_history_without_a_period(client: TestClient, db: Session, supervisor: User, login: Login) -> None:
    known_calls(db)
    body = client.get("/api/v1/reports/summary", headers=login(supervisor)).json()
    assert body["calls"] == 6 and body["abandoned"] == 3


def test_operators_may_not_read_reports(client: TestClient, operator: User, login: Login) -> None:
    response = client.get("/api/v1/reports/summary", headers=login(operator))
    assert response.status_code == 403
    assert "không có quyền" in response.json()["detail"]


def test_a_bad_date_is_named(client: TestClient, supervisor: User, login: Login) -> None:
    response = client.get("/api/v1/reports/summary", params={"since": "hôm qua"}, headers=login(supervisor))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "since"]
