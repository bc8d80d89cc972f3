"""The retention policy: a dry run changes nothing, a real run removes and masks, once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from callcenter.attachments.storage import FolderStore
from callcenter.cli.main import app
from callcenter.retention.service import MASKED_NOTE, RETENTION_ACTOR, apply_retention
from ivr.settings import RetentionPolicy, get_settings
from models.attachment import Attachment
from models.audit import AuditEntry
from models.call import Call
from models.callback import CallbackAttempt, CallbackRequest
from models.dossier import Dossier, DossierEvent
from models.message import Message
from models.otp import OneTimeCode
from models.outbox import OutboxEntry
from models.queue import QueueEntry
from tests.callcenter.reports.builders import make_call, make_dossier
from tests.callcenter.retention.conftest import recording_url

NOW = datetime(2027, 6, 1, tzinfo=UTC)
POLICY = RetentionPolicy(recording_days=30, personal_days=365)
RECORDING = recording_url("RE" + "5" * 32)
RECENT_RECORDING = recording_url("RE" + "6" * 32)  # another call's, within its days


def seed(db: Session) -> None:
    old, recent = NOW - timedelta(days=400), NOW - timedelta(days=5)
    make_call(db, "CA-old", path=[("main", None)], outcome="callback_requested", started_at=old,
              recording_url=RECORDING, from_number="+84905123456")
    make_call(db, "CA-60-days", path=[("main", None)], outcome="callback_requested",
              started_at=NOW - timedelta(days=60), recording_url=RECORDING, from_number="+84987654321")
    make_call(db, "CA-recent", path=[("main", None)], outcome="callback_requested", started_at=recent,
              recording_url=RECENT_RECORDING, from_number="+84911222333")
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


def _photo(db: Session, store: FolderStore, reference: str, name: str = "id_card_front") -> str:
    """An ID card's photo attached to a dossier, its bytes in the store as the site keeps them."""
    dossier = db.scalars(select(Dossier).where(Dossier.reference == reference)).one()
    key = f"{reference}/{name}.jpg"
    store.put(key, b"\xff\xd8 the photo of a citizen ID card")
    db.add(Attachment(dossier_id=dossier.id, name=name, content_type="image/jpeg", size=32, sha256="0" * 64,
                      storage_key=key, uploaded_by="web", created_at=dossier.created_at))
    db.flush()
    return key


def seed_this_round(db: Session, store: FolderStore) -> dict[str, str]:
    """Call-back requests and attempts, one-time codes, queue wrap-up notes and
    attachments, old and recent; the storage keys of the photos, by dossier reference."""
    old, recent = NOW - timedelta(days=400), NOW - timedelta(days=5)
    calls = {c.call_sid: c for c in db.scalars(select(Call))}
    db.add_all([
        # Done long ago: the phone and the copy of the voice message go.
        CallbackRequest(call_id=calls["CA-old"].id, phone="+84905123456", reason="voice_message",
                        requested_at=old, recording_url=RECORDING, recording_duration_s=7, status="done",
                        attempts=1, closed_at=old + timedelta(hours=2), created_at=old),
        # Still open (a promise to keep): the phone stays, the old recording goes.
        CallbackRequest(call_id=calls["CA-60-days"].id, phone="+84987654321", reason="voice_message",
                        requested_at=old, recording_url=RECORDING, status="open", attempts=0, created_at=old),
        # Closed a few days ago: everything stays.
        CallbackRequest(call_id=calls["CA-recent"].id, phone="+84911222333", reason="queue_choice",
                        requested_at=recent, recording_url=RECENT_RECORDING, status="unreachable", attempts=3,
                        closed_at=recent, created_at=recent),
        CallbackAttempt(operator="vana", at=old, fisher_number="+84905123456", outcome="reached"),
        CallbackAttempt(operator="vana", at=recent, fisher_number="+84911222333", outcome="no_answer"),
        OneTimeCode(phone="+84905123456", code_hash="a" * 64, created_at=old, expires_at=old + timedelta(minutes=5),
                    accepted_at=old),
        OneTimeCode(phone="+84911222333", code_hash="b" * 64, created_at=recent,
                    expires_at=recent + timedelta(minutes=5)),
        QueueEntry(call_id=calls["CA-old"].id, call_sid="CA-old", queue="operators", joined_at=old,
                   result="answered", wrap_up_code="advice", wrap_up_note="Ông An, CCCD 051090001234, gọi lại 0905123456"),
        QueueEntry(call_id=calls["CA-recent"].id, call_sid="CA-recent", queue="operators", joined_at=recent,
                   result="answered", wrap_up_code="advice", wrap_up_note="Hỏi về giấy phép"),
    ])
    # A dossier masked by an earlier run, before attachments were covered: its photo goes too.
    make_dossier(db, "700004", status="delivered", **{
        "applicant_name": "N. V. B.", "created_at": old, "updated_at": old})
    db.add(DossierEvent(dossier_id=db.scalars(select(Dossier.id).where(Dossier.reference == "700004")).one(),
                        at=old, by=RETENTION_ACTOR, what=MASKED_NOTE))
    keys = {ref: _photo(db, store, ref) for ref in ("700001", "700002", "700003", "700004")}
    db.commit()
    return keys


