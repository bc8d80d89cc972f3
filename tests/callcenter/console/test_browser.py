"""The console in a real Chromium (Debian's), driven by Playwright against uvicorn.

Few tests, each a whole task an operator does; every wait is on a selector, none on time.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.console.queue import OPEN_STREAMS
from models.dossier import Dossier
from models.vessel import Vessel
from tests import browser as live
from tests.browser import Browser, Page, expect, new_context, requires_chromium
from tests.callcenter.console.conftest import PASSWORD, MakeDraft, MakeUser, csrf_of

pytestmark = requires_chromium

# The shared live server and Chromium: pytest finds fixtures among the module's attributes.
server = live.server
browser = live.browser


@pytest.fixture
def new_page(browser: Browser, server: str) -> Iterator[object]:
    contexts = []

    def make() -> Page:
        context = new_context(browser, server)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/console/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_login_good_bad_and_slowed_down(new_page, make_user: MakeUser) -> None:  # type: ignore[no-untyped-def]
    make_user("vana", "operator", full_name="Nguyễn Văn A")
    make_user("thid", "operator")
    page = new_page()
    _log_in(page, "vana", "sai-mat-khau-1")
    expect(page.locator("#login-error")).to_have_text("Sai tên đăng nhập hoặc mật khẩu.")
    # After the third wrong password in a row, each next one must wait (1 s, 2 s, 4 s…).
    for _ in range(8):
        _log_in(page, "thid", "sai-mat-khau-1")
        if "quá nhiều lần" in page.locator("#login-error").inner_text():
            break
    expect(page.locator("#login-error")).to_contain_text("Đăng nhập quá nhiều lần. Vui lòng thử lại sau")
    # Only that username waits: a colleague at the same desk logs in at once.
    _log_in(page, "vana")
    expect(page.locator("h1")).to_have_text("Hồ sơ chờ xử lý")
    expect(page.locator("header.top")).to_contain_text("Nguyễn Văn A")


def test_live_queue_claim_race_form_errors_submit_and_logout(  # type: ignore[no-untyped-def]
    new_page, make_user: MakeUser, make_draft: MakeDraft, db: Session
) -> None:
    make_user("vana", "operator")
    make_user("thic", "operator")
    vessel = Vessel(registration_number="QNg-90567-TS", province_symbol="QNg", digits="90567",
                    owner_name="Nguyễn Văn Tàu", owner_phone="+84905123456", commune="Lý Sơn",
                    province="Quảng Ngãi", main_gear="lưới vây")
    db.add(vessel)
    db.commit()
    first, second = new_page(), new_page()
    _log_in(first, "vana")
    _log_in(second, "thic")
    expect(first.locator("#queue-empty")).to_be_visible()

    # A caller finishes the IVR while both operators have the queue open.
    draft = make_draft(vessel=vessel)
    row = f'.queue-item[data-reference="{draft.reference}"]'
    card = f'.queue-group:has({row})'  # the vessel's card: owner, number, verified
    expect(first.locator(card)).to_contain_text("Đã xác minh")
    expect(first.locator(card)).to_contain_text("Nguyễn Văn Tàu")
    expect(first.locator(row)).to_contain_text("0905 123 456")
    expect(first.locator(row)).to_contain_text("12 phút")
    expect(second.locator(row)).to_be_visible()

    # Keyboard: j selects the row, Enter claims it.
    first.keyboard.press("j")
    expect(first.locator(row)).to_be_focused()
    first.keyboard.press("Enter")
    first.wait_for_url(f"**/console/dossiers/{draft.reference}")

    second.locator(row).get_by_role("button", name="Nhận xử lý").click()
    expect(second.locator("#notice")).to_have_text("Hồ sơ đang được vana xử lý.")

    # The dossier form: known values pre-filled, a bad ID shown beside its field.
    expect(first.locator("#f-applicant-name")).to_have_value("Nguyễn Văn Tàu")
    expect(first.locator("#f-applicant-phone")).to_have_value("0905 123 456")
    first.select_option("#f-fields-fishing_zone", "lộng")
    first.fill("#f-fields-port", "Cảng Sa Kỳ")
    first.fill("#f-applicant-id_number", "05108500123")
    first.fill("#f-applicant-address-line", "Thôn Đông")
    first.click("#save")
    expect(first.locator("#f-applicant-id_number-error")).to_contain_text("12 chữ số")
    expect(first.locator("#f-fields-port")).to_have_value("Cảng Sa Kỳ")
    expect(first.locator("#f-applicant-address-line")).to_have_value("Thôn Đông")
    expect(first.locator("#f-fields-fishing_zone")).to_have_value("lộng")

    first.fill("#f-applicant-id_number", "051085001234")
    first.click("#save")
    expect(first.locator("#notice")).to_have_text("Đã lưu hồ sơ.")
    first.click("#submit")
    expect(first.locator("#notice")).to_contain_text("Đã gửi hồ sơ tới hệ thống một cửa")
    db.expire_all()
    assert db.scalar(select(Dossier.status).where(Dossier.id == draft.id)) == "submitting"

    first.get_by_role("button", name="Đăng xuất").click()
    expect(first.get_by_text("Bạn đã đăng xuất.")).to_be_visible()
    first.goto("/console/queue")
    expect(first.locator("#username")).to_be_visible()  # back at the login


def test_an_operator_is_refused_a_supervisor_page(new_page, make_user: MakeUser) -> None:  # type: ignore[no-untyped-def]
    make_user("vana", "operator")
    page = new_page()
    _log_in(page, "vana")
    expect(page.locator("h1")).to_have_text("Hồ sơ chờ xử lý")
    response = page.goto("/console/activity")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("Không có quyền truy cập")


def _wait_for_streams(count: int) -> None:
    deadline = time.monotonic() + 20  # generous: two shared cores under a full test run
    while OPEN_STREAMS.value != count:
        assert time.monotonic() < deadline, f"{OPEN_STREAMS.value} event streams open, expected {count}"
        time.sleep(0.1)


def test_the_event_stream_sends_new_drafts_and_ends_when_the_client_leaves(  # type: ignore[no-untyped-def]
    server: str, make_user: MakeUser, make_draft: MakeDraft
) -> None:
    make_user("vana", "operator")
    _wait_for_streams(0)  # the pages of earlier tests are closed
    with httpx.Client(base_url=server, timeout=10) as http:
        login = http.get("/console/login").text
        http.post("/console/login", data={"csrf_token": csrf_of(login), "username": "vana", "password": PASSWORD})
        since = re.search(r'data-since="([^"]*)"', http.get("/console/queue").text)
        assert since is not None
        with http.stream("GET", "/console/queue/events", params={"since": since.group(1)}) as events:
            assert events.headers["content-type"].startswith("text/event-stream")
            lines = events.iter_lines()
            assert next(lines) == "retry: 2000"
            assert OPEN_STREAMS.value == 1
            draft = make_draft()
            for line in lines:
                if line.startswith("data:"):
                    assert json.loads(line[5:])["reference"] == draft.reference
                    break
    _wait_for_streams(0)  # the server noticed the client left and ended the stream
