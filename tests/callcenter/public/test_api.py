"""The public API (contract section 9) over HTTP: codes by SMS, sessions, filing, reading."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.auth.tokens import create_access_token
from callcenter.outbox.worker import OutboxWorker
from ivr.settings import Settings
from models.dossier import Dossier
from models.message import Message
from models.otp import OneTimeCode
from models.user import User
from models.vessel import Vessel
from tests.callcenter.notify.conftest import FakeTwilio
from tests.callcenter.public.conftest import OTHER_PHONE, OWNER_PHONE, SignIn, bearer, texted_code
from tests.callcenter.public.payloads import PROCEDURES, filing

OTP, SESSION, DOSSIERS = "/api/v1/public/otp", "/api/v1/public/session", "/api/v1/public/dossiers"


def test_the_catalogue_offers_five_procedures_with_their_attachments(client: TestClient) -> None:
    answer = client.get("/api/v1/public/procedures")
    assert answer.status_code == 200
    by_code = {p["code"]: p for p in answer.json()}
    assert set(by_code) == set(PROCEDURES)
    assert by_code["fishing_licence"]["needs_vessel"] and not by_code["promotion_notice"]["needs_vessel"]
    termination = by_code["household_business_termination"]
    assert {"name": "registration_certificate", "label": "Giấy chứng nhận đăng ký hộ kinh doanh",
            "required": True} in termination["attachments"]
    assert by_code["promotion_notice"]["agency"] == "Sở Công Thương tỉnh Quảng Ngãi"


def test_a_code_by_sms_wrong_codes_limited_and_the_right_one_opens_a_session(
    client: TestClient, worker: OutboxWorker, twilio: FakeTwilio, db: Session
) -> None:
    sent = client.post(OTP, json={"phone": "0905 123 456"})
    assert sent.status_code == 202
    assert worker.drain().done == 1
    code = texted_code(twilio, OWNER_PHONE)
    assert twilio.accepted[-1]["From"] == "+842553818558"
    stored = db.scalars(select(OneTimeCode)).one()
    assert code not in stored.code_hash and len(stored.code_hash) == 64  # only a keyed hash is kept

    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        answer = client.post(SESSION, json={"phone": OWNER_PHONE, "code": wrong})
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"] == ["body", "code"]
        assert "không đúng" in answer.json()["detail"][0]["msg"]
    # Five wrong tries and the code is dead, even the right one.
    assert client.post(SESSION, json={"phone": OWNER_PHONE, "code": code}).status_code == 422

    client.post(OTP, json={"phone": OWNER_PHONE})
    worker.drain()
    fresh = texted_code(twilio, OWNER_PHONE)
    opened = client.post(SESSION, json={"phone": OWNER_PHONE, "code": fresh})
    assert opened.status_code == 200
    assert set(opened.json()) == {"token", "expires_at"}
    # Used once: the same code opens nothing again, and its SMS no longer holds it.
    assert client.post(SESSION, json={"phone": OWNER_PHONE, "code": fresh}).status_code == 422
    db.expire_all()
    assert not any(fresh in m.body for m in db.scalars(select(Message)))


def test_an_expired_code_opens_nothing(client: TestClient, worker: OutboxWorker, twilio: FakeTwilio,
                                       db: Session) -> None:
    client.post(OTP, json={"phone": OWNER_PHONE})
    worker.drain()
    code = texted_code(twilio, OWNER_PHONE)
    row = db.scalars(select(OneTimeCode)).one()
    row.expires_at = row.created_at  # five minutes have passed
    db.commit()
    assert client.post(SESSION, json={"phone": OWNER_PHONE, "code": code}).status_code == 422


def test_a_known_and_an_unknown_phone_get_the_same_answer(client: TestClient, vessel: Vessel) -> None:
    known = client.post(OTP, json={"phone": OWNER_PHONE})
    unknown = client.post(OTP, json={"phone": OTHER_PHONE})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())


def test_codes_are_limited_per_phone_and_per_client_address(client: TestClient) -> None:
    for _ in range(3):
        assert client.post(OTP, json={"phone": OWNER_PHONE}).status_code == 202
    refused = client.post(OTP, json={"phone": OWNER_PHONE})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "quá nhiều lần" in refused.json()["detail"]
    # One address asking for many phones is stopped too (20 by default).
    phones = [f"+8491200{n:04d}" for n in range(17)]
    answers = [client.post(OTP, json={"phone": p}).status_code for p in phones]
    assert answers[:16] == [202] * 16 and answers[16] == 429


# The hotline's landline, and a short service number whose first digit is a mobile one's.
@pytest.mark.parametrize("phone", ["0255 3818 558", "0799 4567"])
def test_a_phone_number_that_cannot_take_an_sms_is_refused_in_vietnamese(client: TestClient, phone: str) -> None:
    answer = client.post(OTP, json={"phone": phone})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "phone"]
    assert "di động" in answer.json()["detail"][0]["msg"]


@pytest.mark.parametrize("procedure", PROCEDURES)
def test_each_procedure_is_filed_as_a_web_draft_on_the_verified_phone(
    procedure: str, client: TestClient, sign_in: SignIn, vessel: Vessel, db: Session, worker: OutboxWorker,
    twilio: FakeTwilio,
) -> None:
    token = sign_in(OWNER_PHONE)
    answer = client.post(DOSSIERS, json=filing(procedure), headers=bearer(token))
    assert answer.status_code == 201, answer.text
    reference = answer.json()["reference"]
    dossier = db.scalars(select(Dossier).where(Dossier.reference == reference)).one()
    assert (dossier.channel, dossier.status, dossier.applicant_phone) == ("web", "draft", OWNER_PHONE)
    assert dossier.applicant_name == "Nguyễn Văn Tàu"
    assert dossier.applicant_address == {"line": "Thôn An Vĩnh", "commune": "Đặc khu Lý Sơn", "district": None,
                                         "province": "Quảng Ngãi"}
    if procedure in ("fishing_licence", "vessel_safety_certificate"):
        assert (dossier.vessel_registration, dossier.vessel_verified) == ("QNg-90567-TS", True)
    else:
        assert dossier.vessel_registration is None
    worker.drain()
    receipt = twilio.accepted[-1]
    assert receipt["To"] == OWNER_PHONE and reference in receipt["Body"]
    assert receipt["Body"].isascii()  # GSM-7: no diacritics
    mine = client.get(DOSSIERS, headers=bearer(token)).json()["items"]
    assert [d["reference"] for d in mine] == [reference]
    assert mine[0]["status_label"] and mine[0]["channel"] == "web"


def test_every_bad_value_is_named_by_its_path_in_vietnamese(client: TestClient, sign_in: SignIn) -> None:
    token = sign_in(OTHER_PHONE)
    body = filing("promotion_notice")
    body["applicant"] = {"id_number": "051085001235x", "address": {"commune": "Cẩm Thành"}}
    body["fields"] = {**body["fields"], "trader_tax_code": "0300588560", "start_date": "2020-01-01",
                      "colour": "đỏ"}
    answer = client.post(DOSSIERS, json=body, headers=bearer(token))
    assert answer.status_code == 422
    errors = {".".join(e["loc"][1:]): e["msg"] for e in answer.json()["detail"]}
    assert "sai chữ số kiểm tra" in errors["fields.trader_tax_code"]
    assert "ngày làm việc" in errors["fields.start_date"]
    assert "12 chữ số" in errors["applicant.id_number"]
    assert errors["applicant.name"] == "Chưa có họ tên người nộp."
    assert "fields.colour" in errors and "applicant.address.line" in errors
    shape = client.post(DOSSIERS, json={"procedure": "promotion_notice", "applicant": "Tàu"}, headers=bearer(token))
    assert shape.json()["detail"][0]["msg"] == "Phải là một nhóm mục (đối tượng JSON)."
    none = client.post(DOSSIERS, json={**filing("promotion_notice"), "procedure": "passport"}, headers=bearer(token))
    assert none.json()["detail"][0]["msg"] == "Thủ tục này không nộp được qua điện thoại."


def test_another_phones_token_sees_nothing_of_this_ones(
    client: TestClient, sign_in: SignIn, vessel: Vessel, db: Session, settings: Settings
) -> None:
    owner, other = sign_in(OWNER_PHONE), sign_in(OTHER_PHONE)
    reference = client.post(DOSSIERS, json=filing("fishing_licence"), headers=bearer(owner)).json()["reference"]
    assert client.get(DOSSIERS, headers=bearer(other)).json()["items"] == []
    assert client.get(f"{DOSSIERS}/{reference}", headers=bearer(other)).status_code == 404
    assert client.get(f"{DOSSIERS}/{reference}", headers=bearer(owner)).status_code == 200
    attached = client.post(f"{DOSSIERS}/{reference}/attachments", headers=bearer(other),
                           data={"name": "safety_certificate"}, files={"file": ("a.pdf", b"%PDF-1.4\n%%EOF")})
    assert attached.status_code == 404
    assert client.get(DOSSIERS).status_code == 401
    # A citizen's token is no staff token, and the reverse.
    assert client.get("/api/v1/dossiers", headers=bearer(owner)).status_code == 401
    assert client.get(DOSSIERS, headers=bearer("not.a.token")).status_code == 401
    staff = create_access_token(user=User(id=1, role="supervisor"), secret_key=settings.secret_key, minutes=5)
    assert client.get(DOSSIERS, headers=bearer(staff)).status_code == 401


def test_one_phone_cannot_flood_the_queue_with_dossiers(
    client: TestClient, sign_in: SignIn, settings: Settings
) -> None:
    settings.mobile.dossiers_per_phone = "2/day"
    token = sign_in(OTHER_PHONE)
    answers = [client.post(DOSSIERS, json=filing("promotion_notice"), headers=bearer(token)).status_code
               for _ in range(3)]
    assert answers == [201, 201, 429]


def test_without_twilio_the_code_is_logged_in_demo_mode_only(
    client: TestClient, settings: Settings, db: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.twilio_account_sid = None  # nothing can be texted
    settings.demo_mode = False
    client.post(OTP, json={"phone": OWNER_PHONE})
    assert "demo_one_time_code" not in capsys.readouterr().out
    assert [m.body for m in db.scalars(select(Message))] == [
        "DVC Quang Ngai: ma xac thuc cua ong/ba la ******, dung trong 5 phut. Khong dua ma nay cho bat ky ai."
    ]  # recorded, never sent, and holding no live code
    settings.demo_mode = True
    client.post(OTP, json={"phone": OTHER_PHONE})
    logged = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)  # the console's colours
    assert "demo_one_time_code" in logged
    code = re.search(r"\bcode='?(\d{6})", logged)
    assert code is not None
    assert client.post(SESSION, json={"phone": OTHER_PHONE, "code": code.group(1)}).status_code == 200
