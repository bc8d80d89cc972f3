"""Live calls in a real Chromium (Debian's) against uvicorn: the ready/away toggle, the
callers-waiting panel, the caller's card appearing when a bridge is recorded, the wrap-up.

The one seam replaced: the Twilio Voice SDK's `Device`. No Twilio account is reachable from
here, so the bundled SDK file (static/vendor/twilio-voice.js) is answered, for this browser
only, with a stand-in `Device` of the same shape (constructor, on, register, updateToken,
connect → a call with on/disconnect) that records what the console asks of it. Everything
else is real: the token endpoint mints a real Access Token, the console's own script, the
event stream, and Twilio's webhooks, posted by this test signed exactly as Twilio signs them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.operator import OperatorPresence
from models.queue import QueueEntry
from tests import browser as live
from tests.browser import Browser, Page, expect, live_app, new_context, requires_chromium
from tests.callcenter.console.conftest import PASSWORD, MakeUser
from tests.conftest import sign

pytestmark = requires_chromium
browser = live.browser

FAKE_DEVICE = """
window.fakeVoice = { connects: 0, calls: [], tokens: [] };
class FakeCall {
  constructor() { this.handlers = {}; }
  on(name, fn) { (this.handlers[name] = this.handlers[name] || []).push(fn); }
  emit(name) { (this.handlers[name] || []).forEach(function (fn) { fn(); }); }
  disconnect() { this.emit("disconnect"); }
}
class FakeDevice {
  constructor(token) { window.fakeVoice.tokens.push(token); this.handlers = {}; }
  on(name, fn) { this.handlers[name] = fn; }
  register() { if (this.handlers.registered) this.handlers.registered(); return Promise.resolve(); }
  updateToken(token) { window.fakeVoice.tokens.push(token); }
  connect() { window.fakeVoice.connects += 1; const c = new FakeCall(); window.fakeVoice.calls.push(c);
              return Promise.resolve(c); }
}
window.TwilioVoice = { Device: FakeDevice };
"""


@pytest.fixture(scope="module")
def server(database_url: str, engine: Engine) -> Iterator[str]:
    """The app with a softphone configured (a made-up account) and the hotline open."""
    yield from live_app(
        database_url, twilio_account_sid="AC" + "1" * 32, twilio_api_key="SK" + "2" * 32,
        twilio_api_secret="api-secret-of-the-test-account-32bytes", twilio_twiml_app_sid="AP" + "3" * 32,
        hotline_force="open",
    )


class Twilio:
    """Posts what Twilio posts, signed for the live server's public URL."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = httpx.Client(base_url=base, timeout=10)

    def post(self, path: str, **params: str) -> str:
        r = self.http.post(path, data=params, headers={"X-Twilio-Signature": sign(self.base + path, params)})
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        return r.text


