"""Plain HTTP: the dossier page shows what is known, keeps what was typed, and guards the ID number."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from html.parser import HTMLParser

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import AuditEntry
from models.base import utcnow
from models.call import Call, CallEvent
from models.dossier import Dossier
from models.user import User
from models.vessel import Vessel
from tests.callcenter.console.conftest import BASE, CALLER, OWNER_ID, MakeDraft, MakeUser, csrf_of, log_in


def _value(html: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


class _FormReader(HTMLParser):
    """What a browser would send: text inputs, the selected option, the checked radio."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if not re.match(r"(applicant|fields|delivery)\.", name) and tag != "option":
            return
        if tag == "input" and (a.get("type") != "radio" or "checked" in a):
            self.data[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            self.data[name] = ""
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _form(html: str, **changes: str) -> dict[str, str]:
    reader = _FormReader()
    reader.feed(html)
    return {"csrf_token": csrf_of(html), **reader.data, **changes}


def claimed_page(client: TestClient, reference: str) -> str:
    """The dossier page after taking the dossier with its claim button, as an operator does."""
    page = client.get(f"/console/dossiers/{reference}").text
    assert 'id="claim"' in page and 'id="dossier-form"' not in page  # unclaimed: a button, no form
    return client.post(f"/console/dossiers/{reference}/claim",
                       data={"csrf_token": csrf_of(page), "back": "dossier"}).text


def test_the_page_shows_the_call_the_registry_and_prefills_the_form(
    operator_client: TestClient, make_draft: MakeDraft, vessel: Vessel, db: Session
) -> None:
    at = utcnow() - timedelta(minutes=5)
    call = Call(call_sid="CA" + "1" * 32, from_number=CALLER, flow_version="2026-11-23.1", started_at=at)
    call.events = [CallEvent(kind="menu", menu="main", at=at), CallEvent(kind="key", menu="main", key="1", at=at)]
    db.add(call)
    draft = make_draft(vessel=vessel, call_sid=call.call_sid)

    html = claimed_page(operator_client, draft.reference)
    assert "Cấp, cấp lại Giấy phép khai thác thủy sản" in html and "Cấp mới" in html
    assert "Đã xác minh" in html and "16,5 m" in html and "Lý Sơn" in html
    # The call's path in words, not the flow's node names.
    assert "Chọn: Cấp, cấp lại giấy phép khai thác thủy sản (phím 1)" in html
    # Known values are pre-filled: the caller's number in national form, the registry's owner.
    assert _value(html, "applicant.phone") == "0905 123 456"
    assert _value(html, "applicant.name") == "Nguyễn Văn Tàu"
    assert 'value="lưới vây" selected' in html  # main gear from the registry
    assert 'value="khơi" selected' in html  # 16.5 m: offshore
    # The ID number is masked until asked for.
    assert OWNER_ID not in html and "051******234" in html


def test_showing_the_id_number_is_audited(
    operator_client: TestClient, make_draft: MakeDraft, vessel: Vessel, db: Session
) -> None:
    draft = make_draft(vessel=vessel)
    page = claimed_page(operator_client, draft.reference)
    shown = operator_client.post(f"/console/dossiers/{draft.reference}/id-number",
                                 data={"csrf_token": csrf_of(page)})
    assert OWNER_ID in shown.text
    views = db.scalars(select(AuditEntry).where(AuditEntry.action == "view_id_number")).all()
    assert [(v.actor, v.target) for v in views] == [("vana", f"dossier:{draft.reference}")]


def test_a_bad_citizen_id_is_shown_beside_the_field_and_nothing_typed_is_lost(
    operator_client: TestClient, make_draft: MakeDraft, db: Session
) -> None:
    draft = make_draft()  # unverified vessel: nothing pre-filled from a registry
    page = claimed_page(operator_client, draft.reference)
    response = operator_client.post(f"/console/dossiers/{draft.reference}", data=_form(
        page, **{"applicant.name": "Trần Văn Mới", "applicant.id_number": "12345", "fields.port": "Sa Kỳ"},
    ))
    assert response.status_code == 422
    html = response.text
    error = re.search(r'id="f-applicant-id_number-error">([^<]+)<', html)
    assert error and "12 chữ số" in error.group(1)
    assert _value(html, "applicant.name") == "Trần Văn Mới"
    assert _value(html, "applicant.id_number") == "12345"
    assert _value(html, "fields.port") == "Sa Kỳ"
    db.refresh(draft)
    assert draft.applicant_name is None


def test_save_then_submit_with_the_confirmation(
    operator_client: TestClient, make_draft: MakeDraft, vessel: Vessel, db: Session
) -> None:
    draft = make_draft(vessel=vessel)
    page = claimed_page(operator_client, draft.reference)
    saved = operator_client.post(f"/console/dossiers/{draft.reference}",
                                 data=_form(page, **{"fields.port": "Sa Kỳ", "action": "save"}))
    assert "Đã lưu hồ sơ." in saved.text
    stored = db.scalar(select(Dossier).where(Dossier.id == draft.id))
    assert stored is not None
    db.refresh(stored)
    # The registry's owner ID number was taken over without anyone typing it.
    assert stored.applicant_id_number == OWNER_ID and stored.fields["port"] == "Sa Kỳ"

    submitted = operator_client.post(f"/console/dossiers/{draft.reference}",
                                     data=_form(saved.text, action="submit"))
    assert "Đã gửi hồ sơ tới hệ thống một cửa" in submitted.text
    db.refresh(stored)
    assert stored.status == "submitting"


def test_submitting_an_incomplete_dossier_keeps_the_save_and_names_what_is_missing(
    operator_client: TestClient, make_draft: MakeDraft, vessel: Vessel, db: Session
) -> None:
    draft = make_draft(vessel=vessel)
    page = claimed_page(operator_client, draft.reference)
    response = operator_client.post(f"/console/dossiers/{draft.reference}",
                                    data=_form(page, **{"applicant.name": "Lê Thị Nộp", "action": "submit"}))
    assert response.status_code == 422
    assert re.search(r'id="f-fields-port-error">[^<]*Cảng cá', response.text)
    db.refresh(draft)
    assert draft.applicant_name == "Lê Thị Nộp" and draft.status != "submitting"


def test_an_unknown_dossier_is_a_vietnamese_404(operator_client: TestClient) -> None:
    response = operator_client.get("/console/dossiers/999999")
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ" in response.text


def test_once_received_the_one_stop_code_and_due_date_lead_the_page(
    operator_client: TestClient, make_draft: MakeDraft, vessel: Vessel, db: Session
) -> None:
    vessel.licence_expiry = (utcnow() - timedelta(days=3)).date()
    draft = make_draft(vessel=vessel, status="submitted", onestop_code="000.00.53.H48-261204-0007",
                       onestop_due_date=(utcnow() + timedelta(days=6)).date())
    db.commit()
    html = operator_client.get(f"/console/dossiers/{draft.reference}?notice=submitted").text
    onestop = html.index('id="onestop"')
    assert onestop < html.index('id="dossier-facts"')  # above what the IVR gathered
    assert "000.00.53.H48-261204-0007" in html
    assert (utcnow() + timedelta(days=6)).date().strftime("%d/%m/%Y") in html[onestop:]
    assert "sẽ được nhắn tin" not in html  # the "will be texted when received" banner is gone
    assert "hệ thống một cửa đã tiếp nhận" in html
    assert 'id="licence-flag"' in html and "đã hết hạn" in html
    assert 'id="dossier-form"' not in html and 'id="claim"' not in html  # sent: read only


def _views(db: Session) -> list[tuple[str, str]]:
    db.expire_all()
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "view_id_number")
                         .order_by(AuditEntry.id)).all()
    return [(v.actor, v.target) for v in entries]


