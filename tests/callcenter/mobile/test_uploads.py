"""Photos of documents on the mobile site: taken up to ATTACHMENTS_MAX_BYTES whatever the
site's other limits, and refused past it with the site's own Vietnamese page, never the
JSON the API answers."""

from __future__ import annotations

import io
import os
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.outbox.worker import OutboxWorker
from callcenter.security import MB
from ivr.settings import Settings
from models.attachment import Attachment
from models.dossier import Dossier
from tests.callcenter.mobile.test_site import csrf, sign_in
from tests.callcenter.notify.conftest import FakeTwilio
from tests.callcenter.public.conftest import OTHER_PHONE
from tests.callcenter.security.test_bodies import _post_in_chunks

REFERENCE = "246810"


@pytest.fixture
def dossier_page(client: TestClient, worker: OutboxWorker, twilio: FakeTwilio, db: Session) -> str:
    """The citizen's dossier page (signed in), where photos of documents are sent."""
    db.add(Dossier(reference=REFERENCE, procedure="household_business_registration", channel="web",
                   status="draft", applicant_phone=OTHER_PHONE, fields={}))
    db.commit()
    return sign_in(client, worker, twilio, OTHER_PHONE, f"/m/ho-so/{REFERENCE}")


def _photo(size: int) -> bytes:
    """A JPEG of about `size` bytes: noise does not compress, so its size follows its pixels."""
    side = int((size / 1.2) ** 0.5)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "JPEG", quality=95)
    return out.getvalue()


def _send(client: TestClient, page: str, photo: bytes) -> tuple[int, str, str]:
    answer = client.post(f"/m/ho-so/{REFERENCE}/giay-to", data={"csrf_token": csrf(page), "name": "premises"},
                         files={"file": ("anh.jpg", photo, "image/jpeg")}, follow_redirects=False)
    return answer.status_code, answer.headers.get("content-type", ""), answer.text


def test_a_photo_over_ten_megabytes_within_attachments_max_bytes_is_taken(
    client: TestClient, dossier_page: str, settings: Settings, db: Session
) -> None:
    settings.attachments.max_bytes = 16 * MB  # read when the photo comes
    photo = _photo(12 * MB)
    assert 10 * MB < len(photo) < 16 * MB
    status, _, _ = _send(client, dossier_page, photo)
    assert status == 303  # back to the dossier page, the photo kept
    assert db.scalars(select(Attachment.name)).all() == ["premises"]


def test_a_photo_past_attachments_max_bytes_gets_the_dossier_page_with_the_reason(
    client: TestClient, dossier_page: str, db: Session
) -> None:
    status, content_type, html = _send(client, dossier_page, _photo(3 * MB))  # the tests allow 2 MB
    assert (status, content_type.split(";")[0]) == (413, "text/html")
    assert "Tệp quá lớn: tối đa 2 MB một tệp." in html  # said on the dossier page, where the photo was sent
    assert f'id="reference">{REFERENCE}<' in html and 'id="errors"' in html
    assert db.scalars(select(Attachment)).all() == []


def test_a_body_past_the_sites_limit_gets_the_sites_own_page_not_json(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    # An upload declaring more than the route's ceiling, refused before a byte is read.
    status, pulled, body = _post_in_chunks(app, f"/m/ho-so/{REFERENCE}/giay-to", total=65 * MB,
                                           content_length=True)
    assert (status, pulled) == (413, 0)
    page = body.decode()
    assert page.startswith("<!doctype html>") and "Chưa thực hiện được" in page
    assert "mỗi ảnh hoặc tệp giấy tờ tối đa 2 MB" in page
    assert f'href="/m/ho-so/{REFERENCE}#giay-to"' in page
    # Just under it, the route takes the body (here: to send the phone to sign in first).
    status, _, _ = _post_in_chunks(app, f"/m/ho-so/{REFERENCE}/giay-to", total=63 * MB, content_length=True)
    assert status == 303

    # A form of the site is small: past the default limit, the same page, with the headers of a page.
    answer = client.post("/m/dang-nhap", data={"phone": "0" * 300_000})
    assert answer.status_code == 413 and answer.headers["content-type"].startswith("text/html")
    assert "Nội dung gửi lên quá lớn (tối đa 256 KB cho địa chỉ này)." in answer.text
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert re.search(r'<a class="choice" href="/m">', answer.text)
