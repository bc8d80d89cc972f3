"""The fisher on the line: addressed as "ông/bà", told the opening hours and when an
operator will call back, and a returning caller's call is shorter than a first one.

Webhooks are signed as Twilio signs them; the TwiML is parsed as Twilio reads it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.calls.consent import caller_has_consented
from ivr.flow.state import Digits
from ivr.hours import callback_promise, opening_hours_text
from ivr.intake.drafts import Draft
from ivr.intake.receipts import draft_receipt
from ivr.prompts import load_catalogue
from ivr.settings import Settings
from ivr.sms import replies
from ivr.twiml import render_step
from models.call import Call
from models.vessel import Vessel
from tests.bench.speech import FIRST_CALL_TARGET_S, RETURNING_CALL_TARGET_S, measure, report
from tests.ivr.flow.fakes import RUNTIME, VESSEL_90567, FakeWorld, Phone
from tests.ivr.voice import VoiceCaller

CATALOGUE = load_catalogue()
NOTICE = CATALOGUE.notice_version
MONDAY_9 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Monday 09:00 in Quảng Ngãi
FRIDAY_EVENING = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # Friday 19:00
BẠN = re.compile(r"\bbạn\b", re.IGNORECASE)


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_every_prompt_addresses_the_caller_as_ong_ba_never_ban() -> None:
    texts = {**CATALOGUE.prompts, **{f"{g}.{k}": v for g, t in CATALOGUE.phrases.items() for k, v in t.items()}}
    assert not [name for name, text in texts.items() if BẠN.search(text)]
    # Every prompt that speaks to the caller (not a menu of options alone) says "ông bà".
    speaking_to = ("greeting_notice", "greeting_returning", "confirm", "done", "invalid_key", "no_input",
                   "invalid_entry", "operator_connecting", "callback_offer", "callback_thanks", "apology",
                   "goodbye", "status_newest", "vessel_known")
    assert [n for n in speaking_to
            if "ông bà" not in CATALOGUE.prompts[n].casefold() and "Số máy này" not in CATALOGUE.prompts[n]] == []


def test_sms_texts_address_the_fisher_as_ong_ba(client: TestClient) -> None:
    texts = [
        draft_receipt(Draft(1, "482915", "fishing_licence", "new", "QNg-90567-TS", True), catalogue=CATALOGUE),
        replies.too_many_drafts("(0255) 3 818 558"), replies.slow_down(),
        replies.draft_created(reference="482915", procedure="fishing_licence", variant=None,
                              vessel="QNg-90567-TS", verified=True, catalogue=CATALOGUE),
    ]
    for text in texts:
        assert not re.search(r"\bban\b", text, re.IGNORECASE), text
    assert "ong/ba" in texts[0] and "ong/ba" in texts[1].lower()
    guide = client.get("/huong-dan").text
    assert not BẠN.search(guide) and "ông/bà" in guide
    assert "Điện thoại viên làm việc từ 7 giờ 30 đến 17 giờ, thứ Hai đến thứ Sáu" in guide  # the hours printed


def test_the_opening_hours_are_told_as_configured() -> None:
    assert opening_hours_text(_settings()) == "từ 7 giờ 30 đến 17 giờ, thứ Hai đến thứ Sáu"
    six_days = _settings(opening_time=time(8, 0), closing_time=time(16, 30),
                         opening_days="mon,tue,wed,thu,fri,sat")
    assert opening_hours_text(six_days) == "từ 8 giờ đến 16 giờ 30, thứ Hai đến thứ Bảy"
    assert opening_hours_text(_settings(opening_days="mon,wed,fri")).endswith("thứ Hai, thứ Tư và thứ Sáu")


def test_the_call_back_promise_follows_the_hours_and_the_calendar() -> None:
    s = _settings()
    assert callback_promise(MONDAY_9, s).spoken == "trong vòng 4 giờ làm việc"
    assert callback_promise(MONDAY_9, _settings(callbacks={"promise_hours": 2})).sms == "trong vong 2 gio lam viec"
    friday = callback_promise(FRIDAY_EVENING, s)  # the weekend in between
    assert friday.spoken == "từ 7 giờ 30, thứ Hai ngày 7 tháng 12" and friday.sms == "tu 7h30 ngay 07/12"
    assert callback_promise(MONDAY_9 - timedelta(hours=3), s).spoken == "từ 7 giờ 30 hôm nay"  # 06:00
    assert callback_promise(MONDAY_9 + timedelta(hours=11), s).spoken == "từ 7 giờ 30 ngày mai"  # 20:00
    before_tet = callback_promise(datetime(2027, 2, 5, 11, 0, tzinfo=UTC), s)  # Friday before Tết 2027
    assert "tháng 2" in before_tet.spoken and "ngày 8 tháng 2" not in before_tet.spoken  # Tết is closed


def test_the_out_of_hours_prompt_carries_the_configured_hours(
    client: TestClient, settings: Settings
) -> None:
    settings.hotline_force = "closed"
    settings.opening_time, settings.closing_time = time(8, 0), time(16, 30)
    settings.opening_days = "mon,tue,wed,thu,fri,sat"
    phone = VoiceCaller(client)
    phone.ring()
    last = phone.press("0")
    assert "Record" in last.verbs()
    said = last.said()
    assert "từ 8 giờ đến 16 giờ 30, thứ Hai đến thứ Bảy" in said
    assert "Điện thoại viên sẽ gọi lại ông bà" in said


def test_the_end_of_a_call_says_when_an_operator_calls_back() -> None:
    phone = Phone(FakeWorld(caller_owns=VESSEL_90567))
    for key in ("2", "1", "1"):
        phone.press(Digits(key))
    phone.last.state.reference = "482915"
    twiml = render_step(phone.last, turn=4, catalogue=RUNTIME.catalogue, settings=_settings(), now=FRIDAY_EVENING)
    assert "Điện thoại viên sẽ gọi lại ông bà từ 7 giờ 30, thứ Hai ngày 7 tháng 12" in twiml
    twiml = render_step(phone.last, turn=4, catalogue=RUNTIME.catalogue, settings=_settings(), now=MONDAY_9)
    assert "trong vòng 4 giờ làm việc" in twiml


def test_the_sms_receipt_says_when_and_stays_one_segment() -> None:
    # Every name an SMS gives a procedure (a key is a code, or a code and variant: looked up
    # as it stands), with an unverified vessel and either promise.
    for key in CATALOGUE.phrases["procedure_sms"]:
        draft = Draft(1, "482915", key, None, "QNg-90567-TS", False)
        for now in (MONDAY_9, FRIDAY_EVENING):
            text = draft_receipt(draft, catalogue=CATALOGUE, promise=callback_promise(now, _settings()))
            assert len(text) <= 160 and text.isascii(), (len(text), text)
            assert "482915" in text
    worst = Draft(1, "482915", "vessel_safety_certificate", None, "QNg-90567-TS", False)
    assert "tu 7h30 ngay 07/12" in draft_receipt(worst, catalogue=CATALOGUE,
                                                 promise=callback_promise(FRIDAY_EVENING, _settings()))


def test_a_returning_caller_hears_a_short_reminder_they_can_interrupt() -> None:
    first = Phone(FakeWorld(caller_owns=VESSEL_90567))
    returning = Phone(FakeWorld(caller_owns=VESSEL_90567, consented_to=frozenset({NOTICE})))
    older_notice = Phone(FakeWorld(caller_owns=VESSEL_90567, consented_to=frozenset({"2025-01-01"})))
    assert first.prompts() == ["greeting_notice", "main_menu"] == older_notice.prompts()
    assert returning.prompts() == ["greeting_returning", "main_menu"]
    assert all(say.barge_in for say in returning.last.says)  # the reminder too
    twiml = render_step(returning.last, turn=1, catalogue=RUNTIME.catalogue, settings=_settings())
    gather = twiml[twiml.index("<Gather"):]
    assert "như đã thông báo" in gather  # inside the gather: a key stops it
    first_twiml = render_step(first.last, turn=1, catalogue=RUNTIME.catalogue, settings=_settings())
    assert first_twiml.index("lưu một năm") < first_twiml.index("<Gather")  # the notice heard in full
    returning.press(Digits("2"))
    assert [e.kind for e in returning.last.effects] == ["consent"]  # going on is consent again


def test_the_returning_callers_path_is_shorter_than_a_first_call_and_within_the_targets() -> None:
    figures = {f.name: f for f in measure()}
    print("\n" + report(list(figures.values())))
    first, returning = figures["known caller, first call"], figures["known caller, returning"]
    assert returning.seconds < first.seconds and returning.presses == first.presses == 3
    assert first.seconds <= FIRST_CALL_TARGET_S and returning.seconds <= RETURNING_CALL_TARGET_S
    # Counted to the end of the call (the reference twice, the promise, the goodbye) too.
    assert first.whole_seconds <= FIRST_CALL_TARGET_S and returning.whole_seconds <= RETURNING_CALL_TARGET_S
    assert figures["unknown caller"].presses == 9  # 2, 9 0 5 6 7 #, 1, 1: no key added


def test_consent_is_looked_up_by_number_and_notice_version(db: Session) -> None:
    db.add(Call(call_sid="CA" + "6" * 32, from_number="+84905123456", flow_version="2026-12-04",
                consent_notice_version=NOTICE, consent_at=MONDAY_9))
    db.add(Call(call_sid="CA" + "7" * 32, from_number="+84911111111", flow_version="2026-12-04"))
    db.commit()
    assert caller_has_consented(db, phone="+84905123456", notice_version=NOTICE)
    assert not caller_has_consented(db, phone="+84905123456", notice_version="2027-01-01")
    assert not caller_has_consented(db, phone="+84911111111", notice_version=NOTICE)  # never went on
    assert not caller_has_consented(db, phone="", notice_version=NOTICE)


def test_a_second_call_from_a_number_that_consented_skips_the_full_notice(
    client: TestClient, db: Session, registry: list[Vessel]
) -> None:
    first = VoiceCaller(client, caller="+84905123456", sid="CA" + "1" * 32)
    heard = first.ring()
    assert "lưu một năm" in heard.said()
    first.press("2")  # goes on: consent to this notice version
    first.hang_up(20)
    second = VoiceCaller(client, caller="+84905123456", sid="CA" + "2" * 32)
    again = second.ring()
    assert "như đã thông báo" in again.said() and "lưu một năm" not in again.said()
    gather = again.gather()
    assert gather is not None and "như đã thông báo" in " ".join(s.text or "" for s in gather.iter("Say"))
    calls = db.scalars(select(Call).order_by(Call.id)).all()
    assert calls[0].consent_notice_version == NOTICE