def test_dry_run_changes_nothing_but_says_what_it_would(db: Session, store: FolderStore) -> None:
    seed(db)
    report = apply_retention(db, policy=POLICY, now=NOW, dry_run=True, store=store)
    db.commit()
    assert (report.recordings_removed, report.callers_masked, report.dossiers_masked) == (2, 1, 1)
    assert report.sample_dossiers == ["700001"]
    db.expire_all()
    assert db.scalar(select(Call.from_number).where(Call.call_sid == "CA-old")) == "+84905123456"
    assert db.scalar(select(Call.recording_url).where(Call.call_sid == "CA-old")) == RECORDING
    assert db.scalar(select(Dossier.applicant_id_number).where(Dossier.reference == "700001")) == "051090001234"
    audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "retention_run")).one()
    assert audit.detail is not None and audit.detail["dry_run"] is True


def test_real_run_removes_recordings_and_masks_old_personal_data_once(db: Session, store: FolderStore) -> None:
    seed(db)
    apply_retention(db, policy=POLICY, now=NOW, dry_run=False, store=store)
    db.commit()
    db.expire_all()
    calls = {c.call_sid: c for c in db.scalars(select(Call))}
    assert calls["CA-old"].recording_url is None and calls["CA-60-days"].recording_url is None
    assert calls["CA-recent"].recording_url == RECENT_RECORDING
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
    again = apply_retention(db, policy=POLICY, now=NOW, dry_run=False, store=store)
    assert (again.recordings_removed, again.callers_masked, again.messages_masked, again.dossiers_masked) == (
        0, 0, 0, 0)


@pytest.fixture
def store(tmp_path: Path) -> FolderStore:
    return FolderStore(tmp_path / "attachments")


def test_dry_run_counts_this_rounds_personal_data_and_changes_none_of_it(db: Session, store: FolderStore) -> None:
    seed(db)
    keys = seed_this_round(db, store)
    report = apply_retention(db, policy=POLICY, now=NOW, dry_run=True, store=store)
    db.commit()
    assert (report.callback_recordings_removed, report.callback_requests_masked, report.callback_attempts_masked,
            report.codes_masked, report.wrap_up_notes_removed, report.attachments_removed) == (2, 1, 1, 1, 1, 2)
    db.expire_all()
    assert all(store.get(key) for key in keys.values())
    assert len(list(db.scalars(select(Attachment)))) == 4
    assert "+84905123456" in {r.phone for r in db.scalars(select(CallbackRequest))}
    assert db.scalar(select(OneTimeCode.phone).where(OneTimeCode.code_hash == "a" * 64)) == "+84905123456"
    audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "retention_run")).one()
    assert audit.detail is not None and audit.detail["attachments_removed"] == 2


