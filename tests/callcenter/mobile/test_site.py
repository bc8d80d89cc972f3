"""The mobile site without JavaScript, as a basic phone's browser uses it: plain forms."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.outbox.worker import OutboxWorker
from models.attachment import Attachment
from models.dossier import Dossier
from models.vessel import Vessel
from tests.callcenter.notify.conftest import FakeTwilio
from tests.callcenter.public.conftest import OTHER_PHONE, OWNER_PHONE, photo_with_gps, texted_code

OWNER_ID = "051085001234"  # the registry's owner of QNg-90567-TS


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def sign_in(client: TestClient, worker: OutboxWorker, twilio: FakeTwilio, phone: str, next_path: str) -> str:
    page = client.get(f"/m/dang-nhap?tiep={next_path}")
    code_page = client.post("/m/dang-nhap", data={"csrf_token": csrf(page.text), "phone": phone, "next": next_path})
    assert code_page.status_code == 200 and "Nhập mã xác thực" in code_page.text
    worker.drain()
    done = client.post("/m/xac-thuc", data={
        "csrf_token": csrf(code_page.text), "phone": phone, "next": next_path, "code": texted_code(twilio, phone),
    }, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == next_path
    return client.get(next_path).text


def test_the_registered_owner_files_a_licence_with_the_registry_filling_in(
    client: TestClient, worker: OutboxWorker, twilio: FakeTwilio, vessel: Vessel, db: Session
) -> None:
    home = client.get("/m")
    assert "Tàu cá" in home.text and "Hộ kinh doanh" in home.text and "Doanh nghiệp" in home.text
    assert client.get("/m/thu-tuc/fishing_licence?variant=new", follow_redirects=False).status_code == 303
    form = sign_in(client, worker, twilio, OWNER_PHONE, "/m/thu-tuc/fishing_licence?variant=new")
    assert 'value="QNg-90567-TS"' in form and 'value="Nguyễn Văn Tàu"' in form  # from the registry
    # The owner's citizen ID is never written into a page: shown masked, filled in by the server.
    assert OWNER_ID not in form and "051******234" in form
    assert 'name="applicant.id_number" value=""' in form
    assert 'value="lưới vây" selected' in form and 'value="khơi" selected' in form
    values = dict(re.findall(r'name="([a-z_.]+)" value="([^"]*)"', form))
    values.update({"fields.port": "Cảng cá Lý Sơn", "delivery.method": "post", "action": "review",
                   "csrf_token": csrf(form), "fields.main_gear": "lưới vây", "fields.fishing_zone": "khơi"})
    review = client.post("/m/thu-tuc/fishing_licence", data=values)
    assert review.status_code == 200 and "Xem lại hồ sơ" in review.text
    assert OWNER_ID not in review.text and "051******234 (theo sổ đăng ký tàu cá)" in review.text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', review.text))
    sent = client.post("/m/thu-tuc/fishing_licence", data={**hidden, "action": "send"}, follow_redirects=False)
    assert sent.status_code == 303
    page = client.get(sent.headers["location"])
    reference = re.search(r'id="reference">(\d{6})<', page.text).group(1)  # type: ignore[union-attr]
    dossier = db.scalars(select(Dossier).where(Dossier.reference == reference)).one()
    assert (dossier.channel, dossier.applicant_phone, dossier.vessel_verified) == ("web", OWNER_PHONE, True)
    assert dossier.applicant_id_number == OWNER_ID
    photo = client.post(f"/m/ho-so/{reference}/giay-to", data={"csrf_token": csrf(page.text),
                        "name": "safety_certificate"}, files=[("file", ("", b"", "application/octet-stream")),
                                                              ("file", ("gcn.jpg", photo_with_gps(), "image/jpeg"))],
                        follow_redirects=False)
    assert photo.status_code == 303
    assert db.scalars(select(Attachment.name)).all() == ["safety_certificate"]
    mine = client.get("/m/ho-so")
    assert reference in mine.text and "Đã nhận, chờ cán bộ kiểm tra" in mine.text


def test_errors_come_back_beside_each_field_and_nothing_typed_is_lost(
    client: TestClient, worker: OutboxWorker, twilio: FakeTwilio, db: Session
) -> None:
    form = sign_in(client, worker, twilio, OTHER_PHONE, "/m/thu-tuc/promotion_notice")
    answer = client.post("/m/thu-tuc/promotion_notice", data={
        "csrf_token": csrf(form), "action": "review", "applicant.name": "Trần Thị Hà",
        "fields.trader_tax_code": "0300588560", "fields.programme_name": "Mừng Tết",
    })
    assert answer.status_code == 422
    assert "sai chữ số kiểm tra" in answer.text and 'value="Mừng Tết"' in answer.text
    assert 'id="f-fields-trader_tax_code-error"' in answer.text
    assert db.scalars(select(Dossier)).all() == []


def test_a_form_without_its_token_changes_nothing(client: TestClient) -> None:
    client.get("/m")
    answer = client.post("/m/dang-nhap", data={"phone": OWNER_PHONE, "next": "/m/ho-so"})
    assert answer.status_code == 403 and "Biểu mẫu đã cũ" in answer.text


def test_another_phone_sees_nothing_of_this_ones_dossiers(
    client: TestClient, worker: OutboxWorker, twilio: FakeTwilio, db: Session
) -> None:
    db.add(Dossier(reference="135790", procedure="promotion_notice", channel="web", status="draft",
                   applicant_phone=OWNER_PHONE, fields={}))
    db.commit()
    mine = sign_in(client, worker, twilio, OTHER_PHONE, "/m/ho-so")
    assert "135790" not in mine and "chưa có hồ sơ nào" in mine
    assert client.get("/m/ho-so/135790").status_code == 404


def test_the_first_page_is_small(client: TestClient) -> None:
    sizes = {path: len(client.get(path).content) for path in
             ("/m", "/m/static/m.css", "/m/static/m.js", "/m/manifest.webmanifest", "/m/static/icon-192.png")}
    assert sum(sizes.values()) < 60 * 1024, sizes
    assert "fonts.googleapis" not in client.get("/m").text and "cdn" not in client.get("/m").text.lower()


def test_someone_else_filing_from_the_owners_phone_types_their_own_id_number(
    client: TestClient, worker: OutboxWorker, twilio: FakeTwilio, vessel: Vessel, db: Session
) -> None:
    form = sign_in(client, worker, twilio, OWNER_PHONE, "/m/thu-tuc/fishing_licence?variant=new")
    values = dict(re.findall(r'name="([a-z_.]+)" value="([^"]*)"', form))
    values.update({"applicant.name": "Nguyễn Thị Vợ", "fields.port": "Cảng cá Lý Sơn", "action": "review",
                   "fields.main_gear": "lưới vây", "fields.fishing_zone": "khơi", "csrf_token": csrf(form)})
    answer = client.post("/m/thu-tuc/fishing_licence", data=values)
    # The registry's number is the owner's, not hers: asked for, beside the field.
    assert answer.status_code == 422 and 'id="f-applicant-id_number-error"' in answer.text
    assert OWNER_ID not in answer.text and 'value="Nguyễn Thị Vợ"' in answer.text
    assert db.scalars(select(Dossier)).all() == []


def test_sign_out_tells_the_browser_to_forget_what_the_site_kept(
    client: TestClient, worker: OutboxWorker, twilio: FakeTwilio
) -> None:
    page = sign_in(client, worker, twilio, OTHER_PHONE, "/m/ho-so")
    assert 'data-sign-out' in page
    out = client.post("/m/dang-xuat", data={"csrf_token": csrf(page)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/m"
    assert out.headers["clear-site-data"] == '"cache", "storage"'
    assert client.get("/m/ho-so", follow_redirects=False).headers["location"].startswith("/m/dang-nhap")


def test_a_signed_in_citizens_pages_are_not_stored_and_the_blank_form_holds_nothing_of_theirs(
    client: TestClient, worker: OutboxWorker, twilio: FakeTwilio, vessel: Vessel
) -> None:
    assert client.get("/m").headers["cache-control"] == "no-cache"  # anyone's start page
    form = sign_in(client, worker, twilio, OWNER_PHONE, "/m/thu-tuc/fishing_licence?variant=new")
    assert "Nguyễn Văn Tàu" in form
    for path in ("/m", "/m/ho-so", "/m/thu-tuc/fishing_licence?variant=new"):
        assert client.get(path).headers["cache-control"] == "no-store", path
    # The copy the service worker keeps, even when asked with the citizen's cookie.
    blank = client.get("/m/mau/fishing_licence?variant=new")
    assert blank.status_code == 200 and "data-offline-copy" in blank.text
    assert 'name="csrf_token" value=""' in blank.text
    for personal in ("Nguyễn Văn Tàu", "0905 123 456", 'value="QNg-90567-TS"', "051******234", "data-sign-out"):
        assert personal not in blank.text, personal
    assert client.get("/m/mau/no_such_procedure").status_code == 404
