"""The hotline over HTTP as Twilio drives it: TwiML parsed, the database checked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from callcenter.app import create_app
from ivr.settings import InsecureSettingWarning, Settings, SettingsRefused
from models.call import Call, CallEvent
from models.dossier import Dossier, DossierEvent
from models.message import Message
from models.vessel import Vessel
from tests.conftest import PUBLIC_BASE, sign
from tests.ivr.voice import VoiceCaller


def count(db: Session, model: type) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_a_call_leaves_one_draft_dossier_and_reads_its_reference(
    client: TestClient, db: Session, registry: list[Vessel]
) -> None:
    phone = VoiceCaller(client)
    first = phone.ring()
    assert first.verbs() == ["Say", "Gather", "Redirect"]
    assert "ghi âm" in first.said()  # the notice says the call is recorded
    phone.keys("2", "90567")
    assert "Nguyễn Văn Tàu" in phone.answers[-1].said()
    assert "chín, không, năm, sáu, bảy" in phone.answers[-1].said()  # read digit by digit
    phone.press("1")
    done = phone.press("1")
    assert done.verbs()[-1] == "Hangup"

    dossier = db.scalars(select(Dossier)).one()
    assert (dossier.procedure, dossier.variant, dossier.channel, dossier.status) == (
        "vessel_safety_certificate", None, "ivr", "draft",
    )
    assert dossier.vessel_registration == "QNg-90567-TS" and dossier.vessel_verified
    assert dossier.applicant_phone == "+84987654321" and dossier.call_sid == phone.sid
    spoken = ", ".join(["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"][int(d)]
                       for d in dossier.reference)
    assert spoken in done.said()

    sms = db.scalars(select(Message)).one()
    assert sms.to_number == "+84987654321" and dossier.reference in sms.body
    assert sms.status == "recorded"  # no Twilio credentials: kept, not sent
    assert sms.body.isascii() and len(sms.body) <= 160

    call = db.scalars(select(Call)).one()
    assert call.outcome == "dossier_created" and call.dossier_reference == dossier.reference
    assert call.consent_notice_version and call.consent_at is not None


def test_the_status_callback_closes_the_call_with_duration_and_outcome(
    client: TestClient, db: Session, registry: list[Vessel]
) -> None:
    phone = VoiceCaller(client)
    phone.ring()
    phone.keys("1", "1", "90567", "1", "1")
    phone.hang_up(61)
    call = db.scalars(select(Call)).one()
    assert (call.duration_s, call.outcome, call.ended_at is not None) == (61, "dossier_created", True)


def test_a_caller_who_hangs_up_in_a_menu_is_abandoned_there(client: TestClient, db: Session) -> None:
    phone = VoiceCaller(client)
    phone.ring()
    phone.press("1")
    phone.hang_up(20)
    call = db.scalars(select(Call)).one()
    assert (call.outcome, call.abandoned_menu) == ("abandoned", "licence_variant")


def test_the_registered_owner_is_offered_their_vessel(client: TestClient, db: Session, registry: list[Vessel]) -> None:
    phone = VoiceCaller(client, caller="0905123456")  # national form, as some carriers send
    phone.ring()
    offered = phone.keys("1", "2")
    assert "Nguyễn Văn Tàu" in offered.said()
    phone.keys("1", "1")
    dossier = db.scalars(select(Dossier)).one()
    assert (dossier.variant, dossier.vessel_registration, dossier.applicant_name) == (
        "reissue", "QNg-90567-TS", "Nguyễn Văn Tàu",
    )


def test_an_unknown_vessel_goes_on_unverified(client: TestClient, db: Session) -> None:
    phone = VoiceCaller(client)
    phone.ring()
    phone.keys("2", "12345", "2", "1")
    dossier = db.scalars(select(Dossier)).one()
    assert dossier.vessel_registration == "QNg-12345-TS" and not dossier.vessel_verified
    assert dossier.vessel_id is None


def test_a_repeated_webhook_gets_the_same_answer_and_no_second_dossier(
    client: TestClient, db: Session, registry: list[Vessel]
) -> None:
    phone = VoiceCaller(client)
    phone.ring()
    again = phone.ring()
    assert again.text == phone.answers[0].text
    phone.keys("2", "90567", "1")
    confirm_url = phone.answers[-1].next_url()
    done = phone.post(confirm_url, Digits="1")
    repeat = phone.post(confirm_url, Digits="1")
    assert repeat.text == done.text
    assert count(db, Dossier) == 1 and count(db, Message) == 1 and count(db, Call) == 1
    events_before = count(db, CallEvent)
    phone.post(confirm_url, Digits="1")
    assert count(db, CallEvent) == events_before


def test_a_restart_between_two_steps_loses_nothing(
    client: TestClient, settings: Settings, db: Session, registry: list[Vessel]
) -> None:
    phone = VoiceCaller(client)
    phone.ring()
    phone.keys("1", "1", "90567")
    # A new process: a fresh app with its own engine and nothing in memory.
    with TestClient(create_app(settings)) as restarted:
        phone.client = restarted
        phone.keys("1", "1")
    dossier = db.scalars(select(Dossier)).one()
    assert (dossier.procedure, dossier.variant, dossier.vessel_registration) == (
        "fishing_licence", "new", "QNg-90567-TS",
    )


def test_two_workers_answering_one_call_by_turns_keep_it_whole(
    client: TestClient, settings: Settings, db: Session, registry: list[Vessel]
) -> None:
    # Behind a load balancer one call's webhooks land on any worker, and each worker keeps
    # the calls it answered in memory: what one keeps must never outvote what the other
    # wrote since.
    with TestClient(create_app(settings)) as other:
        phone = VoiceCaller(client)
        phone.ring()
        phone.press("2")  # worker A keeps the call at the vessel entry
        phone.client = other
        phone.press("90567")  # worker B moves it to the read-back
        phone.client = client
        readback = phone.press("3")  # A's memory is a turn behind: it must read the call afresh
        assert "chín, không, năm, sáu, bảy" in readback.said()  # "3" is no answer: heard again
        retry_url = readback.next_url()
        phone.client = other
        phone.press("1")  # B confirms the vessel
        confirm_url = phone.answers[-1].next_url()
        done = phone.post(confirm_url, Digits="1")  # B confirms the dossier
        phone.client = client
        repeat = phone.post(confirm_url, Digits="1")  # Twilio's retry lands on A
        stale = phone.post(retry_url, Digits="1")  # and an old step too
    assert repeat.text == done.text and done.verbs()[-1] == "Hangup"
    assert "Hangup" in stale.verbs() or "Gather" in stale.verbs()
    assert count(db, Dossier) == 1 and count(db, Message) == 1
    dossier = db.scalars(select(Dossier)).one()
    assert dossier.vessel_registration == "QNg-90567-TS" and dossier.vessel_verified


def test_silence_then_wrong_keys_reach_an_operator_in_opening_hours(
    client: TestClient, settings: Settings, db: Session
) -> None:
    settings.hotline_force = "open"
    phone = VoiceCaller(client)
    phone.ring()
    assert "chưa nhận được phím" in phone.silence().said()
    assert "không có trong menu" in phone.press("8").said()
    last = phone.press("9")
    assert last.verbs()[-1] == "Enqueue"
    phone.hang_up(45)
    call = db.scalars(select(Call)).one()
    assert call.outcome == "transferred"


def test_outside_opening_hours_the_third_miss_records_a_call_back_request(
    client: TestClient, settings: Settings, db: Session
) -> None:
    settings.hotline_force = "closed"
    phone = VoiceCaller(client)
    phone.ring()
    phone.silence()
    phone.silence()
    last = phone.silence()
    assert "Record" in last.verbs()
    record = last.root.find("Record")
    assert record is not None
    phone.post(str(record.get("action")), RecordingUrl="https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE1",
               RecordingDuration="7")
    phone.hang_up(70)
    call = db.scalars(select(Call)).one()
    assert call.outcome == "callback_requested" and call.recording_url is not None


@pytest.mark.parametrize("path", ["/twilio/voice", "/twilio/voice/status", "/twilio/voice/step/1"])
def test_unsigned_or_badly_signed_webhooks_get_403_and_store_nothing(
    client: TestClient, db: Session, path: str
) -> None:
    params = {"CallSid": "CA" + "9" * 32, "From": "+84987654321", "To": "+842553818558", "Digits": "1"}
    assert client.post(path, data=params).status_code == 403
    bad = sign(PUBLIC_BASE + path, params, token="not-the-token")
    assert client.post(path, data=params, headers={"X-Twilio-Signature": bad}).status_code == 403
    tampered = sign(PUBLIC_BASE + path, params)
    assert client.post(path, data={**params, "Digits": "2"}, headers={"X-Twilio-Signature": tampered}).status_code == 403
    assert count(db, Call) == 0 and count(db, CallEvent) == 0


def test_the_signature_is_checked_against_the_public_url_not_the_host_behind_the_proxy(
    client: TestClient, db: Session
) -> None:
    params = {"CallSid": "CA" + "8" * 32, "From": "+84987654321", "To": "+842553818558"}
    # Signed for the URL the proxy received: our view of the request (testserver) differs.
    internal = sign("http://testserver/twilio/voice", params)
    assert client.post("/twilio/voice", data=params, headers={"X-Twilio-Signature": internal}).status_code == 403
    public = sign(PUBLIC_BASE + "/twilio/voice", params)
    r = client.post("/twilio/voice", data=params,
                    headers={"X-Twilio-Signature": public, "Host": "10.0.0.5:8000", "X-Forwarded-Proto": "http"})
    assert r.status_code == 200 and count(db, Call) == 1


JUNK = ["", "#", "**", "0" * 60, "1" * 5000, "abc", "١٢٣", "💥", "'; DROP TABLE dossiers;--", "%00", "\x00",
        "\n", "-1", "1.5", "9" * 20]


def test_junk_input_never_breaks_a_call(client: TestClient, db: Session, registry: list[Vessel]) -> None:
    for i, junk in enumerate(JUNK):
        phone = VoiceCaller(client, sid=f"CA{i:032d}")
        phone.ring()
        for path in ("main", "entry"):
            answer = phone.post(phone.answers[-1].next_url(), Digits=junk)
            assert answer.verbs(), junk
            if path == "main":
                phone.press("2")
    assert count(db, Dossier) == 0


def test_missing_fields_and_odd_urls_still_get_twiml(client: TestClient, db: Session) -> None:
    for path, params in [
        ("/twilio/voice", {}),
        ("/twilio/voice", {"From": "+84987654321"}),
        ("/twilio/voice/step/1", {"CallSid": "CAunknown"}),
        ("/twilio/voice/step/abc", {"CallSid": "CAunknown", "Digits": "1"}),
        ("/twilio/voice/step/1?timeout=zz", {"CallSid": "CA" + "x" * 200}),
        ("/twilio/voice/recorded", {"CallSid": "CAunknown"}),
    ]:
        r = client.post(path, data=params, headers={"X-Twilio-Signature": sign(PUBLIC_BASE + path, params)})
        assert r.status_code == 200, (path, r.text)
        assert r.headers["content-type"].startswith("text/xml")
        assert "<Response>" in r.text and "<Say" in r.text


def test_the_app_refuses_to_start_without_a_twilio_token(settings: Settings) -> None:
    with pytest.raises(SettingsRefused, match="TWILIO_AUTH_TOKEN"):
        create_app(settings.model_copy(update={"twilio_auth_token": None}))


def test_switching_validation_off_is_loud(settings: Settings) -> None:
    with pytest.warns(InsecureSettingWarning, match="NOT checked"):
        settings.model_copy(update={"twilio_auth_token": None, "twilio_validate": False}).check_can_serve()


def test_every_step_of_the_call_is_an_event_with_its_time(client: TestClient, db: Session, registry: list[Vessel]) -> None:
    phone = VoiceCaller(client)
    phone.ring()
    phone.keys("2", "90567", "1", "1")
    phone.hang_up(50)
    events = db.scalars(select(CallEvent).order_by(CallEvent.id)).all()
    kinds = [e.kind for e in events]
    assert {"menu", "key", "prompt", "consent", "dossier", "outcome"} <= set(kinds)
    consent = next(e for e in events if e.kind == "consent")
    assert consent.key == "2" and consent.detail and consent.detail["notice_version"]
    assert [e.key for e in events if e.kind == "key"] == ["2", "90567", "1", "1"]
    assert all(e.at is not None for e in events)


@contextmanager
def messages_refused(engine: Engine) -> Iterator[None]:
    """The database refuses every new message row while inside (a trigger), as a full
    disk or a broken table would: a fault in the middle of the step's writes."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(
                "CREATE FUNCTION refuse_message() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'messages unavailable'; END $$"
            ))
            conn.execute(text(
                "CREATE TRIGGER refuse_message BEFORE INSERT ON messages "
                "FOR EACH ROW EXECUTE FUNCTION refuse_message()"
            ))
        else:
            conn.execute(text(
                "CREATE TRIGGER refuse_message BEFORE INSERT ON messages "
                "BEGIN SELECT RAISE(ABORT, 'messages unavailable'); END"
            ))
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TRIGGER refuse_message" + (
                " ON messages" if engine.dialect.name == "postgresql" else "")))
            if engine.dialect.name == "postgresql":
                conn.execute(text("DROP FUNCTION refuse_message()"))


