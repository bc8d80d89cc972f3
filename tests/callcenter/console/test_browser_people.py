"""The console as its people meet it, in a real Chromium (Debian's) against uvicorn:
an operator on a 390 px phone, the dossier page read top-down, a voice message kept as
a promise, a supervisor's first page, and the work counted after a submission.

Every wait is on a selector, none on time. The browser's language is English on
purpose: dates must still read day first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.call import Call, CallEvent
from models.callback import CallbackRequest
from models.dossier import Dossier
from models.vessel import Vessel
from tests import browser as live
from tests.browser import Browser, BrowserContext, Page, expect, requires_chromium
from tests.callcenter.console.conftest import CALLER, OWNER_ID, PASSWORD, MakeDraft, MakeUser
from tests.conftest import sign

pytestmark = requires_chromium

server = live.server
browser = live.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE" + "5" * 32
# Names of the flow's nodes and prompts: the engine's words, never a person's.
ENGINE_WORDS = ("greeting_notice", "greeting", "main_menu", "use_caller_vessel", "vessel_known", "safety_vessel",
                "create_dossier", "confirm", "_prompt", "{", "}")


@pytest.fixture
def open_page(browser: Browser, server: str) -> Iterator[object]:
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int] = DESKTOP) -> Page:
        context = browser.new_context(base_url=server, locale="en-US", viewport=viewport)  # type: ignore[arg-type]
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page: Page, username: str) -> None:
    page.goto("/console/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture
def boat(db: Session) -> Vessel:
    vessel = Vessel(registration_number="QNg-90567-TS", province_symbol="QNg", digits="90567",
                    vessel_name="Hải Long 01", owner_name="Nguyễn Văn Tàu", owner_phone=CALLER,
                    owner_id_number=OWNER_ID, address="Thôn An Vĩnh", commune="Lý Sơn", province="Quảng Ngãi",
                    length_m=Decimal("16.50"), main_gear="lưới vây",
                    licence_expiry=(utcnow() + timedelta(days=20)).date())
    db.add(vessel)
    db.commit()
    return vessel


def known_caller_call(db: Session, reference: str) -> Call:
    """A call of the caller whose number is registered to one vessel, as the engine logs it."""
    at = utcnow() - timedelta(minutes=20)
    call = Call(call_sid="CA" + "4" * 32, from_number=CALLER, flow_version="2026-11-23.1", started_at=at,
                outcome="dossier_created", dossier_reference=reference, duration_s=95)
    steps = [("menu", "greeting", None, None), ("prompt", "greeting", "greeting_notice", None),
             ("menu", "main", None, None), ("prompt", "main", "main_menu", None), ("key", "main", None, "2"),
             ("consent", "main", None, "2"), ("menu", "safety_vessel", None, None),
             ("menu", "vessel_known", None, None), ("prompt", "vessel_known", "vessel_known", None),
             ("key", "vessel_known", None, "1"), ("menu", "use_caller_vessel", None, None),
             ("menu", "confirm", None, None), ("prompt", "confirm", "confirm", None), ("key", "confirm", None, "1"),
             ("menu", "create_dossier", None, None), ("dossier", "create_dossier", None, None),
             ("menu", "done", None, None), ("prompt", "done", "done", None)]
    for i, (kind, menu, prompt, key) in enumerate(steps):
        call.events.append(CallEvent(kind=kind, menu=menu, prompt=prompt, key=key, at=at + timedelta(seconds=4 * i),
                                     detail={"reference": reference} if kind == "dossier" else None))
    db.add(call)
    db.commit()
    return call


def voice_message(db: Session) -> CallbackRequest:
    request = CallbackRequest(phone=CALLER, vessel_registration="QNg-90567-TS", reason="voice_message",
                              requested_at=utcnow() - timedelta(hours=13), recording_url=RECORDING,
                              recording_duration_s=21)
    db.add(request)
    db.commit()
    return request


def overflow(page: Page) -> list[str]:
    """Elements whose right edge passes the viewport's: what a phone user cannot reach."""
    return page.evaluate("""() => {
      const width = document.documentElement.clientWidth, found = [];
      if (document.documentElement.scrollWidth > width) found.push('page ' + document.documentElement.scrollWidth);
      for (const el of document.querySelectorAll('body *')) {
        const box = el.getBoundingClientRect();
        if (box.width > 0 && box.right > width + 0.5) found.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(box.right));
      }
      return found;
    }""")


