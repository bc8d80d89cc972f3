"""The summary and the IVR funnel from a known set of calls, through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ivr.settings import Settings
from models.user import User
from tests.callcenter.reports.builders import known_calls
from tests.callcenter.reports.fixtures import Login
from tests.callcenter.reports.on_the_line import a_morning_on_the_line

PERIOD = {"since": "2026-03-02", "until": "2026-03-02"}


def test_summary_counts_the_period_outcomes(client: TestClient, db: Session, supervisor: User, login: Login) -> None:
    known_calls(db)
    body = client.get("/api/v1/reports/summary", params=PERIOD, headers=login(supervisor)).json()
    assert {k: body[k] for k in ("calls", "dossiers_created", "transferred", "callback_requested", "abandoned")} == {
        "calls": 5, "dossiers_created": 1, "transferred": 1, "callback_requested": 1, "abandoned": 2,
    }
    assert (body["status_read"], body["in_progress"], body["other"]) == (0, 0, 0)


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
    # The third miss went to the operator node outside opening hours: a call-back message,
    # not a person — that caller went on, and was not put through.
    assert figures("vessel_entry") == (2, 2, 0, 0)
    assert figures("confirm") == (1, 1, 0, 0)
    assert figures("status_entry") == (0, 0, 0, 0)
    assert funnel["main"]["title"] == "Menu chính"


def test_whole_history_without_a_period(client: TestClient, db: Session, supervisor: User, login: Login) -> None:
    known_calls(db)
    body = client.get("/api/v1/reports/summary", headers=login(supervisor)).json()
    assert body["calls"] == 6 and body["abandoned"] == 3
    parts = ("dossiers_created", "transferred", "callback_requested", "abandoned", "status_read",
             "in_progress", "other")
    assert sum(body[k] for k in parts) == body["calls"]  # each call counted once, none lost


def test_operators_may_not_read_reports(client: TestClient, operator: User, login: Login) -> None:
    response = client.get("/api/v1/reports/summary", headers=login(operator))
    assert response.status_code == 403
    assert "không có quyền" in response.json()["detail"]


def test_a_bad_date_is_named(client: TestClient, supervisor: User, login: Login) -> None:
    response = client.get("/api/v1/reports/summary", params={"since": "hôm qua"}, headers=login(supervisor))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "since"]


def test_calls_through_the_flow_and_the_queue_add_up(
    client: TestClient, settings: Settings, operator: User, supervisor: User, login: Login
) -> None:
    """Played through the real webhooks: once the queue is done with a call its outcome is
    the queue's (answered, abandoned_in_queue, callback_requested), and it still counts
    as transferred; each call counts once, so the figures add up to the calls."""
    morning = a_morning_on_the_line(client, settings, operator)
    body = client.get("/api/v1/reports/summary", headers=login(supervisor)).json()
    figures = {k: body[k] for k in ("calls", "dossiers_created", "transferred", "callback_requested", "abandoned")}
    assert figures == {
        "calls": 8, "dossiers_created": 1,
        "transferred": 4,  # answered, hung up while waiting, chose a call-back, still waiting
        "callback_requested": 1,  # the message left outside opening hours (the queue's is in transferred)
        "abandoned": 1,  # hung up in the main menu; the caller who hung up waiting is in queue.abandoned
    }
    status_read = 1  # not a field of the contract's summary: the one call none of the five names
    assert sum(v for k, v in figures.items() if k != "calls") + status_read == figures["calls"]
    assert body["queue"]["offered"] == 4 and body["queue"]["abandoned"] == 1
    funnel = {step["menu"]: step for step in body["funnel"]}
    main = funnel["main"]
    # 0 in opening hours: put through (4); 0 outside them: a call-back message, went on;
    # 2 (dossier) and 3 (status) went on; one hung up there.
    assert (main["reached"], main["went_on"], main["abandoned"], main["to_operator"]) == (8, 3, 1, 4)
    assert sum(step["to_operator"] for step in body["funnel"]) == figures["transferred"]
    assert sum(step["abandoned"] for step in body["funnel"]) == figures["abandoned"]
    calls = {c["call_sid"]: c["outcome"] for c in
             client.get("/api/v1/calls", headers=login(supervisor)).json()["items"]}
    assert calls[morning.answered] == "answered" and calls[morning.gave_up_waiting] == "abandoned_in_queue"
