"""Claim, complete, submit, release: what an operator sees happen to a dossier."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.dossiers.patch_schemas import DossierPatch
from callcenter.dossiers.service import (
    ClaimConflict,
    DossierInvalid,
    DossierNotEditable,
    DossierNotFound,
    claim_dossier,
    queue,
    release_claim,
    release_idle_claims,
    submit_dossier,
    update_dossier,
)
from models.audit import AuditEntry
from models.base import utcnow
from models.dossier import Dossier
from models.outbox import OutboxEntry
from models.user import User
from tests.callcenter.dossiers.conftest import CITIZEN_ID, complete_values, history, in_days, make_dossier


def patch(**body: object) -> DossierPatch:
    return DossierPatch.model_validate(body)


def test_claiming_a_draft_starts_work_on_it_and_says_who(db: Session, vana: User) -> None:
    make_dossier(db)
    dossier = claim_dossier(db, reference="472915", user=vana, ip="10.0.0.7")
    db.commit()
    assert (dossier.status, dossier.claimed_by_id) == ("in_progress", vana.id)
    assert history(db, "472915")[-1] == "Nhận xử lý hồ sơ; trạng thái: nháp → đang hoàn thiện"
    audit = db.scalars(select(AuditEntry)).one()
    assert (audit.actor, audit.action, audit.target, audit.ip) == (
        "vana",
        "claim",
        "dossier:472915",
        "10.0.0.7",
    )


def test_claiming_again_only_refreshes_the_claim(db: Session, vana: User) -> None:
    make_dossier(db)
    claim_dossier(db, reference="472915", user=vana)
    db.commit()
    claim_dossier(db, reference="472915", user=vana)
    db.commit()
    assert len(history(db, "472915")) == 2  # created, claimed once


def test_a_dossier_held_by_another_operator_names_the_holder(db: Session, vana: User, thib: User) -> None:
    make_dossier(db)
    claim_dossier(db, reference="472915", user=vana)
    db.commit()
    with pytest.raises(ClaimConflict) as caught:
        claim_dossier(db, reference="472915", user=thib)
    assert caught.value.holder == "vana"
    assert "vana" in str(caught.value)
    with pytest.raises(ClaimConflict):
        update_dossier(db, reference="472915", user=thib, patch=patch(applicant={"name": "Lê Văn C"}))


def test_an_idle_claim_can_be_taken_over_and_is_released_by_the_sweep(
    db: Session, vana: User, thib: User
) -> None:
    make_dossier(db, "100001")
    make_dossier(db, "100002")
    long_ago = utcnow() - timedelta(minutes=45)
    claim_dossier(db, reference="100001", user=vana, now=long_ago)
    claim_dossier(db, reference="100002", user=vana, now=long_ago)
    db.commit()

    claim_dossier(db, reference="100001", user=thib)  # vana left it for 45 minutes
    db.commit()
    assert "Nhận xử lý hồ sơ (thay vana" in history(db, "100001")[-1]

    assert release_idle_claims(db, idle=timedelta(minutes=30)) == 1
    db.commit()
    db.expire_all()
    assert db.scalars(select(Dossier.claimed_by_id).where(Dossier.reference == "100002")).one() is None
    assert history(db, "100002")[-1] == "Hồ sơ trở về hàng chờ vì để quá 30 phút không ai thao tác"
    assert db.scalars(select(Dossier.claimed_by_id).where(Dossier.reference == "100001")).one() == thib.id


def test_release_gives_the_dossier_back_and_only_the_holder_may(db: Session, vana: User, thib: User) -> None:
    make_dossier(db)
    claim_dossier(db, reference="472915", user=vana)
    db.commit()
    with pytest.raises(ClaimConflict):
        release_claim(db, reference="472915", user=thib)
    release_claim(db, reference="472915", user=vana)
    db.commit()
    assert [item.dossier.reference for item in queue(db, limit=10).items] == ["472915"]
    release_claim(db, reference="472915", user=vana)  # nothing held: a no-op, no error


def test_editing_normalises_and_records_what_changed(db: Session, vana: User) -> None:
    make_dossier(db)
    dossier = update_dossier(
        db,
        reference="472915",
        user=vana,
        patch=patch(
            applicant={
                "name": "  Nguyễn   Văn Tám ",
                "id_number": "051 070 001 234",
                "phone": "01655123456",  # the old 11-digit form
                "address": {"line": "Thôn An Hải", "commune": "Đặc khu Lý Sơn", "province": "Quảng Ngãi"},
            },
            fields={"main_gear": "luoi vay", "fishing_zone": "KHƠI", "port": "Cảng cá Sa Kỳ"},
            delivery={"method": "post"},
        ),
    )
    db.commit()
    assert dossier.status == "in_progress" and dossier.claimed_by_id == vana.id
    assert (dossier.applicant_name, dossier.applicant_id_number, dossier.applicant_phone) == (
        "Nguyễn Văn Tám",
        CITIZEN_ID,
        "+84355123456",
    )
    assert dossier.fields == {"main_gear": "lưới vây", "fishing_zone": "khơi", "port": "Cảng cá Sa Kỳ"}
    assert dossier.applicant_address == {
        "line": "Thôn An Hải",
        "commune": "Đặc khu Lý Sơn",
        "district": None,
        "province": "Quảng Ngãi",
    }
    last = history(db, "472915")[-1]
    assert last.startswith("Cập nhật họ tên người nộp; số căn cước; số điện thoại")
    assert "Nghề khai thác chính: lưới vây" in last
    assert CITIZEN_ID not in last  # personal numbers stay out of the history
    assert db.scalars(select(AuditEntry.action)).all() == ["claim", "edit"]


def test_every_bad_value_is_named_by_its_path_and_nothing_changes(db: Session, vana: User) -> None:
    make_dossier(db, procedure="vessel_safety_certificate", variant=None)
    with pytest.raises(DossierInvalid) as caught:
        update_dossier(
            db,
            reference="472915",
            user=vana,
            patch=patch(
                applicant={"id_number": "212345678", "phone": "12345", "address": {"line": "Thôn 1"}},
                fields={"inspection_date": in_days(-2), "inspection_place": "nhà tôi", "main_gear": "câu"},
                delivery={"method": "drone", "address": {"line": "x", "commune": "Tịnh Kỳ"}},
            ),
        )
    errors = caught.value.errors
    assert set(errors) == {
        "applicant.id_number",
        "applicant.phone",
        "applicant.address.commune",
        "applicant.address.province",
        "fields.inspection_date",
        "fields.inspection_place",
        "fields.main_gear",
        "delivery.method",
        "delivery.address.province",
    }
    assert "CMND 9 số" in errors["applicant.id_number"]
    assert "đã qua" in errors["fields.inspection_date"]
    assert "Trung tâm tỉnh, 54 Hùng Vương" in errors["fields.inspection_place"]
    db.rollback()
    db.expire_all()
    dossier = db.scalars(select(Dossier)).one()
    assert (dossier.status, dossier.claimed_by_id, dossier.applicant_id_number) == ("draft", None, None)


def test_reissue_fields_belong_to_the_reissue_only(db: Session, vana: User) -> None:
    make_dossier(db, "100001", variant="new")
    with pytest.raises(DossierInvalid) as caught:
        update_dossier(db, reference="100001", user=vana, patch=patch(fields={"licence_number": "123/GP"}))
    assert list(caught.value.errors) == ["fields.licence_number"]
    make_dossier(db, "100002", variant="reissue")
    dossier = update_dossier(
        db, reference="100002", user=vana, patch=patch(fields={"licence_number": "123/GP"})
    )
    assert dossier.fields == {"licence_number": "123/GP"}


def test_null_clears_a_field_and_dates_are_stored_iso(db: Session, vana: User) -> None:
    make_dossier(db, procedure="vessel_safety_certificate", variant=None, fields={"port": "Sa Huỳnh"})
    day = in_days(5)
    dd_mm_yyyy = "/".join(reversed(day.split("-")))
    dossier = update_dossier(
        db, reference="472915", user=vana, patch=patch(fields={"port": None, "inspection_date": dd_mm_yyyy})
    )
    assert dossier.fields == {"inspection_date": day}


def test_submit_lists_everything_missing(db: Session, vana: User) -> None:
    make_dossier(db, variant="reissue", applicant_phone=None)
    with pytest.raises(DossierInvalid) as caught:
        submit_dossier(db, reference="472915", user=vana)
    assert {
        "applicant.name",
        "applicant.id_number",
        "applicant.phone",
        "applicant.address.commune",
        "fields.main_gear",
        "fields.fishing_zone",
        "fields.port",
        "fields.licence_number",
        "fields.reissue_reason",
        "delivery.method",
    } <= set(caught.value.errors)
    assert caught.value.errors["fields.reissue_reason"] == "Chưa điền: Lý do cấp lại."
    db.rollback()
    assert db.scalars(select(OutboxEntry)).all() == []


def test_submit_queues_one_delivery_in_the_same_transaction(db: Session, vana: User) -> None:
    make_dossier(db, **complete_values())
    dossier = submit_dossier(db, reference="472915", user=vana)
    db.commit()
    assert (dossier.status, dossier.claimed_by_id) == ("submitting", None)
    assert dossier.submitted_at is not None
    # Nobody holds it any more, but who handled it is kept: the supervisor counts it.
    assert dossier.handled_by_id == vana.id and dossier.handled_at is not None
    entry = db.scalars(select(OutboxEntry)).one()
    assert (entry.kind, entry.idempotency_key) == ("onestop.submit", "onestop:472915:1")
    application = entry.payload["application"]
    assert application["applicant"]["identityNumber"] == CITIZEN_ID
    assert application["eForm"]["data"]["mainGear"] == "lưới vây"
    assert application["resultDelivery"]["address"] == "Thôn An Hải, Đặc khu Lý Sơn, Quảng Ngãi"
    assert history(db, "472915")[-1] == "Nộp hồ sơ lên hệ thống một cửa (đang gửi)"

    with pytest.raises(DossierNotEditable):  # a second press of the button
        submit_dossier(db, reference="472915", user=vana)
    with pytest.raises(DossierNotEditable):
        update_dossier(db, reference="472915", user=vana, patch=patch(fields={"port": "Tịnh Kỳ"}))
    assert len(db.scalars(select(OutboxEntry)).all()) == 1


def test_history_tells_only_what_changed(db: Session, vana: User) -> None:
    make_dossier(db)
    update_dossier(db, reference="472915", user=vana, patch=patch(
        applicant={"name": "Lê Văn Sáu", "id_number": None, "phone": None},
        fields={"port": "Sa Kỳ", "secondary_gear": None, "captain_certificate": ""},
    ))
    db.commit()
    said = history(db, "472915")[-1]
    assert "họ tên người nộp" in said and "Cảng cá đăng ký cập tàu: Sa Kỳ" in said
    assert "xóa" not in said and "số căn cước" not in said  # never filled: nothing "cleared"
    before = len(history(db, "472915"))
    update_dossier(db, reference="472915", user=vana, patch=patch(  # the same form saved again
        applicant={"name": "Lê Văn Sáu"}, fields={"port": "Sa Kỳ", "secondary_gear": None},
    ))
    db.commit()
    assert len(history(db, "472915")) == before  # no change, no line


def test_an_inspection_date_that_passed_since_it_was_typed_blocks_submit(db: Session, vana: User) -> None:
    values = complete_values(
        fields={
            "inspection_kind": "định kỳ",
            "inspection_place": "Trung tâm tỉnh, 54 Hùng Vương",
            "inspection_date": in_days(-1),
        }
    )
    make_dossier(db, procedure="vessel_safety_certificate", variant=None, **values)
    with pytest.raises(DossierInvalid) as caught:
        submit_dossier(db, reference="472915", user=vana)
    assert list(caught.value.errors) == ["fields.inspection_date"]


def test_unknown_reference(db: Session, vana: User) -> None:
    with pytest.raises(DossierNotFound):
        claim_dossier(db, reference="999999", user=vana)


def test_queue_is_oldest_first_with_waiting_time_and_skips_held_and_filed(db: Session, vana: User) -> None:
    now = utcnow()
    for n, minutes in enumerate((50, 40, 30, 20, 10)):
        make_dossier(db, f"10000{n}", created_at=now - timedelta(minutes=minutes))
    make_dossier(db, "200000", created_at=now - timedelta(hours=2), status="submitted")
    claim_dossier(db, reference="100001", user=vana)
    db.commit()

    first = queue(db, limit=2, now=now)
    assert [i.dossier.reference for i in first.items] == ["100000", "100002"]
    assert first.items[0].waiting == timedelta(minutes=50)
    second = queue(db, limit=2, cursor=first.next_cursor, now=now)
    assert [i.dossier.reference for i in second.items] == ["100003", "100004"]
    assert second.next_cursor is None
    with pytest.raises(DossierInvalid):
        queue(db, limit=2, cursor="not-a-cursor")