def test_every_console_page_fits_a_390_px_phone(  # type: ignore[no-untyped-def]
    open_page, make_user: MakeUser, make_draft: MakeDraft, boat: Vessel, db: Session
) -> None:
    make_user("vana", "operator", full_name="Nguyễn Văn A", phone="+84912000111")
    make_user("thib", "supervisor", full_name="Trần Thị B")
    make_user("quantri", "admin", full_name="Lê Quản Trị")
    held = make_draft(vessel=boat, procedure="vessel_safety_certificate", variant=None)
    waiting = [make_draft(vessel=boat), make_draft(vessel=boat), make_draft(channel="sms")]
    call = known_caller_call(db, held.reference)
    db.get(Dossier, held.id).call_sid = call.call_sid  # type: ignore[union-attr]
    db.commit()
    voice_message(db)

    pages = {
        "vana": ["/console/queue", "/console/callbacks", f"/console/dossiers/{waiting[2].reference}",
                 f"/console/dossiers/{held.reference}"],
        "thib": ["/console/supervisor/report", "/console/supervisor", "/console/supervisor/calls",
                 f"/console/supervisor/calls/{call.call_sid}", "/console/supervisor/impact"],
        "quantri": ["/console/users", "/console/activity", "/console/queue"],
    }
    for username, paths in pages.items():
        page = open_page(PHONE)
        log_in(page, username)
        if username == "vana":  # the form of a dossier the operator holds is the widest page
            page.goto(f"/console/dossiers/{held.reference}")
            page.click("#claim")
            expect(page.locator("#dossier-form")).to_be_visible()
        for path in paths:
            page.goto(path)
            assert overflow(page) == [], (username, path)
            if path.endswith("/report"):
                continue  # the printable report is a page of its own, without the console's header
            header = page.locator("header.top").bounding_box()
            assert header is not None and header["height"] < 100, (path, header)  # one line, two at most
        # The folded menu opens inside the screen and leads on.
        page.click("details.nav-menu summary")
        expect(page.locator("details.nav-menu a[data-nav=queue]")).to_be_visible()
        assert overflow(page) == []
    # On the phone the queue is cards: one per vessel, its two drafts inside.
    page = open_page(PHONE)
    log_in(page, "vana")
    card = page.locator(".queue-group", has=page.locator(f'[data-reference="{waiting[0].reference}"]'))
    expect(card.locator(".queue-item")).to_have_count(2)
    expect(card.locator(".owner")).to_have_text("Nguyễn Văn Tàu")
    expect(card.get_by_role("button", name="Nhận xử lý")).to_have_count(2)