def test_a_fault_while_the_draft_is_written_keeps_nothing_of_that_step(
    client: TestClient, db: Session, engine: Engine, registry: list[Vessel]
) -> None:
    # The SMS receipt is written after the draft: failing there must take the draft, its
    # history and the step back with it, or the caller would be told to call again about
    # a dossier that half exists.
    phone = VoiceCaller(client)
    phone.ring()
    phone.keys("2", "90567", "1")
    confirm_url = phone.answers[-1].next_url()
    events_before = count(db, CallEvent)
    with messages_refused(engine):
        apology = phone.post(confirm_url, Digits="1")
    assert "Xin lỗi" in apology.said() and apology.verbs()[-1] in ("Enqueue", "Record", "Hangup")
    assert count(db, Dossier) == 0 and count(db, Message) == 0 and count(db, DossierEvent) == 0
    assert count(db, CallEvent) == events_before

    done = phone.post(confirm_url, Digits="1")  # Twilio's retry, the fault gone: the step is whole
    assert done.verbs()[-1] == "Hangup"
    assert count(db, Dossier) == 1 and count(db, Message) == 1


def test_the_app_refuses_to_start_without_a_long_secret_key(settings: Settings) -> None:
    for secret in ("", "short-secret"):
        with pytest.raises(SettingsRefused, match="SECRET_KEY must be set to at least 32"):
            create_app(settings.model_copy(update={"secret_key": secret}))


def test_demo_mode_starts_without_a_secret_key_but_says_so(settings: Settings) -> None:
    demo = settings.model_copy(update={"secret_key": "", "demo_mode": True})
    with pytest.warns(InsecureSettingWarning, match="DEMO_MODE"):
        demo.check_can_serve()
    assert len(demo.secret_key) >= 32


def test_a_fault_on_an_operators_leg_hangs_up_instead_of_queueing_them_as_a_citizen(
    app: FastAPI, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.hotline_force = "open"

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("ivr.queue.webhooks.operator_leg", broken)
    monkeypatch.setattr("ivr.queue.webhooks._answer", lambda session, params, work, fault, where: work())
    params = {"CallSid": "CA" + "a" * 32, "From": "client:vanhanh", "Caller": "client:vanhanh", "To": ""}
    client = TestClient(app, raise_server_exceptions=False)  # as uvicorn: the handler answers
    r = client.post("/twilio/voice/operator", data=params,
                    headers={"X-Twilio-Signature": sign(PUBLIC_BASE + "/twilio/voice/operator", params)})
    assert r.status_code == 200 and "<Hangup" in r.text
    assert "<Enqueue" not in r.text and "Xin lỗi" not in r.text
