"""The app on an S3 store (moto's S3 server in this process, S3 faked at its HTTP
boundary, see conftest): a citizen's photo goes from the mobile site into the bucket and
back to an operator; a store that is down refuses an upload in Vietnamese, refuses the
start, and makes a retention run keep every row."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from mypy_boto3_s3 import S3Client
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from callcenter.app import create_app
from callcenter.attachments.storage import StoreError, open_store
from callcenter.cli.main import app as cli
from callcenter.outbox.worker import OutboxWorker
from callcenter.public.tokens import issue_citizen_token
from callcenter.retention.service import apply_retention
from ivr.settings import RetentionPolicy, Settings, get_settings
from models.attachment import Attachment
from models.dossier import Dossier
from tests.callcenter.attachments.conftest import MakeBucket, keys_in, store_url
from tests.callcenter.console.conftest import BASE, MakeUser, log_in
from tests.callcenter.mobile.test_site import csrf, sign_in
from tests.callcenter.notify.conftest import FakeTwilio
from tests.callcenter.public.conftest import OTHER_PHONE, photo_with_gps
from tests.callcenter.reports.builders import make_dossier
from tests.live_server import free_port

REFERENCE = "246810"
PREFIX = "hotline"
STORE_DOWN = "Chưa lưu được tệp lúc này. Ông/bà vui lòng gửi lại sau ít phút."


@pytest.fixture
def bucket(make_bucket: MakeBucket) -> str:
    return make_bucket()


@pytest.fixture
def settings(settings: Settings, s3_endpoint: str, bucket: str) -> Settings:
    """The app's attachments in the bucket, under a prefix, as a deployment on MinIO has them."""
    settings.attachments.store_url = store_url(s3_endpoint, bucket, PREFIX)
    return settings


@pytest.fixture
def dossier_page(client: TestClient, worker: OutboxWorker, twilio: FakeTwilio, db: Session) -> str:
    db.add(Dossier(reference=REFERENCE, procedure="household_business_registration", channel="web",
                   status="draft", applicant_phone=OTHER_PHONE, fields={}))
    db.commit()
    return sign_in(client, worker, twilio, OTHER_PHONE, f"/m/ho-so/{REFERENCE}")


def _send_photo(client: TestClient, page: str):  # type: ignore[no-untyped-def]
    return client.post(f"/m/ho-so/{REFERENCE}/giay-to", data={"csrf_token": csrf(page), "name": "premises"},
                       files={"file": ("anh.jpg", photo_with_gps(), "image/jpeg")}, follow_redirects=False)


def test_a_photo_from_the_site_is_kept_in_the_bucket_and_shown_to_an_operator(
    app: FastAPI, client: TestClient, dossier_page: str, db: Session, s3: S3Client, bucket: str,
    make_user: MakeUser,
) -> None:
    answer = _send_photo(client, dossier_page)
    assert answer.status_code == 303, answer.text
    row = db.scalars(select(Attachment)).one()
    assert keys_in(s3, bucket) == [f"{PREFIX}/{row.storage_key}"]
    kept = s3.get_object(Bucket=bucket, Key=f"{PREFIX}/{row.storage_key}")["Body"].read()
    assert hashlib.sha256(kept).hexdigest() == row.sha256
    assert not Image.open(io.BytesIO(kept)).getexif()  # re-encoded, without where it was taken
    assert "Đã gửi: Giấy tờ về địa điểm kinh doanh" in client.get(f"/m/ho-so/{REFERENCE}").text

    make_user("vana", "operator", full_name="Nguyễn Văn A", phone="+84912000111")
    link = f"/console/dossiers/{REFERENCE}/attachments/{row.id}"
    with TestClient(app, base_url=BASE) as staff:
        log_in(staff, "vana")
        shown = staff.get(link)
        assert (shown.status_code, shown.headers["content-type"], shown.content) == (200, "image/jpeg", kept)
        s3.delete_object(Bucket=bucket, Key=f"{PREFIX}/{row.storage_key}")  # gone from the store
        missing = staff.get(link)
    assert missing.status_code == 503 and "Kho lưu giấy tờ tạm thời không đọc được." in missing.text