def test_the_dossier_page_reads_top_down_in_words(  # type: ignore[no-untyped-def]
    open_page, make_user: MakeUser, make_draft: MakeDraft, boat: Vessel, db: Session
) -> None:
    make_user("vana", "operator", full_name="Nguyễn Văn A")
    draft = make_draft(vessel=boat, procedure="vessel_safety_certificate", variant=None)
    draft.call_sid = known_caller_call(db, draft.reference).call_sid
    db.commit()
    page = open_page()
    log_in(page, "vana")
    page.goto(f"/console/dossiers/{draft.reference}")

    # Unclaimed: a claim button at the top, no form to type into.
    expect(page.locator("#claim")).to_be_visible()
    expect(page.locator("#dossier-form")).to_have_count(0)
    expect(page.locator("#licence-flag")).to_contain_text("sắp hết hạn")
    tops = {sel: page.locator(sel).bounding_box()["y"]  # type: ignore[index]
            for sel in ("#actions", "#dossier-facts", "#dossier-read", "#call-path", "#history")}
    assert tops["#actions"] < tops["#dossier-facts"] < tops["#dossier-read"] < tops["#call-path"] < tops["#history"]

    # The call's path: folded until asked for, then told in words.
    path = page.locator("#call-path")
    expect(path.locator("ol")).to_be_hidden()
    path.locator("summary").click()
    expect(path).to_contain_text("Nghe lời chào và thông báo ghi âm")
    expect(path).to_contain_text("Chọn: Cấp giấy chứng nhận an toàn kỹ thuật tàu cá (phím 2)")
    expect(path).to_contain_text("Tàu được nhận theo số điện thoại")
    expect(path).to_contain_text(f"Tạo hồ sơ số {draft.reference}")
    expect(page.locator("#history")).to_contain_text("Tổng đài tự động")
    text = page.locator("main").inner_text()
    for word in ENGINE_WORDS:
        assert word not in text, word
    assert "ivr:" not in text and "system:" not in text

    # Claimed: the form, with every error at once in the form's own words.
    page.click("#claim")
    expect(page.locator("#holder")).to_have_text("Bạn đang xử lý hồ sơ này")
    expect(page.locator("#claim")).to_have_count(0)
    page.fill("#f-fields-inspection_date", "20122020")
    page.fill("#f-applicant-id_number", "12345")
    page.click("#submit")
    summary = page.locator("#errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Chưa lưu được")
    expect(summary.get_by_role("link", name="Số căn cước")).to_be_visible()
    expect(summary.get_by_role("link", name="Ngày kiểm tra đề nghị")).to_be_visible()
    assert "fields." not in summary.inner_text() and "applicant." not in summary.inner_text()
    expect(page.locator("#notice")).to_have_count(0)  # never "saved" beside "not saved"
    expect(page.locator("#f-fields-inspection_date")).to_have_value("20/12/2020")  # day first, as typed

    # Saved but not complete: one message that says both.
    page.fill("#f-applicant-id_number", "")
    page.fill("#f-fields-inspection_date", (utcnow() + timedelta(days=30)).strftime("%d/%m/%Y"))
    page.click("#submit")
    expect(summary).to_contain_text("Đã lưu các thay đổi, nhưng chưa gửi được")
    expect(page.locator("#notice")).to_have_count(0)
    expect(summary.get_by_role("link", name="Loại kiểm tra")).to_be_visible()
    page.reload()
    when = (utcnow() + timedelta(days=30)).strftime("%d/%m/%Y")
    expect(page.locator("#f-fields-inspection_date")).to_have_value(when)  # stored, shown day first
    expect(page.locator("#history")).to_contain_text(f"Ngày kiểm tra đề nghị: {when}")
    expect(page.locator("#history")).not_to_contain_text("xóa")  # fields never filled are not "cleared"


def _twilio(server: str, path: str, params: dict[str, str]) -> httpx.Response:
    """A webhook as Twilio sends it to the live server: signed for its public URL."""
    headers = {"X-Twilio-Signature": sign(server + path, params)}
    return httpx.post(server + path, data=params, headers=headers, timeout=10)


def test_a_voice_message_reaches_the_call_back_list_and_leaves_it(  # type: ignore[no-untyped-def]
    open_page, server: str, make_user: MakeUser, boat: Vessel, db: Session
) -> None:
    make_user("vana", "operator", full_name="Nguyễn Văn A")
    # A fisher calls and leaves a message after the beep: Twilio's two webhooks.
    call = {"CallSid": "CA" + "8" * 32, "AccountSid": "AC" + "0" * 32, "From": CALLER, "To": "+842553818558",
            "CallStatus": "in-progress", "Direction": "inbound"}
    assert _twilio(server, "/twilio/voice", call).status_code == 200
    thanks = _twilio(server, "/twilio/voice/recorded",
                     {**call, "RecordingUrl": RECORDING, "RecordingDuration": "21", "RecordingSid": "RE" + "5" * 32})
    assert thanks.status_code == 200 and "gọi lại ông bà" in thanks.text  # the promise, said when
    request = db.scalars(select(CallbackRequest)).one()

    page = open_page()
    log_in(page, "vana")
    page.click("header.top nav a[data-nav=callbacks]")
    item = page.locator(f'[data-request="{request.id}"]')
    expect(item).to_contain_text("0905 123 456")
    expect(item).to_contain_text("QNg-90567-TS")  # the one vessel the caller's number is registered to
    expect(item).to_contain_text("Nguyễn Văn Tàu")
    expect(item.locator("audio")).to_have_attribute("src", RECORDING)
    expect(item).to_contain_text("Để lại lời nhắn ngoài giờ")
    expect(item).to_contain_text("21 giây")
    # No Twilio account here: the operator is told to call by hand, and says when it is done.
    item.get_by_role("button", name="Gọi lại").click()
    expect(page.locator("#notice")).to_contain_text("chưa được cấu hình để gọi ra")
    expect(item).to_contain_text("Đã gọi 1/3 lần")
    item.get_by_role("button", name="Đã gọi được").click()
    expect(page.locator("#notice")).to_contain_text("đã gọi lại được")
    expect(page.locator(f'[data-request="{request.id}"]')).to_have_count(0)
    expect(page.locator("#no-requests")).to_be_visible()


