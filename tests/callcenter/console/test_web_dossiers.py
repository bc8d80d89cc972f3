"""The console beyond the IVR: any procedure started by an operator, citizens' documents
shown (and audited), a complete smartphone dossier sent in one click."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.attachments.content import PreparedDocument
from callcenter.attachments.service import add_attachment
from callcenter.attachments.storage import FolderStore
from ivr.settings import Settings
from models.audit import AuditEntry
from models.dossier import Dossier
from models.outbox import OutboxEntry
from models.vessel import Vessel
from tests.callcenter.console.conftest import OWNER_ID, MakeDraft, csrf_of

ADDRESS = {"line": "Thôn An Vĩnh", "commune": "Lý Sơn", "district": None, "province": "Quảng Ngãi"}


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    settings.attachments.store_url = str(tmp_path / "attachments")
    return settings


def _web_draft(make_draft: MakeDraft, vessel: Vessel, **values: object) -> Dossier:
    complete: dict[str, object] = {
        "channel": "web", "vessel": vessel, "variant": "new", "applicant_name": "Nguyễn Văn Tàu",
        "applicant_id_number": OWNER_ID, "applicant_address": ADDRESS, "delivery": {"method": "post"},
        "fields": {"main_gear": "lưới vây", "fishing_zone": "khơi", "port": "Cảng cá Lý Sơn"},
    }
    return make_draft(**{**complete, **values})


def test_an_operator_starts_a_promotion_notice_from_the_console(
    operator_client: TestClient, db: Session
) -> None:
    page = operator_client.get("/console/dossiers/new")
    assert "Thông báo hoạt động khuyến mại" in page.text and "Đăng ký thành lập hộ kinh doanh" in page.text
    created = operator_client.post("/console/dossiers/new", data={
        "csrf_token": csrf_of(page.text), "procedure": "promotion_notice", "phone": "0912 345 678",
    }, follow_redirects=False)
    assert created.status_code == 303
    reference = created.headers["location"].rsplit("/", 1)[1]
    dossier = db.scalars(select(Dossier).where(Dossier.reference == reference)).one()
    assert (dossier.channel, dossier.status, dossier.applicant_phone) == ("operator", "in_progress", "+84912345678")
    shown = operator_client.get(created.headers["location"])
    assert "Mã số thuế của thương nhân" in shown.text
    assert "Tàu cá trong sổ đăng ký" not in shown.text  # no vessel in a promotion notice


def test_a_wrong_phone_on_a_new_dossier_is_said_and_nothing_is_made(
    operator_client: TestClient, db: Session
) -> None:
    page = operator_client.get("/console/dossiers/new")
    answer = operator_client.post("/console/dossiers/new", data={
        "csrf_token": csrf_of(page.text), "procedure": "fishing_licence:new", "phone": "12", "vessel": "abc",
    })
    assert answer.status_code == 422
    assert "Số điện thoại không hợp lệ" in answer.text and "Số đăng ký tàu cá không đúng dạng" in answer.text
    assert db.scalars(select(Dossier)).all() == []


def test_documents_are_shown_to_staff_and_each_showing_is_audited(
    operator_client: TestClient, make_draft: MakeDraft, vessel: Vessel, db: Session, settings: Settings
) -> None:
    dossier = _web_draft(make_draft, vessel)
    store = FolderStore(Path(settings.attachments.store_url))
    pdf = b"%PDF-1.4\n%%EOF\n"
    attachment = add_attachment(db, dossier=dossier, name="safety_certificate", store=store, by="web", limit=5,
                                prepared=PreparedDocument(data=pdf, content_type="application/pdf", extension="pdf"))
    db.commit()
    page = operator_client.get(f"/console/dossiers/{dossier.reference}")
    assert "Giấy chứng nhận an toàn kỹ thuật tàu cá" in page.text
    assert "Điện thoại thông minh" in page.text  # the channel
    link = f"/console/dossiers/{dossier.reference}/attachments/{attachment.id}"
    assert link in page.text
    shown = operator_client.get(link)
    assert (shown.status_code, shown.content, shown.headers["content-type"]) == (200, pdf, "application/pdf")
    audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "view_attachment")).one()
    assert (audit.actor, audit.target) == ("vana", f"dossier:{dossier.reference}")


def test_a_complete_web_dossier_of_the_registered_owner_goes_in_one_click(
    operator_client: TestClient, make_draft: MakeDraft, vessel: Vessel, db: Session
) -> None:
    dossier = _web_draft(make_draft, vessel)
    page = operator_client.get(f"/console/dossiers/{dossier.reference}")
    assert 'id="quick-submit-button"' in page.text
    sent = operator_client.post(f"/console/dossiers/{dossier.reference}/quick-submit",
                                data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert sent.headers["location"].endswith("notice=submitted")
    db.expire_all()
    assert db.get(Dossier, dossier.id).status == "submitting"  # type: ignore[union-attr]
    assert db.scalars(select(OutboxEntry).where(OutboxEntry.kind == "onestop.submit")).one()


def test_someone_else_filing_for_the_vessel_cannot_go_in_one_click(
    operator_client: TestClient, make_draft: MakeDraft, vessel: Vessel, db: Session
) -> None:
    dossier = _web_draft(make_draft, vessel, applicant_phone="+84912345678", applicant_id_number="051090004321")
    page = operator_client.get(f"/console/dossiers/{dossier.reference}")
    assert 'id="quick-submit-button"' not in page.text
    assert "không phải chủ tàu" in page.text
    refused = operator_client.post(f"/console/dossiers/{dossier.reference}/quick-submit",
                                   data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert refused.headers["location"].endswith("notice=not_ready")
    db.expire_all()
    assert db.get(Dossier, dossier.id).status == "draft"  # type: ignore[union-attr]
    assert "Chưa gửi ngay được" in page.text