def test_an_upload_the_store_cannot_take_gets_the_reason_in_vietnamese_and_nothing_is_kept(
    client: TestClient, dossier_page: str, db: Session, s3: S3Client, bucket: str, settings: Settings
) -> None:
    s3.delete_bucket(Bucket=bucket)  # the store no longer takes files
    answer = _send_photo(client, dossier_page)
    assert (answer.status_code, answer.headers["content-type"].split(";")[0]) == (503, "text/html")
    assert STORE_DOWN in answer.text and f'id="reference">{REFERENCE}<' in answer.text  # on the dossier page

    token = issue_citizen_token(phone=OTHER_PHONE, secret_key=settings.secret_key, minutes=5).token
    answer = client.post(f"/api/v1/public/dossiers/{REFERENCE}/attachments", data={"name": "premises"},
                         files={"file": ("anh.jpg", photo_with_gps(), "image/jpeg")},
                         headers={"Authorization": f"Bearer {token}"})
    assert (answer.status_code, answer.json()["detail"]) == (503, STORE_DOWN)
    assert db.scalars(select(Attachment)).all() == []


def test_the_app_does_not_start_on_a_bucket_that_is_not_there(
    settings: Settings, s3_endpoint: str, db: Session
) -> None:
    settings.attachments.store_url = store_url(s3_endpoint, "tongdai-not-created", PREFIX)
    with pytest.raises(StoreError, match=r"there is no bucket 'tongdai-not-created' at http://127\.0\.0\.1:"):
        create_app(settings)


NOW = datetime(2027, 6, 1, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=400)


def test_a_retention_run_while_the_store_is_down_keeps_every_row_and_the_next_one_finishes(
    db: Session, s3_endpoint: str, s3: S3Client, bucket: str
) -> None:
    working = open_store(store_url(s3_endpoint, bucket))
    down = open_store(store_url(f"http://127.0.0.1:{free_port()}", bucket))  # nothing listens there
    dossier = make_dossier(db, "700001", status="delivered", applicant_name="Nguyễn Văn An",
                           created_at=LONG_AGO, updated_at=LONG_AGO)
    working.put("700001/cccd.jpg", b"\xff\xd8 a citizen ID card")
    db.add(Attachment(dossier_id=dossier.id, name="id_card_front", content_type="image/jpeg", size=22,
                      sha256="0" * 64, storage_key="700001/cccd.jpg", uploaded_by="web"))
    db.commit()
    policy = RetentionPolicy(recording_days=30, personal_days=365)

    with pytest.raises(StoreError, match=r"could not delete '700001/cccd\.jpg'"):
        apply_retention(db, policy=policy, now=NOW, dry_run=False, store=down)
    db.rollback()  # what the command does when the run fails: nothing is committed
    assert db.scalars(select(Attachment.storage_key)).all() == ["700001/cccd.jpg"]
    assert db.scalars(select(Dossier.applicant_name)).one() == "Nguyễn Văn An"
    assert keys_in(s3, bucket) == ["700001/cccd.jpg"]

    report = apply_retention(db, policy=policy, now=NOW, dry_run=False, store=working)
    db.commit()
    assert report.attachments_removed == 1
    assert db.scalars(select(Attachment)).all() == [] and keys_in(s3, bucket) == []


def test_the_retention_command_refuses_a_store_it_cannot_reach(
    db: Session, database_url: str, monkeypatch: pytest.MonkeyPatch, s3_endpoint: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ATTACHMENTS_STORE_URL", store_url(s3_endpoint, "tongdai-not-created"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["retention", "run"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "Không mở được kho tệp đính kèm: ATTACHMENTS_STORE_URL: there is no bucket 'tongdai-not-created'" \
        in result.output


def test_a_process_on_the_folder_store_does_not_load_boto3(tmp_path: Path) -> None:
    code = ("import sys; from pathlib import Path; import callcenter.app, callcenter.cli.main; "
            "from callcenter.attachments.storage import check_store; "
            f"check_store({str(tmp_path / 'attachments')!r}).put('1/a.pdf', b'%PDF'); "
            "sys.exit('boto3' in sys.modules or 'botocore' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