def test_a_supervisor_lands_on_the_dashboard_and_reaches_it_from_every_page(  # type: ignore[no-untyped-def]
    open_page, make_user: MakeUser, make_draft: MakeDraft, db: Session
) -> None:
    make_user("thib", "supervisor", full_name="Trần Thị B")
    draft = make_draft()
    page = open_page()
    log_in(page, "thib")
    expect(page).to_have_url(re.compile(r"/console/supervisor$"))
    expect(page.locator("h1")).to_have_text("Tổng quan tổng đài")
    for path in ("/console/queue", "/console/callbacks", f"/console/dossiers/{draft.reference}",
                 "/console/supervisor/calls", "/console/supervisor/impact"):
        page.goto(path)
        dashboard = page.locator("header.top nav.main-nav a[data-nav=dashboard]")
        expect(dashboard).to_be_visible()
        expect(dashboard).to_have_text("Tổng quan")
    page.locator("header.top nav.main-nav a[data-nav=dashboard]").click()
    expect(page.locator("h1")).to_have_text("Tổng quan tổng đài")
    # An operator starts at the queue, and has no dashboard link.
    make_user("vana", "operator")
    other = open_page()
    log_in(other, "vana")
    expect(other.locator("h1")).to_have_text("Hồ sơ chờ xử lý")
    expect(other.locator("header.top a[data-nav=dashboard]")).to_have_count(0)


def test_the_operator_who_submitted_is_counted_on_the_dashboard_and_in_the_call_log(  # type: ignore[no-untyped-def]
    open_page, make_user: MakeUser, make_draft: MakeDraft, db: Session
) -> None:
    make_user("vana", "operator", full_name="Nguyễn Văn A")
    make_user("thic", "operator", full_name="Phạm Thị C")
    make_user("thib", "supervisor", full_name="Trần Thị B")
    vessel = Vessel(registration_number="QNg-90567-TS", province_symbol="QNg", digits="90567",
                    owner_name="Nguyễn Văn Tàu", owner_phone=CALLER, owner_id_number=OWNER_ID, commune="Lý Sơn",
                    address="Thôn Đông", province="Quảng Ngãi", main_gear="lưới vây")
    db.add(vessel)
    db.commit()
    draft = make_draft(vessel=vessel)
    call = known_caller_call(db, draft.reference)
    draft.call_sid = call.call_sid
    db.commit()

    operator = open_page()
    log_in(operator, "vana")
    operator.locator(f'[data-reference="{draft.reference}"]').get_by_role("button", name="Nhận xử lý").click()
    operator.select_option("#f-fields-fishing_zone", "lộng")
    operator.fill("#f-fields-port", "Cảng Sa Kỳ")
    operator.click("#submit")
    expect(operator.locator("#notice")).to_contain_text("Đã gửi hồ sơ tới hệ thống một cửa")
    expect(operator.locator("#handled-by")).to_have_text("Điện thoại viên xử lý: Nguyễn Văn A")

    supervisor = open_page()
    log_in(supervisor, "thib")
    row = supervisor.locator("#operators tr[data-operator=vana]")
    expect(row.locator(".handled")).to_have_text("1")
    expect(row.locator(".submitted")).to_have_text("1")
    expect(supervisor.locator("#operators tr[data-operator=thic] .handled")).to_have_text("0")
    supervisor.goto("/console/supervisor/calls")
    log_row = supervisor.locator("#call-log tbody tr", has=supervisor.get_by_text(draft.reference))
    expect(log_row.locator(".operator")).to_have_text("Nguyễn Văn A")
    supervisor.select_option("select[name=operator]", "vana")
    supervisor.click("#call-filters button[type=submit]")
    expect(supervisor.locator("#call-log tbody tr")).to_have_count(1)