def test_real_run_reaches_call_backs_codes_wrap_up_notes_and_attachments(db: Session, store: FolderStore) -> None:
    seed(db)
    keys = seed_this_round(db, store)
    apply_retention(db, policy=POLICY, now=NOW, dry_run=False, store=store)
    db.commit()
    db.expire_all()
    requests = {r.status: r for r in db.scalars(select(CallbackRequest))}
    assert requests["done"].phone == "+84905***456" and requests["done"].recording_url is None
    assert requests["open"].phone == "+84987654321"  # still to be called back
    assert requests["open"].recording_url is None  # the recording days are over, as on its call
    assert requests["unreachable"].phone == "+84911222333" and requests["unreachable"].recording_url == RECENT_RECORDING
    assert {a.fisher_number for a in db.scalars(select(CallbackAttempt))} == {"+84905***456", "+84911222333"}
    assert {c.phone for c in db.scalars(select(OneTimeCode))} == {"+84905***456", "+84911222333"}
    notes = {e.call_sid: (e.wrap_up_code, e.wrap_up_note) for e in db.scalars(select(QueueEntry))}
    assert notes == {"CA-old": ("advice", None), "CA-recent": ("advice", "Hỏi về giấy phép")}
    kept = {db.get(Dossier, a.dossier_id).reference for a in db.scalars(select(Attachment))}  # type: ignore[union-attr]
    assert kept == {"700002", "700003"}  # open, or closed lately
    for reference, key in keys.items():
        if reference in kept:
            assert store.get(key)
        else:
            assert not (store.root / key).exists(), key
    again = apply_retention(db, policy=POLICY, now=NOW, dry_run=False, store=store)
    assert (again.callback_recordings_removed, again.callback_requests_masked, again.callback_attempts_masked,
            again.codes_masked, again.wrap_up_notes_removed, again.attachments_removed) == (0, 0, 0, 0, 0, 0)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, store: FolderStore) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("RETENTION_RECORDING_DAYS", "30")
    monkeypatch.setenv("ATTACHMENTS_STORE_URL", str(store.root))
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "")  # a demo's: whatever .env says
    get_settings.cache_clear()  # the command reads these, not what an earlier test cached
    yield
    get_settings.cache_clear()


def test_the_command_dry_run_then_real(db: Session, cli_env: None, store: FolderStore) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=45)
    make_call(db, "CA-long-ago", path=[("main", None)], outcome="callback_requested",
              started_at=long_ago, recording_url=RECORDING)
    db.add(CallbackRequest(phone="+84905123456", reason="voice_message", requested_at=long_ago,
                           recording_url=RECORDING, status="open", attempts=0, created_at=long_ago))
    year_ago = datetime.now(UTC) - timedelta(days=400)
    make_dossier(db, "700009", status="delivered", applicant_name="Nguyễn Văn An", created_at=year_ago,
                 updated_at=year_ago)
    key = _photo(db, store, "700009")
    db.commit()
    dry = CliRunner().invoke(app, ["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "CHẠY THỬ" in dry.output and "Sẽ xóa liên kết ghi âm của 1 cuộc gọi" in dry.output and "CA-long-ago" in dry.output
    assert "và 1 yêu cầu gọi lại" in dry.output
    # One recording, linked from the call and from its call-back request: deleted once.
    assert "Sẽ lên lịch xóa 1 bản ghi âm trên máy chủ Twilio" in dry.output
    assert "chưa cấu hình tài khoản Twilio" in dry.output
    assert "Sẽ xóa 1 tệp đính kèm" in dry.output and "Sẽ ẩn dữ liệu cá nhân của 1 hồ sơ" in dry.output
    db.expire_all()
    assert db.scalar(select(Call.recording_url)) == RECORDING and store.get(key)
    real = CliRunner().invoke(app, ["retention", "run"])
    assert real.exit_code == 0, real.output
    assert "Đã xóa liên kết ghi âm của 1 cuộc gọi" in real.output and "Đã xóa 1 tệp đính kèm" in real.output
    assert "Đã lên lịch xóa 1 bản ghi âm trên máy chủ Twilio" in real.output
    db.expire_all()
    assert db.scalar(select(Call.recording_url)) is None
    assert db.scalar(select(CallbackRequest.recording_url)) is None
    assert db.scalar(select(Attachment.id)) is None and not (store.root / key).exists()
    assert db.scalar(select(OutboxEntry.payload)) == {"account_sid": "AC" + "1" * 32, "recording_sid": "RE" + "5" * 32}
    assert len(list(db.scalars(select(AuditEntry).where(AuditEntry.action == "retention_run")))) == 2