@contextmanager
def _logged_in(app: FastAPI, user: User) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE) as client:
        log_in(client, user.username)
        yield client


def test_an_admin_and_an_operator_not_holding_it_are_refused_the_id_number_and_nothing_is_audited(
    app: FastAPI, operator: User, make_user: MakeUser, make_draft: MakeDraft, vessel: Vessel, db: Session
) -> None:
    held = make_draft(vessel=vessel, claimed_by_id=operator.id, claimed_at=utcnow())
    with _logged_in(app, make_user("vanc", "operator")) as other, \
            _logged_in(app, make_user("quantri", "admin")) as admin:
        _assert_refused(held.reference, other, admin, make_draft(vessel=vessel).reference)
    assert _views(db) == []


def _assert_refused(held: str, other: TestClient, admin: TestClient, unclaimed: str) -> None:
    for client in (other, admin):
        page = client.get(f"/console/dossiers/{held}").text
        # Masked, and no button that would only lead to a refusal.
        assert "051******234" in page and OWNER_ID not in page and 'id="reveal-id"' not in page
        refused = client.post(f"/console/dossiers/{held}/id-number", data={"csrf_token": csrf_of(page)})
        assert refused.status_code == 403
        assert "text/html" in refused.headers["content-type"]
        assert "đang giữ hồ sơ này hoặc giám sát viên" in refused.text and OWNER_ID not in refused.text
    # An admin who claims a dossier holds it, but still does not read citizens' ID numbers.
    claimed = claimed_page(admin, unclaimed)
    assert 'id="dossier-form"' in claimed and 'id="reveal-id"' not in claimed and OWNER_ID not in claimed
    refused = admin.post(f"/console/dossiers/{unclaimed}/id-number", data={"csrf_token": csrf_of(claimed)})
    assert refused.status_code == 403 and OWNER_ID not in refused.text


def test_the_holder_and_a_supervisor_see_the_id_number_and_each_view_is_audited(
    app: FastAPI, operator_client: TestClient, make_user: MakeUser, make_draft: MakeDraft, vessel: Vessel,
    db: Session,
) -> None:
    draft = make_draft(vessel=vessel)
    page = claimed_page(operator_client, draft.reference)
    assert 'id="reveal-id"' in page
    shown = operator_client.post(f"/console/dossiers/{draft.reference}/id-number", data={"csrf_token": csrf_of(page)})
    assert shown.status_code == 200 and OWNER_ID in shown.text

    with _logged_in(app, make_user("thib", "supervisor")) as supervisor:
        page = supervisor.get(f"/console/dossiers/{draft.reference}").text
        # Not the holder: the read-only view, with the masked number and the button.
        assert 'id="dossier-form"' not in page and OWNER_ID not in page and 'id="reveal-id"' in page
        shown = supervisor.post(f"/console/dossiers/{draft.reference}/id-number",
                                data={"csrf_token": csrf_of(page)})
    assert shown.status_code == 200
    assert re.search(rf'id="revealed-id">{OWNER_ID}<', shown.text)
    assert _views(db) == [("vana", f"dossier:{draft.reference}"), ("thib", f"dossier:{draft.reference}")]
