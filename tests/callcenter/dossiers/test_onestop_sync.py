"""Filing through the outbox while the one-stop system comes and goes; following the result home."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from callcenter.dossiers.onestop_sync import client_for, deliver_submission, poll_statuses
from callcenter.dossiers.patch_schemas import DossierPatch
from callcenter.dossiers.service import submit_dossier, update_dossier
from callcenter.onestop.emulator import ManualClock
from callcenter.outbox.context import OutboxContext
from callcenter.outbox.service import retry_failed
from callcenter.outbox.worker import OutboxWorker
from callcenter.postal.s10 import is_tracking_number
from models.db import make_sessionmaker
from models.dossier import Dossier
from models.message import Message
from models.outbox import OutboxEntry
from models.user import User
from tests.callcenter.dossiers.conftest import (
    STEP,
    OneStopLine,
    WorkerClock,
    complete_values,
    emulated_dossiers,
    history,
    make_dossier,
)


def _dossier(db: Session, reference: str) -> Dossier:
    db.expire_all()
    return db.scalars(select(Dossier).where(Dossier.reference == reference)).one()


def _messages(db: Session, reference: str) -> list[str]:
    dossier = _dossier(db, reference)
    return list(db.scalars(select(Message.body).where(Message.dossier_id == dossier.id).order_by(Message.id)))


def _submit(db: Session, user: User, reference: str) -> None:
    make_dossier(db, reference, **complete_values())
    submit_dossier(db, reference=reference, user=user)
    db.commit()


def test_dossiers_filed_during_an_outage_all_arrive_once_it_is_back(
    db: Session,
    vana: User,
    line: OneStopLine,
    make_worker: Callable[..., OutboxWorker],
    worker_clock: WorkerClock,
) -> None:
    references = [f"10000{n}" for n in range(5)]
    for reference in references:
        _submit(db, vana, reference)
    line.down = True
    worker_a, worker_b = make_worker("worker-a"), make_worker("worker-b")
    for _ in range(3):  # three rounds of 503s, both workers trying
        report = worker_a.drain()
        worker_b.drain()
        assert report.done == 0
        worker_clock.advance(timedelta(hours=1))
    assert line.refused >= 15
    assert emulated_dossiers(db) == 0
    assert {_dossier(db, r).status for r in references} == {"submitting"}
    failing = db.scalars(select(OutboxEntry).where(OutboxEntry.kind == "onestop.submit")).all()
    assert {e.status for e in failing} == {"pending"}
    assert all("Hệ thống một cửa tạm thời không trả lời" in (e.last_error or "") for e in failing)

    line.down = False
    assert worker_a.drain().done + worker_b.drain().done == 5
    assert emulated_dossiers(db) == 5  # every one arrived, none twice
    assert line.applies == 5
    for reference in references:
        dossier = _dossier(db, reference)
        assert dossier.status == "submitted" and dossier.onestop_code and dossier.onestop_due_date
        assert f"mã {dossier.onestop_code}" in history(db, reference)[-1]
        (sms,) = _messages(db, reference)
        assert dossier.onestop_code in sms and f"{dossier.onestop_due_date:%d/%m/%Y}" in sms
        assert sms.isascii() and len(sms) <= 160

    worker_clock.advance(timedelta(hours=1))
    assert worker_a.drain().handled == 0  # nothing left, nothing sent again
    assert emulated_dossiers(db) == 5


def test_an_answer_lost_after_filing_is_retried_with_the_same_key_and_makes_no_second_dossier(
    engine: Engine, db: Session, vana: User, line: OneStopLine, make_worker: Callable[..., OutboxWorker]
) -> None:
    _submit(db, vana, "472915")
    entry = db.scalars(select(OutboxEntry)).one()
    worker = make_worker()
    worker.claim()
    # The first delivery reached the one-stop system but its commit was lost (a crash):
    with make_sessionmaker(engine)() as session:
        deliver_submission(session, session.get_one(OutboxEntry, entry.id), worker.context)
        session.rollback()
    assert emulated_dossiers(db) == 1
    assert worker.deliver(entry.id) == "done"
    assert emulated_dossiers(db) == 1
    assert line.applies == 2  # sent twice, filed once
    assert _dossier(db, "472915").status == "submitted"
    assert len(_messages(db, "472915")) == 1


def test_a_refusal_fails_with_the_reason_returns_the_dossier_and_can_be_retried(
    db: Session, vana: User, line: OneStopLine, make_worker: Callable[..., OutboxWorker]
) -> None:
    _submit(db, vana, "472915")
    line.refuse_with = "Thủ tục chưa được cấu hình tại đơn vị tiếp nhận"
    worker = make_worker()
    assert worker.drain().failed == 1
    entry = db.scalars(select(OutboxEntry)).one()
    db.refresh(entry)
    assert entry.status == "failed"
    assert (
        entry.last_error == "Hệ thống một cửa từ chối hồ sơ: Thủ tục chưa được cấu hình tại đơn vị tiếp nhận"
    )
    dossier = _dossier(db, "472915")
    assert dossier.status == "in_progress"
    assert "Thủ tục chưa được cấu hình" in history(db, "472915")[-1]
    assert emulated_dossiers(db) == 0

    line.refuse_with = None  # the province fixed its catalogue
    retry_failed(db, entry_id=entry.id)
    db.commit()
    assert _dossier(db, "472915").status == "submitting"
    assert worker.drain().done == 1
    assert _dossier(db, "472915").status == "submitted"
    assert emulated_dossiers(db) == 1


def test_a_dossier_corrected_after_a_refusal_is_filed_under_a_new_key(
    db: Session, vana: User, line: OneStopLine, make_worker: Callable[..., OutboxWorker]
) -> None:
    _submit(db, vana, "472915")
    line.refuse_with = "Sai nghề khai thác"
    make_worker().drain()
    line.refuse_with = None
    update_dossier(
        db, reference="472915", user=vana, patch=DossierPatch.model_validate({"fields": {"main_gear": "câu"}})
    )
    submit_dossier(db, reference="472915", user=vana)
    db.commit()
    keys = db.scalars(select(OutboxEntry.idempotency_key).order_by(OutboxEntry.id)).all()
    assert keys == ["onestop:472915:1", "onestop:472915:2"]
    assert make_worker().drain().done == 1
    assert _dossier(db, "472915").status == "submitted"
    # The old, refused entry retried now would file the dossier a second time: it does nothing.
    first = db.scalars(select(OutboxEntry).where(OutboxEntry.idempotency_key == "onestop:472915:1")).one()
    retry_failed(db, entry_id=first.id)
    db.commit()
    make_worker().drain()
    assert emulated_dossiers(db) == 1


def test_the_poller_follows_the_result_home_with_an_sms_at_each_step(
    engine: Engine,
    db: Session,
    vana: User,
    context: OutboxContext,
    emulator_clock: ManualClock,
    make_worker: Callable[..., OutboxWorker],
) -> None:
    _submit(db, vana, "472915")
    make_worker().drain()
    client = client_for(context)
    sessions = make_sessionmaker(engine)

    def poll() -> str:
        poll_statuses(sessions, client=client, sending_enabled=False)
        return _dossier(db, "472915").status

    assert poll() == "submitted"  # nothing new: no history, no SMS
    assert len(_messages(db, "472915")) == 1
    emulator_clock.advance(STEP)
    assert poll() == "processing"
    emulator_clock.advance(STEP)
    assert poll() == "result_ready"
    emulator_clock.advance(STEP)
    assert poll() == "in_transit"
    tracking = _dossier(db, "472915").postal_tracking_number
    assert tracking is not None and is_tracking_number(tracking)
    emulator_clock.advance(STEP)
    assert poll() == "delivered"
    assert poll() == "delivered"

    receipt, processing, ready, shipped, delivered = _messages(db, "472915")
    assert "dang duoc xu ly" in processing
    assert "da co ket qua" in ready and "buu dien" in ready
    assert tracking in shipped
    assert "da duoc giao" in delivered
    assert all(m.isascii() and len(m) <= 160 for m in (receipt, processing, ready, shipped, delivered))
    lines = history(db, "472915")
    assert "chuyển sang đã trả kết quả" in lines[-1]
    assert any(f"mã bưu gửi {tracking}" in line for line in lines)
    assert _dossier(db, "472915").postal_status == "delivered"


def test_a_refusal_by_the_clerk_reaches_the_fisher(
    engine: Engine,
    db: Session,
    vana: User,
    emulator: TestClient,
    context: OutboxContext,
    make_worker: Callable[..., OutboxWorker],
) -> None:
    _submit(db, vana, "472915")
    make_worker().drain()
    code = _dossier(db, "472915").onestop_code
    answer = emulator.post(
        f"/_emulator/dossiers/{code}/--status",
        json={"status": "refused", "reason": "Tàu nằm trong danh sách IUU"},
    )
    assert answer.status_code == 200, answer.text
    client = client_for(context)
    report = poll_statuses(make_sessionmaker(engine), client=client, sending_enabled=False)
    assert report.moved == 1
    assert _dossier(db, "472915").status == "rejected"
    assert "Tàu nằm trong danh sách IUU" in history(db, "472915")[-1]
    assert "khong duoc chap nhan" in _messages(db, "472915")[-1]
