"""SMS to the hotline over HTTP as Twilio sends it: replies read from TwiML, the database checked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ivr.prompts import load_catalogue
from ivr.sms import service
from ivr.sms.replies import help_text, plain
from models.base import utcnow
from models.dossier import STATUSES, Dossier
from models.message import Message
from models.vessel import Vessel
from tests.conftest import PUBLIC_BASE, sign
from tests.ivr.sms.conftest import Texter

CATALOGUE = load_catalogue()
HOTLINE = "(0255) 3 818 558"


def count(db: Session, model: type, *where: object) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def dossiers(db: Session) -> list[Dossier]:
    db.expire_all()
    return list(db.scalars(select(Dossier).order_by(Dossier.id)))


def one_segment(reply: str | None) -> str:
    assert reply is not None
    assert reply.isascii() and len(reply) <= 160, (len(reply), reply)
    return reply


@pytest.mark.parametrize(
    ("body", "procedure", "variant"),
    [("GP 90567", "fishing_licence", "new"), ("gp.cl 90567", "fishing_licence", "reissue"),
     ("A T qng90567ts", "vessel_safety_certificate", None)],
)
def test_a_request_leaves_the_same_draft_a_call_would_and_replies_its_reference(
    texter: Texter, db: Session, registry: list[Vessel], body: str, procedure: str, variant: str | None
) -> None:
    reply = one_segment(texter.send(body))
    [dossier] = dossiers(db)
    assert (dossier.procedure, dossier.variant, dossier.channel, dossier.status) == (procedure, variant, "sms", "draft")
    assert dossier.vessel_registration == "QNg-90567-TS" and dossier.vessel_verified
    assert dossier.vessel_id == registry[0].id and dossier.applicant_phone == "+84987654321"
    assert f"Ma ho so: {dossier.reference}" in reply and "QNg-90567-TS" in reply
    assert [e.by for e in dossier.history] == ["sms"]

    inbound = db.scalars(select(Message).where(Message.direction == "in")).one()
    assert (inbound.status, inbound.from_number, inbound.body, inbound.dossier_id) == ("received", "+84987654321", body, dossier.id)
    assert inbound.twilio_sid == texter.sent[-1]
    outbound = db.scalars(select(Message).where(Message.direction == "out")).one()
    assert (outbound.to_number, outbound.body, outbound.dossier_id) == ("+84987654321", reply, dossier.id)


def test_the_registered_owner_texting_from_a_national_number_is_named_on_the_draft(
    client: TestClient, db: Session, registry: list[Vessel]
) -> None:
    Texter(client, number="0905123456").send("AT 90567")
    [dossier] = dossiers(db)
    assert dossier.applicant_phone == "+84905123456" and dossier.applicant_name == "Nguyễn Văn Tàu"


def test_an_unknown_vessel_leaves_an_unverified_draft_and_the_reply_says_an_operator_will_call(
    texter: Texter, db: Session, registry: list[Vessel]
) -> None:
    reply = one_segment(texter.send("GP 11111"))
    [dossier] = dossiers(db)
    assert (dossier.vessel_registration, dossier.vessel_verified, dossier.vessel_id) == ("QNg-11111-TS", False, None)
    assert dossier.reference in reply
    assert "tau QNg-11111-TS (se kiem tra)" in reply and "Dien thoai vien se goi lai ong/ba" in reply
    assert "gio lam viec" in reply or "tu 7h30" in reply  # and says when


def test_a_repeated_message_sid_gets_the_same_reply_and_has_one_effect(
    texter: Texter, db: Session, registry: list[Vessel]
) -> None:
    first = texter.send("GP 90567", sid="SM" + "a" * 32)
    again = texter.send("GP 90567", sid="SM" + "a" * 32)
    assert first == again
    assert len(dossiers(db)) == 1
    assert count(db, Message, Message.direction == "in") == 1 and count(db, Message, Message.direction == "out") == 1


def test_the_same_request_again_gets_the_waiting_drafts_reference_not_a_second_draft(
    texter: Texter, db: Session, registry: list[Vessel]
) -> None:
    texter.send("GP 90567")
    again = one_segment(texter.send("gp qng-90567-ts"))
    [dossier] = dossiers(db)
    assert dossier.reference in again and "da duoc ghi nhan" in again
    # A different procedure for the same vessel is a different request.
    texter.send("GP CL 90567")
    assert len(dossiers(db)) == 2


def test_the_same_request_once_an_operator_has_taken_the_draft_is_a_new_draft(
    texter: Texter, db: Session, registry: list[Vessel]
) -> None:
    texter.send("AT 90567")
    db.execute(update(Dossier).values(status="in_progress"))
    db.commit()
    texter.send("AT 90567")
    assert len(dossiers(db)) == 2


def test_ten_requests_in_a_minute_are_slowed_not_served_ten_drafts(
    texter: Texter, db: Session, registry: list[Vessel]
) -> None:
    replies = [texter.send(f"GP {90000 + i}") for i in range(10)]
    assert len(dossiers(db)) == 3
    assert all("Ma ho so" in r for r in replies[:3] if r)
    assert all(r is not None and "nhieu yeu cau" in r for r in replies[3:5])
    assert replies[5] is not None and "doi vai phut" in replies[5]
    assert replies[6:] == [None] * 4  # no reply at all: an auto-responder cannot ping-pong with us
    assert count(db, Message, Message.direction == "in") == 10  # every message is still kept


def test_a_flooding_sender_does_not_slow_anyone_else(client: TestClient, db: Session, registry: list[Vessel]) -> None:
    noisy = Texter(client, number="+84911000111")
    for _ in range(8):
        noisy.send("HD")
    assert noisy.send("GP 90567") is None
    reply = Texter(client, number="+84922000222").send("GP 90567")
    assert reply is not None and "Ma ho so" in reply


def test_once_the_window_has_passed_the_sender_is_served_again(
    texter: Texter, db: Session, registry: list[Vessel]
) -> None:
    for i in range(6):
        texter.send(f"GP {90000 + i}")
    assert len(dossiers(db)) == 3
    earlier = utcnow() - timedelta(minutes=11)
    db.execute(update(Message).values(created_at=earlier))
    db.execute(update(Dossier).values(created_at=earlier))
    db.commit()
    reply = texter.send("GP 90567")
    assert reply is not None and "Ma ho so" in reply and len(dossiers(db)) == 4


@pytest.mark.parametrize("body", ["HD", "huong dan", "?", "xin chao", "Alo"])
def test_help_and_anything_not_understood_get_the_help_text(texter: Texter, db: Session, body: str) -> None:
    assert texter.send(body) == help_text(HOTLINE)
    assert dossiers(db) == []


@pytest.mark.parametrize(("body", "says"), [("GP", "Thieu so tau"), ("AT tau toi", "So tau chua dung"),
                                             ("TT 1234", "6 chu so")])
def test_a_keyword_with_a_bad_argument_is_told_how_to_write_it(texter: Texter, db: Session, body: str, says: str) -> None:
    reply = one_segment(texter.send(body))
    assert says in reply and "Soan:" in reply
    assert dossiers(db) == []


def _dossier(db: Session, *, reference: str, phone: str, status: str = "processing", **extra: object) -> Dossier:
    values: dict[str, object] = {"procedure": "vessel_safety_certificate", "variant": None, "channel": "ivr",
                                 "vessel_registration": "QNg-90567-TS", **extra}
    dossier = Dossier(reference=reference, status=status, applicant_phone=phone, fields={}, **values)
    db.add(dossier)
    db.commit()
    return dossier


@pytest.mark.parametrize("status", STATUSES)
def test_tt_reads_where_the_senders_newest_dossier_stands(texter: Texter, db: Session, status: str) -> None:
    _dossier(db, reference="472915", phone=texter.number, status=status, onestop_due_date=date(2026, 12, 3),
             postal_tracking_number="EB123456785VN")
    reply = one_segment(texter.send("TT"))
    assert "472915" in reply
    assert plain(CATALOGUE.phrase("status", status)) in reply
    assert "03/12/2026" in reply
    # The tracking number once the result is on its way, not on a dossier still in the office.
    assert ("EB123456785VN" in reply) == (status in ("result_ready", "in_transit", "delivered"))


def test_tt_names_the_newest_and_lists_the_others(texter: Texter, db: Session) -> None:
    _dossier(db, reference="111111", phone=texter.number, status="delivered")
    _dossier(db, reference="222222", phone=texter.number, status="draft")
    _dossier(db, reference="333333", phone="+84905000999", status="draft")
    reply = one_segment(texter.send("tt"))
    assert reply.startswith("Ho so 222222") and "111111" in reply and "333333" not in reply


def test_tt_with_a_reference_reads_the_owner_everything(texter: Texter, db: Session) -> None:
    _dossier(db, reference="472915", phone=texter.number, status="in_transit",
             onestop_due_date=date(2026, 12, 3), postal_tracking_number="EB123456785VN")
    reply = one_segment(texter.send("TT 472915"))
    assert "EB123456785VN" in reply and "03/12/2026" in reply


def test_someone_elses_reference_gets_status_and_dates_only(client: TestClient, db: Session) -> None:
    owner = _dossier(db, reference="472915", phone="+84905000999", status="in_transit",
                     onestop_due_date=date(2026, 12, 3), postal_tracking_number="EB123456785VN",
                     applicant_name="Nguyễn Văn Tàu")
    reply = one_segment(Texter(client, number="+84911222333").send("TT 472915"))
    assert plain(CATALOGUE.phrase("status", "in_transit")) in reply and "03/12/2026" in reply
    assert "EB123456785VN" not in reply and "Nguyen" not in reply and "QNg-90567-TS" not in reply
    # Nor is the stranger's question filed among the owner's messages.
    assert count(db, Message, Message.dossier_id == owner.id) == 0


def test_tt_without_dossiers_or_with_an_unknown_reference(texter: Texter, db: Session) -> None:
    assert "chua co ho so" in one_segment(texter.send("TT"))
    assert "Khong tim thay ho so ma 555555" in one_segment(texter.send("TT 555555"))


def test_a_bad_signature_is_refused_and_changes_nothing(client: TestClient, db: Session) -> None:
    params = {"MessageSid": "SM" + "b" * 32, "From": "+84987654321", "To": "+842553818558", "Body": "GP 90567"}
    assert client.post("/twilio/sms", data=params).status_code == 403
    forged = sign(PUBLIC_BASE + "/twilio/sms", {**params, "Body": "HD"})
    assert client.post("/twilio/sms", data=params, headers={"X-Twilio-Signature": forged}).status_code == 403
    assert count(db, Message) == 0 and dossiers(db) == []


def test_an_internal_fault_replies_with_an_apology_and_the_hotline_never_a_5xx(
    texter: Texter, db: Session, registry: list[Vessel], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> Dossier:
        raise RuntimeError("database went away")

    monkeypatch.setattr(service, "create_draft", broken)
    reply = one_segment(texter.send("GP 90567"))
    assert "su co" in reply and HOTLINE in reply
    assert count(db, Message) == 0  # rolled back: Twilio's retry would be answered afresh


def test_a_message_without_a_sid_gets_no_reply_and_changes_nothing(client: TestClient, db: Session) -> None:
    params = {"From": "+84987654321", "To": "+842553818558", "Body": "GP 90567"}
    r = client.post("/twilio/sms", data=params, headers={"X-Twilio-Signature": sign(PUBLIC_BASE + "/twilio/sms", params)})
    assert r.status_code == 200 and "<Message>" not in r.text
    assert count(db, Message) == 0


def test_tt_names_a_household_business_dossier_in_words(texter: Texter, db: Session) -> None:
    """Filed on the mobile site, asked about by SMS: the reply names the procedure in plain
    words, never `household_business_registration`, and stays one segment."""
    _dossier(db, reference="583016", phone=texter.number, status="submitted", channel="web",
             procedure="household_business_registration", vessel_registration=None,
             onestop_due_date=date(2026, 12, 3))
    reply = one_segment(texter.send("TT"))
    assert reply.startswith("Ho so 583016 (dang ky ho kinh doanh): ")
    assert "household" not in reply and "_" not in reply
    assert one_segment(texter.send("TT 583016")).startswith("Ho so 583016 (dang ky ho kinh doanh)")
