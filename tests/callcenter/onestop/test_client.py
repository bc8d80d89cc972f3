"""The HTTP client against a faked one-stop system: what the outbox worker gets to decide on."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from callcenter.onestop.client import (
    HttpOneStopClient,
    OneStopAuthFailed,
    OneStopNotFound,
    OneStopRejected,
    OneStopUnavailable,
)
from callcenter.onestop.schemas import Application
from tests.callcenter.onestop.conftest import application_body

BASE = "https://dvc.quangngai.example.vn/api"
Handler = Callable[[httpx.Request], httpx.Response]


def dossier_json(status: str = "received", postal: dict[str, str] | None = None) -> dict[str, Any]:
    body = application_body()
    return {
        "code": "000.00.53.H48-270203-0001",
        "procedure": body["procedure"],
        "applicant": body["applicant"],
        "externalCode": "472915",
        "appliedDate": "2027-02-03T09:00:00+07:00",
        "acceptedDate": "2027-02-03T09:05:00+07:00",
        # Late evening in Vietnam is already the next day in UTC: the due date is local.
        "appointmentDate": "2027-02-18T17:00:00Z",
        "dossierStatus": {"id": 0, "code": status, "name": "…"},
        "statusComment": None,
        "postal": postal,
        "somethingTheProvinceAddedLater": {"x": 1},
    }


def client_for(handler: Handler, api_key: str | None = "secret-key") -> HttpOneStopClient:
    return HttpOneStopClient(
        base_url=BASE + "/", api_key=api_key, http=httpx.Client(transport=httpx.MockTransport(handler))
    )


def test_apply_sends_the_application_with_token_and_idempotency_key(
    make_application: Callable[..., Application],
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=dossier_json())

    receipt = client_for(handler).apply(make_application(), idempotency_key="outbox-17")
    request = seen[0]
    assert (request.method, str(request.url)) == ("POST", f"{BASE}/pa/dossier/--apply-online")
    assert request.headers["Authorization"] == "Bearer secret-key"
    assert request.headers["Idempotency-Key"] == "outbox-17"
    sent = json.loads(request.content)
    assert sent["applicant"]["identityNumber"] == "051070001234"
    assert sent["eForm"]["data"]["registrationNumber"] == "QNg-90567-TS"
    assert receipt.code == "000.00.53.H48-270203-0001"
    assert receipt.due_date is not None and receipt.due_date.isoformat() == "2027-02-19"
    assert receipt.status == "submitted"


def test_no_token_header_when_no_key_is_configured(make_application: Callable[..., Application]) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=dossier_json())

    client_for(handler, api_key=None).apply(make_application(), idempotency_key="k")
    assert "Authorization" not in seen[0].headers


def test_a_timeout_means_try_again_later(make_application: Callable[..., Application]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    with pytest.raises(OneStopUnavailable, match="timed out"):
        client_for(handler).apply(make_application(), idempotency_key="k")


def test_a_refused_connection_means_try_again_later() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(OneStopUnavailable):
        client_for(handler).get("000.00.53.H48-270203-0001")


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_server_trouble_means_try_again_later_when_it_says(
    status: int, make_application: Callable[..., Application]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers={"Retry-After": "30"}, text="<html>Bảo trì</html>")

    with pytest.raises(OneStopUnavailable) as caught:
        client_for(handler).apply(make_application(), idempotency_key="k")
    assert not isinstance(caught.value, OneStopRejected)
    assert caught.value.retry_after == 30.0


def test_a_validation_error_fails_for_good_with_the_fields_named(
    make_application: Callable[..., Application],
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={
            "error": "invalid_application",
            "message": "Hồ sơ không hợp lệ",
            "errors": [{"field": "applicant.identityNumber", "message": "mã tỉnh 999 không có trong danh mục"}],
        })

    with pytest.raises(OneStopRejected) as caught:
        client_for(handler).apply(make_application(), idempotency_key="k")
    assert caught.value.status_code == 422
    assert caught.value.errors == (("applicant.identityNumber", "mã tỉnh 999 không có trong danh mục"),)
    assert caught.value.reason == "Hồ sơ không hợp lệ: applicant.identityNumber: mã tỉnh 999 không có trong danh mục"


def test_a_refused_token_is_an_admins_problem_not_the_dossiers(
    make_application: Callable[..., Application],
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "unauthorized", "message": "Sai mã truy cập"})

    with pytest.raises(OneStopAuthFailed, match="ONESTOP_API_KEY") as caught:
        client_for(handler).apply(make_application(), idempotency_key="k")
    assert isinstance(caught.value, OneStopUnavailable)  # the outbox keeps it for later


def test_a_wrong_base_url_is_not_a_rejection(make_application: Callable[..., Application]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="Not Found")

    with pytest.raises(OneStopUnavailable, match="ONESTOP_BASE_URL"):
        client_for(handler).apply(make_application(), idempotency_key="k")


def test_an_unknown_code_is_reported_as_not_found() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["code"] == "000.00.53.H48-270203-9999"
        return httpx.Response(404, json={"error": "not_found", "message": "Không tìm thấy hồ sơ"})

    with pytest.raises(OneStopNotFound):
        client_for(handler).get("000.00.53.H48-270203-9999")


def test_an_answer_that_is_not_a_dossier_is_retried_not_trusted(
    make_application: Callable[..., Application],
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>captive portal</html>")

    with pytest.raises(OneStopUnavailable):
        client_for(handler).apply(make_application(), idempotency_key="k")


@pytest.mark.parametrize(
    ("onestop", "postal", "ours"),
    [
        ("received", None, "submitted"),
        ("being_processed", None, "processing"),
        ("more_documents_requested", None, "processing"),
        ("result_ready", None, "result_ready"),
        ("returned", {"trackingNumber": "EB123456785VN", "status": "in_transit"}, "in_transit"),
        ("returned", {"trackingNumber": "EB123456785VN", "status": "delivered"}, "delivered"),
        ("returned", None, "delivered"),
        ("refused", None, "rejected"),
        ("processing_stopped", None, "rejected"),
    ],
)
def test_one_stop_states_map_to_our_dossier_statuses(
    onestop: str, postal: dict[str, str] | None, ours: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=dossier_json(onestop, postal))

    status = client_for(handler).get("000.00.53.H48-270203-0001")
    assert (status.onestop_status, status.status) == (onestop, ours)
    assert status.tracking_number == (postal or {}).get("trackingNumber")
