"""The queue in the supervisors' pages: the dashboard's figures and per-operator table, the
CSV export, a call's queue and timeline, and the wall board's figures."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from callcenter.supervisor.wallboard import board
from ivr.settings import Settings
from models.base import utcnow
from models.user import User
from tests.callcenter.reports.on_the_line import a_morning_on_the_line
from tests.callcenter.supervisor.conftest import ConsoleLogin
from tests.ivr.queue.conftest import PASSWORD, caller_in_queue, operator_leg, queue_post, wait


def _bearer(client: TestClient, user: User) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": user.username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _a_day_of_calls(client: TestClient, operator: User) -> tuple[str, str]:
    headers = _bearer(client, operator)
    client.put("/api/v1/operators/me/state", json={"state": "ready"}, headers=headers)
    answered = caller_in_queue(client, 1)
    gone = caller_in_queue(client, 2, caller="+84912000111")
    wait(answered)
    wait(gone, position=2)
    leg = "CA" + "a" * 32
    operator_leg(client, operator.username, leg)
    queue_post(answered, "/twilio/voice/queue/bridge", DequeingCallSid=leg, QueueTime="8")
    queue_post(answered, "/twilio/voice/queue/done", QueueResult="bridged", QueueTime="8")
    client.post(f"/api/v1/calls/{answered.sid}/wrap-up", json={"code": "status_question", "note": "Hỏi hồ sơ"},
                headers=headers)
    queue_post(gone, "/twilio/voice/queue/done", QueueResult="hangup", QueueTime="40")
    return answered.sid, gone.sid


def test_dashboard_csv_and_call_page_show_the_queue(
    client: TestClient, settings: Settings, operator: User, supervisor: User, console_login: ConsoleLogin,
    db: Session,
) -> None:
    settings.hotline_force = "open"
    answered, _ = _a_day_of_calls(client, operator)
    console_login(supervisor)
    page = client.get("/console/supervisor").text
    assert 'id="queue-offered">2<' in page and 'id="queue-answered">1<' in page
    assert 'id="queue-abandoned">1<' in page and 'id="queue-service-level">50.0%<' in page
    assert "Hỏi tình trạng hồ sơ: 1" in page  # the operator's wrap-up codes
    report = client.get("/console/supervisor/report").text
    assert 'id="queue-offered">2<' in report
    rows = list(csv.reader(io.StringIO(client.get("/console/supervisor/report.csv").text.lstrip("\ufeff"))))
    assert ["Hàng chờ điện thoại viên", "", "Vào hàng chờ", "2"] in rows
    assert ["Hàng chờ điện thoại viên", "", "Bỏ máy khi chờ", "1"] in rows
    assert [operator.full_name, "Cuộc gọi đã nghe", "1"] in [r[1:] for r in rows if r[0] == "Điện thoại viên"]
    call = client.get(f"/console/supervisor/calls/{answered}").text
    assert 'id="call-queue"' in call and operator.username in call and "Hỏi tình trạng hồ sơ" in call
    assert "điện thoại viên nghe máy" in call.lower() and "vào hàng chờ" in call.lower()  # the timeline
    log = client.get("/console/supervisor/calls").text
    assert "Điện thoại viên đã nghe máy" in log and "Bỏ máy khi chờ điện thoại viên" in log
    exported = list(csv.DictReader(io.StringIO(client.get("/console/supervisor/calls.csv").text.lstrip("\ufeff"))))
    by_sid = {r["Mã cuộc gọi"]: r for r in exported}
    assert by_sid[answered]["Điện thoại viên nghe máy"] == operator.username
    assert by_sid[answered]["Chờ trong hàng chờ (giây)"] == "8"


def test_the_wall_board_counts_today_and_who_is_doing_what(
    client: TestClient, settings: Settings, operator: User, supervisor: User, db: Session
) -> None:
    settings.hotline_force = "open"
    _a_day_of_calls(client, operator)
    waiting = caller_in_queue(client, 3, caller="+84912000333")
    wait(waiting, queue_time=12)
    db.rollback()
    figures = board(db, settings=settings, now=utcnow())
    assert figures["waiting"] == 1 and figures["longest_wait_s"] >= 12
    assert figures["today"]["offered"] == 3 and figures["today"]["answered"] == 1
    mine = next(o for o in figures["operators"] if o["username"] == operator.username)
    assert mine["state"] == "ready"  # the wrap-up was filed: ready again
    assert figures["by_state"]["ready"] == 1


def _card(page: str, card_id: str) -> int:
    found = re.search(rf'id="{card_id}">([\d.]+)<', page)
    assert found, card_id
    return int(found.group(1).replace(".", ""))


def test_the_cards_chart_report_and_csv_count_each_call_once(
    client: TestClient, settings: Settings, operator: User, supervisor: User, console_login: ConsoleLogin,
) -> None:
    """Through the real webhooks: the callers put through to the queue stay "Chuyển điện
    thoại viên" after the queue answered, lost or called them back; the caller who hung up
    waiting is shown beside the menus' hang-ups; the cards add up to the calls."""
    a_morning_on_the_line(client, settings, operator)
    console_login(supervisor)
    for path in ("/console/supervisor", "/console/supervisor/report"):
        page = client.get(path).text
        cards = {name: _card(page, f"calls-{name}") for name in (
            "total", "dossiers", "transferred", "callback", "status", "abandoned", "abandoned-in-queue")}
        assert cards == {"total": 8, "dossiers": 1, "transferred": 4, "callback": 1, "status": 1,
                         "abandoned": 1, "abandoned-in-queue": 1}, path
        assert 'id="calls-unknown"' not in page  # every call has ended or is in the queue
        assert sum(cards[k] for k in ("dossiers", "transferred", "callback", "status", "abandoned")) == 8
        assert "1 được nghe máy, 1 bỏ máy khi chờ, 1 chuyển sang gọi lại, 1 đang chờ" in page
        # The day's column: 6 served, 1 hung up in the menus, 1 hung up waiting.
        assert "Bỏ máy trong menu: 1" in page and "Bỏ máy khi chờ điện thoại viên: 1" in page
        assert "Được phục vụ: 6" in page
    rows = list(csv.reader(io.StringIO(client.get("/console/supervisor/report.csv").text.lstrip("\ufeff"))))
    calls = {(r[1], r[2]): int(r[3]) for r in rows if r[0] == "Cuộc gọi"}
    assert calls[("", "Tổng")] == 8 and calls[("", "Chuyển điện thoại viên")] == 4
    assert calls[("", "Bỏ máy trong menu")] == 1 and calls[("", "Xin gọi lại ngoài giờ trực")] == 1
    assert sum(n for (item, name), n in calls.items() if item == "" and name != "Tổng") == 8
    assert {name: n for (item, name), n in calls.items() if item == "Chuyển điện thoại viên"} == {
        "Được nghe máy": 1, "Bỏ máy khi chờ": 1, "Chuyển sang gọi lại": 1, "Đang chờ hoặc chưa rõ": 1}
    assert ["Phễu", "Menu chính", "Gặp điện thoại viên", "4"] in rows
