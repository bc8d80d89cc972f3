"""The status line (menu key 3) over the webhooks: what a caller hears about a dossier.

The owner's number hears the newest dossier with its due date and postal tracking
number; any other number keys a reference and hears status and dates only.
"""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.prompts import load_catalogue
from ivr.speech import digits_spoken
from models.call import Call
from models.dossier import STATUSES, Dossier
from tests.ivr.voice import VoiceCaller

CATALOGUE = load_catalogue()
OWNER = "+84905123456"
DUE = date(2026, 12, 3)
DUE_SPOKEN = "ngày 3 tháng 12 năm 2026"
TRACKING = "EB123456785VN"
TRACKING_SPOKEN = "E, B, một, hai, ba, bốn, năm, sáu, bảy, tám, năm, V, N"


def dossier(db: Session, reference: str, *, status: str = "in_transit", phone: str = OWNER, **extra: object) -> Dossier:
    values: dict[str, object] = {"procedure": "fishing_licence", "variant": "reissue", "channel": "ivr",
                                 "applicant_name": "Nguyễn Văn Tàu", "vessel_registration": "QNg-90567-TS"}
    row = Dossier(reference=reference, status=status, applicant_phone=phone, fields={}, **{**values, **extra})
    db.add(row)
    db.commit()
    return row


@pytest.mark.parametrize("status", STATUSES)
def test_the_owner_hears_the_newest_dossier_in_every_status(client: TestClient, db: Session, status: str) -> None:
    dossier(db, "472915", status=status, onestop_due_date=DUE, postal_tracking_number=TRACKING)
    phone = VoiceCaller(client, caller="0905123456")  # national form: still the owner
    phone.ring()
    heard = phone.press("3").said()
    assert CATALOGUE.phrase("status", status) in heard
    assert digits_spoken("472915", CATALOGUE) in heard  # the reference, digit by digit
    assert "cấp lại giấy phép khai thác thủy sản" in heard
    assert DUE_SPOKEN in heard and TRACKING_SPOKEN in heard
    assert phone.answers[-1].gather() is not None  # then the status menu: another reference, or a person


def test_a_dossier_without_due_date_or_tracking_reads_neither(client: TestClient, db: Session) -> None:
    dossier(db, "472915", status="draft")
    phone = VoiceCaller(client, caller=OWNER)
    phone.ring()
    heard = phone.press("3").said()
    assert CATALOGUE.phrase("status", "draft") in heard
    assert "Ngày hẹn trả" not in heard and "Mã bưu gửi" not in heard


def test_the_newest_of_several_is_read(client: TestClient, db: Session) -> None:
    dossier(db, "111111", status="delivered")
    dossier(db, "222222", status="processing")
    phone = VoiceCaller(client, caller=OWNER)
    phone.ring()
    heard = phone.press("3").said()
    assert digits_spoken("222222", CATALOGUE) in heard and CATALOGUE.phrase("status", "processing") in heard
    assert digits_spoken("111111", CATALOGUE) not in heard


@pytest.mark.parametrize("status", STATUSES)
def test_another_number_keys_the_reference_and_hears_status_and_dates_only(
    client: TestClient, db: Session, status: str
) -> None:
    dossier(db, "472915", status=status, onestop_due_date=DUE, postal_tracking_number=TRACKING)
    phone = VoiceCaller(client, caller="+84911222333")
    phone.ring()
    assert "6 chữ số của mã hồ sơ" in phone.press("3").said()  # no dossiers on this number: asked for one
    heard = phone.press("472915").said()
    assert CATALOGUE.phrase("status", status) in heard and DUE_SPOKEN in heard
    assert TRACKING_SPOKEN not in heard and "Mã bưu gửi" not in heard
    assert "Nguyễn Văn Tàu" not in heard and "chín, không, năm, sáu, bảy" not in heard  # nothing personal


def test_the_owner_keying_their_own_reference_hears_the_tracking_number(client: TestClient, db: Session) -> None:
    dossier(db, "472915", status="in_transit", onestop_due_date=DUE, postal_tracking_number=TRACKING)
    dossier(db, "111111", status="processing")  # the newest, read first
    phone = VoiceCaller(client, caller=OWNER)
    phone.ring()
    assert digits_spoken("111111", CATALOGUE) in phone.press("3").said()
    phone.press("1")  # another dossier by reference
    heard = phone.press("472915").said()
    assert TRACKING_SPOKEN in heard and DUE_SPOKEN in heard


def test_an_unknown_reference_is_read_back_and_can_be_keyed_again(client: TestClient, db: Session) -> None:
    dossier(db, "472915", status="processing")
    phone = VoiceCaller(client, caller="+84911222333")
    phone.ring()
    phone.press("3")
    heard = phone.press("555555").said()
    assert "Không tìm thấy hồ sơ mã" in heard and digits_spoken("555555", CATALOGUE) in heard
    phone.press("1")
    assert CATALOGUE.phrase("status", "processing") in phone.press("472915").said()


def test_reading_a_status_is_the_calls_outcome(client: TestClient, db: Session) -> None:
    dossier(db, "472915", status="processing")
    phone = VoiceCaller(client, caller=OWNER)
    phone.ring()
    phone.press("3")
    phone.hang_up(30)
    db.expire_all()
    call = db.scalars(select(Call)).one()
    assert call.outcome == "status_read"  # self-service, not an abandoned call


def test_a_household_business_dossier_filed_on_the_mobile_site_is_named_not_coded(
    client: TestClient, db: Session
) -> None:
    """A citizen who filed on /m calls and presses 3: the procedure is read out in words,
    never as its code, whether the number is theirs or they key the reference."""
    dossier(db, "583016", status="submitted", procedure="household_business_registration", variant=None,
            channel="web", vessel_registration=None, applicant_name="Trần Thị Hoa")
    phone = VoiceCaller(client, caller=OWNER)
    phone.ring()
    heard = phone.press("3").said()
    assert "Hồ sơ mới nhất của ông bà" in heard and digits_spoken("583016", CATALOGUE) in heard
    assert "đăng ký thành lập hộ kinh doanh" in heard and "household" not in heard
    other = VoiceCaller(client, caller="+84911222333", sid="CA" + "2" * 32)
    other.ring()
    other.press("3")
    keyed = other.press("583016").said()
    assert "đăng ký thành lập hộ kinh doanh" in keyed and "_" not in keyed
