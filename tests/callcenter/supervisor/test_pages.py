"""Supervisor pages: who may see them, the call log's filters and pages, CSV, timeline, dashboard."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import AuditEntry
from models.user import User
from tests.callcenter.reports.builders import T0, known_calls, make_call, make_dossier
from tests.callcenter.supervisor.conftest import ConsoleLogin

PAGES = ("/console/supervisor", "/console/supervisor/calls", "/console/supervisor/impact",
         "/console/supervisor/report", "/console/supervisor/calls.csv", "/console/supervisor/report.csv")


def test_operators_are_refused_and_strangers_sent_to_login(
    client: TestClient, operator: User, console_login: ConsoleLogin
) -> None:
    for path in PAGES:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/console/login"), path
    console_login(operator)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "không có quyền" in response.text


def test_call_log_filters_and_pages_without_gaps(
    client: TestClient, db: Session, supervisor: User, console_login: ConsoleLogin
) -> None:
    for i in range(60):
        make_call(db, f"CA-many-{i:02d}", path=[("main", None)], outcome="abandoned", abandoned_menu="main",
                  started_at=T0 + timedelta(minutes=i), from_number="+84911000111")
    known_calls(db)
    console_login(supervisor)
    first = client.get("/console/supervisor/calls", params={"phone": "0911000111"})
    assert first.status_code == 200
    sids = _sids(first.text)
    assert len(sids) == 50 and sids[0] == "CA-many-59"
    next_url = _next_url(first.text)
    second = client.get(next_url)
    sids += _sids(second.text)
    assert sids == [f"CA-many-{i:02d}" for i in range(59, -1, -1)]
    assert _next_url(second.text) is None
    oldest = client.get("/console/supervisor/calls", params={"phone": "0911000111", "sort": "oldest"})
    assert _sids(oldest.text)[0] == "CA-many-00"
    transferred = client.get("/console/supervisor/calls", params={"outcome": "transferred"})
    assert _sids(transferred.text) == ["CA-operator"]
    march_first = client.get("/console/supervisor/calls", params={"since": "2026-03-01", "until": "2026-03-01"})
    assert _sids(march_first.text) == ["CA-yesterday"]


def test_call_log_by_operator_and_procedure(
    client: TestClient, db: Session, supervisor: User, operator: User, console_login: ConsoleLogin
) -> None:
    known_calls(db)
    make_dossier(db, "472915", handled_by_id=operator.id, handled_at=T0, applicant_name="Trần Văn Bảy",
                 status="submitted")
    db.commit()
    console_login(supervisor)
    mine = client.get("/console/supervisor/calls", params={"operator": "vana", "procedure": "fishing_licence"})
    assert _sids(mine.text) == ["CA-dossier"]
    assert "Trần Văn Bảy" in mine.text
    none = client.get("/console/supervisor/calls", params={"procedure": "vessel_safety_certificate"})
    assert _sids(none.text) == []


def test_csv_export_round_trips_vietnamese_and_is_audited(
    client: TestClient, db: Session, supervisor: User, console_login: ConsoleLogin
) -> None:
    known_calls(db)
    make_dossier(db, "472915", applicant_name="Nguyễn Thị Hồng Nhung")
    db.commit()
    console_login(supervisor)
    response = client.get("/console/supervisor/calls.csv", params={"since": "2026-03-02", "until": "2026-03-02"})
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 5
    [dossier_row] = [r for r in rows if r["Mã cuộc gọi"] == "CA-dossier"]
    assert dossier_row["Người nộp"] == "Nguyễn Thị Hồng Nhung" and dossier_row["Kết quả"] == "Tạo hồ sơ"
    audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert audit.actor == "thib" and audit.detail is not None and audit.detail["rows"] == 5


def test_a_calls_timeline_recording_and_dossier(
    client: TestClient, db: Session, supervisor: User, console_login: ConsoleLogin
) -> None:
    known_calls(db)
    make_dossier(db, "472915", applicant_name="Lê Văn Sáu")
    make_call(db, "CA-recorded", path=[("main", "0"), ("operator", None)], outcome="callback_requested",
              recording_url="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1")
    db.commit()
    console_login(supervisor)
    page = client.get("/console/supervisor/calls/CA-dossier").text
    assert "Hồ sơ 472915" in page and "Lê Văn Sáu" in page
    # The timeline in words, in order, never the flow's node names.
    timeline = page[page.index('id="timeline"'):]
    assert (timeline.index("Chọn: Cấp mới (phím 1)") < timeline.index("Bấm số tàu: 90567")
            < timeline.index("Chọn: Gửi yêu cầu (phím 1)") < timeline.index("Kết thúc: Tạo hồ sơ"))
    for name in ("licence_variant", "vessel_entry", "_prompt", "{"):
        assert name not in timeline
    assert "<audio" not in page
    recorded = client.get("/console/supervisor/calls/CA-recorded").text
    assert '<audio controls preload="none" src="https://api.twilio.com/' in recorded
    assert client.get("/console/supervisor/calls/CA-none").status_code == 404


def test_dashboard_and_report_show_the_figures_and_charts(
    client: TestClient, db: Session, supervisor: User, console_login: ConsoleLogin
) -> None:
    known_calls(db)
    console_login(supervisor)
    page = client.get("/console/supervisor", params={"since": "2026-03-02", "until": "2026-03-02"})
    assert page.status_code == 200
    assert 'id="calls-total">5<' in page.text and 'id="calls-abandoned">2<' in page.text
    assert page.text.count("<svg") == 5
    assert "Hồ sơ theo thủ tục và giai đoạn" in page.text
    assert "Phễu tổng đài tự động" in page.text and "Menu chính" in page.text
    report = client.get("/console/supervisor/report", params={"since": "2026-03-02", "until": "2026-03-02"})
    assert "02/03/2026" in report.text and "/console/static/report.css" in report.text
    assert "@page { size: A4" in client.get("/console/static/report.css").text
    csv_text = client.get("/console/supervisor/report.csv",
                          params={"since": "2026-03-02", "until": "2026-03-02"}).content.decode("utf-8-sig")
    assert "Phễu,Menu chính,Đến bước,5" in csv_text
    bad = client.get("/console/supervisor", params={"since": "hôm qua"})
    assert bad.status_code == 422 and "Ngày không hợp lệ" in bad.text


def test_admins_see_the_impact_page(client: TestClient, db: Session, admin: User, console_login: ConsoleLogin) -> None:
    make_dossier(db, "800001", status="submitted", submitted_at=T0,
                 applicant_address={"commune": "Lý Sơn", "province": "Quảng Ngãi"})
    db.commit()
    console_login(admin)
    page = client.get("/console/supervisor/impact")
    assert page.status_code == 200
    assert 'id="saved-total">2.400.000 đ<' in page.text  # 2 trips × 1.200.000 đ from Lý Sơn
    assert "03/2026" in page.text


def _sids(html: str) -> list[str]:
    import re

    return re.findall(r'href="/console/supervisor/calls/([^"]+)"', html)


def _next_url(html: str) -> str | None:
    import re

    found = re.search(r'<a href="([^"]+)" id="next-page">', html)
    return found.group(1).replace("&amp;", "&") if found else None
