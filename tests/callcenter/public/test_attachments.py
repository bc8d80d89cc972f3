"""Attachments: judged by their bytes, re-encoded without metadata, capped before reading."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.app import create_app
from callcenter.public.tokens import issue_citizen_token
from ivr.settings import Settings
from models.attachment import Attachment
from models.dossier import Dossier
from models.vessel import Vessel
from tests.callcenter.public.conftest import OWNER_PHONE, SignIn, bearer, photo_with_gps
from tests.callcenter.public.payloads import filing
from tests.live_server import serve

DOSSIERS = "/api/v1/public/dossiers"
# What `file` says of /bin/ls: an executable, whatever its name claims.
EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + bytes(200)


@pytest.fixture
def reference(client: TestClient, sign_in: SignIn, vessel: Vessel) -> tuple[str, str]:
    token = sign_in(OWNER_PHONE)
    answer = client.post(DOSSIERS, json=filing("household_business_termination"), headers=bearer(token))
    return answer.json()["reference"], token


def _attach(client: TestClient, token: str, reference: str, name: str, filename: str, content: bytes,
            content_type: str = "image/jpeg"):  # type: ignore[no-untyped-def]
    return client.post(f"{DOSSIERS}/{reference}/attachments", headers=bearer(token), data={"name": name},
                       files={"file": (filename, content, content_type)})


def test_a_photo_comes_back_without_its_location_or_camera(
    client: TestClient, reference: tuple[str, str], db: Session, settings: Settings
) -> None:
    ref, token = reference
    sent = photo_with_gps()
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(0x8825)  # the original says where it was taken
    answer = _attach(client, token, ref, "registration_certificate", "giay-chung-nhan.jpg", sent)
    assert answer.status_code == 201, answer.text
    assert answer.json()["label"] == "Giấy chứng nhận đăng ký hộ kinh doanh"
    row = db.scalars(select(Attachment)).one()
    kept = (Path(settings.attachments.store_url) / row.storage_key).read_bytes()
    image = Image.open(io.BytesIO(kept))
    assert image.format == "JPEG" and image.size == (1200, 900)
    assert not image.getexif()  # no GPS, no make, no model: no EXIF at all
    assert b"Samsung" not in kept and b"Galaxy" not in kept
    mine = client.get(f"{DOSSIERS}/{ref}", headers=bearer(token)).json()
    assert [a["name"] for a in mine["attachments"]] == ["registration_certificate"]
    assert mine["missing_attachments"] == []


def test_a_renamed_executable_is_refused_and_nothing_is_kept(
    client: TestClient, reference: tuple[str, str], db: Session, settings: Settings
) -> None:
    ref, token = reference
    answer = _attach(client, token, ref, "registration_certificate", "anh-giay-to.jpg", EXECUTABLE)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "file"]
    assert "không phải ảnh" in answer.json()["detail"][0]["msg"]
    assert db.scalars(select(Attachment)).all() == []
    store = Path(settings.attachments.store_url)
    assert not store.exists() or not any(p.is_file() for p in store.rglob("*"))


def test_a_dossier_takes_no_more_documents_than_its_limit(
    client: TestClient, reference: tuple[str, str], db: Session, settings: Settings
) -> None:
    ref, token = reference
    settings.attachments.max_per_dossier = 2
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    for _ in range(2):
        assert _attach(client, token, ref, "tax_clearance", "thue.pdf", pdf, "application/pdf").status_code == 201
    answer = _attach(client, token, ref, "tax_clearance", "thue.pdf", pdf, "application/pdf")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["msg"] == "Mỗi hồ sơ đính kèm tối đa 2 tệp."
    assert len(db.scalars(select(Attachment)).all()) == 2


def test_pdfs_and_iphone_photos_are_accepted(client: TestClient, reference: tuple[str, str]) -> None:
    ref, token = reference
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert _attach(client, token, ref, "tax_clearance", "thue.pdf", pdf, "application/pdf").status_code == 201
    heic = io.BytesIO()
    Image.new("RGB", (300, 400), (20, 90, 160)).save(heic, "HEIF")
    answer = _attach(client, token, ref, "registration_certificate", "IMG_0001.HEIC", heic.getvalue(), "image/heic")
    assert answer.status_code == 201
    assert answer.json()["content_type"] == "image/jpeg"  # what every browser shows


def test_a_document_the_procedure_does_not_ask_for_is_refused(client: TestClient, reference: tuple[str, str]) -> None:
    ref, token = reference
    answer = _attach(client, token, ref, "selfie", "a.jpg", photo_with_gps())
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "name"]
    assert "registration_certificate" in answer.json()["detail"][0]["msg"]


def test_an_oversized_upload_is_refused(client: TestClient, reference: tuple[str, str]) -> None:
    ref, token = reference
    answer = _attach(client, token, ref, "registration_certificate", "big.jpg", bytes(3 * 1024 * 1024))
    assert answer.status_code == 413
    assert "tối đa 2 MB" in answer.json()["detail"]


def _read_status(sock: socket.socket) -> str:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0].decode()


@pytest.mark.slow
def test_an_oversized_upload_is_refused_before_its_body_is_read(
    settings: Settings, db: Session, vessel: Vessel
) -> None:
    """Over real HTTP: the server answers 413 while the client has sent the headers only,
    and stops reading a body without a length once it passes the cap."""
    dossier = Dossier(reference="246810", procedure="household_business_termination", channel="web",
                      status="draft", applicant_phone=OWNER_PHONE, fields={})
    db.add(dossier)
    db.commit()
    token = issue_citizen_token(phone=OWNER_PHONE, secret_key=settings.secret_key, minutes=5).token
    with serve(create_app(settings)) as base:
        port = int(base.rsplit(":", 1)[1])
        head = (f"POST {DOSSIERS}/246810/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary=xyz\r\n")
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall((head + "Content-Length: 500000000\r\n\r\n").encode())
            assert _read_status(sock) == "HTTP/1.1 413 Request Entity Too Large"
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall((head + "Transfer-Encoding: chunked\r\n\r\n").encode())
            preamble = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n'
            sock.sendall(b"%x\r\n%s\r\n" % (len(preamble), preamble))
            chunk = bytes(256 * 1024)
            sent = 0
            sock.settimeout(0.05)
            status = ""
            while sent < 20 * 1024 * 1024 and not status:  # a 20 MB body, if the server took it
                try:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                except (BrokenPipeError, ConnectionResetError):  # answered and closed meanwhile
                    sock.settimeout(5)
                    status = _read_status(sock)
                    break
                sent += len(chunk)
                try:
                    status = _read_status(sock)
                except TimeoutError:
                    continue
            assert status == "HTTP/1.1 413 Request Entity Too Large"
            assert sent <= settings.attachments.max_bytes + 2 * len(chunk) + 64 * 1024
