"""A webhook's form as Twilio encodes it: every field arrives exactly as signed."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ivr.signature import form_fields
from tests.conftest import PUBLIC_BASE, sign

# What a caller or a carrier can put in a field: Vietnamese, signs that url-encoding
# treats specially, an empty value, a repeated name.
AWKWARD = [
    ("CallSid", "CA" + "7" * 32), ("From", "+84987654321"), ("To", "+842553818558"),
    ("CallerName", "Nguyễn Văn Tàu & con"), ("Digits", "1#*"), ("Note", "a+b=c%d;e"), ("Empty", ""),
    ("Repeat", "first"), ("Repeat", "last"),
]


def _echo_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, str]:
        return await form_fields(request)

    return app


def test_url_encoded_fields_come_out_as_they_were_sent() -> None:
    with TestClient(_echo_app()) as client:
        for body in (urlencode(AWKWARD), urlencode(AWKWARD, quote_via=quote)):  # '+' or %20 for spaces
            r = client.post("/echo", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert r.json() == {**dict(AWKWARD[:-2]), "Repeat": "last"}


def test_a_multipart_form_is_still_read() -> None:
    with TestClient(_echo_app()) as client:
        r = client.post("/echo", data={"CallSid": "CA1", "CallerName": "Trần Thị Biển"}, files={"x": b"1"})
    assert r.json() == {"CallSid": "CA1", "CallerName": "Trần Thị Biển"}


def test_a_webhook_with_awkward_fields_passes_the_signature_check(client: TestClient, db: Session) -> None:
    params = dict(AWKWARD[:-2])
    signature = sign(PUBLIC_BASE + "/twilio/voice", params)
    r = client.post("/twilio/voice", content=urlencode(params),
                    headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                             "X-Twilio-Signature": signature})
    assert r.status_code == 200 and "<Gather" in r.text


def test_a_flood_of_fields_is_refused_before_anything_else(client: TestClient, db: Session) -> None:
    flood = urlencode([(f"f{i}", "1") for i in range(1500)])  # within the body limit, past the fields
    r = client.post("/twilio/voice/step/1", content=flood,
                    headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"})
    # A form nobody can verify is refused as an unsigned one: 403, never a bare 400.
    assert r.status_code == 403


def test_a_broken_multipart_form_on_a_voice_path_is_a_403_not_a_400(client: TestClient, db: Session) -> None:
    broken = b"--b\r\nContent-Disposition: form-data; name=\"CallSid\"\r\n\r\nCA1"  # never closed
    r = client.post("/twilio/voice", content=broken,
                    headers={"Content-Type": "multipart/form-data; boundary=b", "X-Twilio-Signature": "x"})
    assert r.status_code == 403


def test_more_multipart_parts_than_a_form_allows_never_fit_a_webhooks_body(client: TestClient, db: Session) -> None:
    # 1,200 parts (Starlette reads at most 1,000) take more than the 32 KB a webhook may send.
    parts = b"".join(b"--b\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\n1\r\n" % i for i in range(1200))
    r = client.post("/twilio/voice/recorded", content=parts + b"--b--\r\n",
                    headers={"Content-Type": "multipart/form-data; boundary=b", "X-Twilio-Signature": "x"})
    assert r.status_code == 413


def test_a_webhook_body_past_its_limit_is_413_whatever_its_signature(client: TestClient, db: Session) -> None:
    big = urlencode({"CallSid": "CA1", "Body": "x" * 40_000})
    r = client.post("/twilio/sms", content=big,
                    headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"})
    assert r.status_code == 413
    assert "quá lớn (tối đa 32 KB" in r.json()["detail"]