def _log_in(page: Page, username: str) -> None:
    page.goto("/console/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def test_ready_waiting_card_at_the_bridge_and_wrap_up(  # type: ignore[no-untyped-def]
    browser: Browser, server: str, make_user: MakeUser, db: Session
) -> None:
    an = make_user("vana", "operator", full_name="Nguyễn Văn An")
    context = new_context(browser, server)
    context.route("**/console/static/vendor/twilio-voice.js",
                  lambda route: route.fulfill(body=FAKE_DEVICE, content_type="text/javascript"))
    page = context.new_page()
    twilio = Twilio(server)
    try:
        _log_in(page, "vana")
        expect(page.locator("#live-state")).to_have_text("Vắng mặt")
        page.click("#live-toggle")
        expect(page.locator("#live-state")).to_have_text("Sẵn sàng")
        expect(page.locator("#live-phone")).to_contain_text("sẵn sàng")  # a real token reached the Device
        db.rollback()
        presence = db.get(OperatorPresence, an.id)
        assert presence is not None and presence.state == "ready"

        # A caller presses 0 and waits: the panel lists them, and An's console rings.
        call = {"CallSid": "CA" + "7" * 32, "From": "+84987654321", "To": "+842553818558",
                "CallStatus": "in-progress", "AccountSid": "AC" + "1" * 32}
        twilio.post("/twilio/voice", **call)
        twilio.post("/twilio/voice/step/1", **call, Digits="0")
        twilio.post("/twilio/voice/queue/wait", **call, QueuePosition="1", QueueTime="0", AvgQueueTime="0",
                    CurrentQueueSize="1", QueueSid="QU" + "a" * 32)
        expect(page.locator("#live-waiting-rows tr")).to_have_count(1)
        expect(page.locator("#live-waiting-rows")).to_contain_text("0987 654 321")
        expect(page.locator("#live-offer")).to_be_visible()

        # An answers: the console asks the Device to connect; Twilio then posts the TwiML
        # App's voice URL for An's leg, and the Queue url on the caller's leg.
        page.click("#live-answer")
        page.wait_for_function("window.fakeVoice.connects === 1")
        leg = "CA" + "a" * 32
        dial = twilio.post("/twilio/voice/operator", CallSid=leg, From="client:vana", Caller="client:vana",
                           AccountSid="AC" + "1" * 32, CallStatus="ringing", ApplicationSid="AP" + "3" * 32)
        assert "<Queue" in dial
        bridged_at = time.monotonic()
        twilio.post("/twilio/voice/queue/bridge", **call, DequeingCallSid=leg, QueueTime="6",
                    QueueSid="QU" + "a" * 32)
        expect(page.locator("#live-card")).to_be_visible(timeout=3000)
        shown_after = time.monotonic() - bridged_at
        expect(page.locator("#live-card")).to_contain_text("0987 654 321")
        expect(page.locator("#live-card")).to_contain_text("Bấm phím 0")
        expect(page.locator("#live-card")).to_contain_text("Menu chính")
        expect(page.locator("#live-state")).to_have_text("Đang nghe máy")
        assert shown_after < 1.5, f"the card took {shown_after:.2f} s"  # pushed: ~0.5 s poll

        # The call ends: the softphone hangs up, Twilio posts the Dial action and the Enqueue action.
        page.evaluate("window.fakeVoice.calls[0].disconnect()")
        twilio.post("/twilio/voice/operator/done", CallSid=leg, From="client:vana", DialCallStatus="completed",
                    DialCallDuration="42")
        twilio.post("/twilio/voice/queue/done", **call, QueueResult="bridged", QueueTime="6")
        expect(page.locator("#live-state")).to_have_text("Ghi kết quả")
        form = page.locator("#live-wrapup")
        expect(form).to_be_visible()
        form.locator("button[type=submit]").click()  # no code chosen
        expect(page.locator("#live-wrapup-code-error")).to_have_text(
            "Hãy chọn một kết quả cuộc gọi trong danh sách.")
        page.select_option("#live-wrapup-code", "status_question")
        page.fill("#live-wrapup-note", "Hỏi hồ sơ 482913")
        form.locator("button[type=submit]").click()
        expect(page.locator("#live-wrapup-done")).to_have_text("Đã lưu kết quả cuộc gọi.")
        expect(page.locator("#live-state")).to_have_text("Sẵn sàng")
        db.rollback()
        entry = db.scalar(select(QueueEntry).where(QueueEntry.call_sid == call["CallSid"]))
        assert entry is not None
        assert (entry.answered_by, entry.wrap_up_code, entry.wrap_up_note) == (
            "vana", "status_question", "Hỏi hồ sơ 482913")

        page.click("#live-toggle")
        expect(page.locator("#live-state")).to_have_text("Vắng mặt")
    finally:
        twilio.http.close()
        context.close()


def test_the_wall_board_is_pushed_to_the_supervisor(  # type: ignore[no-untyped-def]
    browser: Browser, server: str, make_user: MakeUser
) -> None:
    make_user("giamsat", "supervisor", full_name="Lê Văn Minh")
    make_user("vana", "operator", full_name="Nguyễn Văn An")
    context = new_context(browser, server)
    page = context.new_page()
    twilio = Twilio(server)
    try:
        _log_in(page, "giamsat")
        page.goto("/console/supervisor/wallboard")
        expect(page.locator("#wb-waiting")).to_have_text("0")
        # An operator goes ready through the API, and a caller joins the queue: the board
        # changes without anyone reloading it.
        token = httpx.post(server + "/api/v1/auth/token", data={"username": "vana", "password": PASSWORD}).json()
        httpx.put(server + "/api/v1/operators/me/state", json={"state": "ready"},
                  headers={"Authorization": f"Bearer {token['access_token']}"})
        expect(page.locator("#wb-ready")).to_have_text("1")
        expect(page.locator('#wb-operators tr[data-username="vana"]')).to_contain_text("Sẵn sàng")
        call = {"CallSid": "CA" + "8" * 32, "From": "+84912000888", "To": "+842553818558",
                "CallStatus": "in-progress"}
        twilio.post("/twilio/voice", **call)
        twilio.post("/twilio/voice/step/1", **call, Digits="0")
        twilio.post("/twilio/voice/queue/wait", **call, QueuePosition="1", QueueTime="3", AvgQueueTime="0",
                    CurrentQueueSize="1")
        expect(page.locator("#wb-waiting")).to_have_text("1")
        expect(page.locator("#wb-offered")).to_have_text("1")
    finally:
        twilio.http.close()
        context.close()
