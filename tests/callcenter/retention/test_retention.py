"""The retention policy: a dry run changes nothing, a real run removes and masks, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from callcenter.cli.main import app
from callcenter.retention.service import MASKED_NOTE, apply_retention
from ivr.settings import RetentionPolicy
from models.audit import AuditEntry
from models.call import Call
from models.dossier import Dossier
from models.message import Message
from tests.callcenter.reports.builders import make_call, make_dossier

NOW = datetime(2027, 6, 1, tzinfo=UTC)
POLICY = RetentionPolicy(recording_days=30, personal_days=365)
RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"


def seed(db: Session) -> None:
    old, recent = NOW - timedelta(days=400), NOW - timedelta(days=5)
    make_call(db, "CA-old", path=[("main", None)], outcome="callback_requested", started_at=old,
              recording_url=RECORDING, from_number="+84905123456")
    make_call(db, "CA-60-days", path=[("main", None)], outcome="callback_requested",
              started_at=NOW - timedelta(days=60), recording_url=RECORDING, from_number="+84987654321")
    make_call(db, "CA-recent", path=[("main", None)], outcome="callback_requested", started_at=recent,
              recording_url=RECORDING, from_number="+84911222333")
    closed = {
        "applicant_name": "Nguyễn Văn An", "applicant_id_number": "051090001234",
        "applicant_phone": "+84905123456",
        "applicant_address": {"line": "thôn Đông, số 12", "commune": "Lý Sơn", "province": "Quảng Ngãi"},
        "fields": {"owner_id_number": "051085009876", "main_gear": "lưới vây"},
        "created_at": old, "updated_at": old,
    }
    db.add_all([
        Message(direction="out", to_number="+84905123456", body="Ma ho so cua ban la 700001", status="sent",
                created_at=old),
        Message(direction="in", to_number="+842553818558", from_number="+84905123456", body="TT",
                status="received", created_at=old),
        Message(direction="out", to_number="+84911222333", body="Ma ho so cua ban la 700003", status="sent",
                created_at=recent),
    ])
    make_dossier(db, "700001", status="delivered", **closed)
    make_dossier(db, "700002", status="in_progress", **closed)  # old but still open: kept
    make_dossier(db, "700003", status="rejected", **{**closed, "updated_at": recent})  # closed lately: kept
    db.commit()


def test_dry_run_changes_nothing_but_says_what_it_would(db: Session) -> None:
    seed(db)
    report = apply_retention(db, policy=POLICY, now=NOW, dry_run=True)
    db.commit()
    assert (report.recordings_removed, report.callers_masked, report.dossiers_masked) == (2, 1, 1)
    assert report.sample_dossiers == ["700001"]
    db.expire_all()
    assert db.scalar(select(Call.from_number).where(Call.call_sid == "CA-old")) == "+84905123456"
    assert db.scalar(select(Call.recording_url).where(Call.call_sid == "CA-old")) == RECORDING
    assert db.scalar(select(Dossier.applicant_id_number).where(Dossier.reference == "700001")) == "051090001234"
    audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "retention_run")).one()
    assert audit.detail is not None and audit.detail["dry_run"] is True


def test_real_run_removes_recordings_and_masks_old_personal_data_once(db: Session) -> None:
    seed(db)
    apply_retention(db, policy=POLICY, now=NOW, dry_run=False)
    db.commit()
    db.expire_all()
    calls = {c.call_sid: c for c in db.scalars(select(Call))}
    assert calls["CA-old"].recording_url is None and calls["CA-60-days"].recording_url is None
    assert calls["CA-recent"].recording_url == RECORDING
    assert calls["CA-old"].from_number == "+84905***456"
    assert calls["CA-60-days"].from_number == "+84987654321"
    dossiers = {d.reference: d for d in db.scalars(select(Dossier))}
    masked = dossiers["700001"]
    assert masked.applicant_name == "N. V. A."
    assert masked.applicant_id_number == "051******234"
    assert masked.applicant_phone == "+84905***456"
    assert masked.applicant_address == {"commune": "Lý Sơn", "province": "Quảng Ngãi"}
    assert masked.fields == {"owner_id_number": "051******876", "main_gear": "lưới vây"}
    assert masked.history[-1].what == MASKED_NOTE
    for kept in ("700002", "700003"):
        assert dossiers[kept].applicant_id_number == "051090001234"
    numbers = {(m.body, m.to_number, m.from_number) for m in db.scalars(select(Message))}
    assert numbers == {
        ("Ma ho so cua ban la 700001", "+84905***456", ""),
        ("TT", "+842553***558", "+84905***456"),
        ("Ma ho so cua ban la 700003", "+84911222333", ""),
    }
    again = apply_retention(db, policy=POLICY, now=NOW, dry_run=False)
    assert (again.recordings_removed, again.callers_masked, again.messages_masked, again.dossiers_masked) == (
        0, 0, 0, 0)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("RETENTION_RECORDING_DAYS", "30")


def test_the_command_dry_run_then_real(db: Session, cli_env: None) -> None:
    make_call(db, "CA-long-ago", path=[("main", None)], outcome="callback_requested",
              started_at=datetime.now(UTC) - timedelta(days=45), recording_url=RECORDING)
    db.commit()
    dry = CliRunner().invoke(app, ["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "CHẠY THỬ" in dry.output and "Sẽ xóa 1 bản ghi âm" in dry.output and "CA-long-ago" in dry.output
    db.expire_all()
    assert db.scalar(select(Call.recording_url)) == RECORDING
    real = CliRunner().invoke(app, ["retention", "run"])
    assert real.exit_code == 0, real.output
    assert "Đã xóa 1 bản ghi âm" in real.output
    db.expire_all()
    assert db.scalar(select(Call.recording_url)) is None
    assert len(list(db.scalars(select(AuditEntry).where(AuditEntry.action == "retention_run")))) == 2
