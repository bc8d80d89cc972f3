"""The mobile site in Debian's Chromium at a phone's width (390 px): the whole flow with
JavaScript, the basic flow without it, a half-filled form kept through a lost connection,
and what the first page costs to load.

The server is the whole app under uvicorn with Twilio configured against a fake: codes
wait in the outbox until the test's worker hands them to `FakeTwilio` (the real `twilio`
library, faked at its HTTP boundary), and the test reads the code from that message.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from callcenter.app import create_app
from callcenter.outbox.context import OutboxContext
from callcenter.outbox.worker import OutboxWorker
from ivr.settings import Settings
from models.attachment import Attachment
from models.base import utcnow
from models.dossier import Dossier
from models.vessel import Vessel
from tests import browser as live
from tests.browser import Browser, BrowserContext, Page, expect, requires_chromium
from tests.callcenter.notify.conftest import ACCOUNT_SID, FROM_NUMBER, TWILIO_FAKE, FakeTwilio
from tests.callcenter.outbox.helpers import FakeClock, make_worker
from tests.callcenter.public.conftest import OTHER_PHONE, texted_code
from tests.conftest import TWILIO_TOKEN
from tests.live_server import free_port, serve

pytestmark = requires_chromium
browser = live.browser
PHONE_SIZE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("attachments")


@pytest.fixture(scope="module")
def site_settings(database_url: str, store: Path) -> Settings:
    port = free_port()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url, public_base_url=f"http://127.0.0.1:{port}", twilio_auth_token=TWILIO_TOKEN,
        twilio_account_sid=ACCOUNT_SID, twilio_from_number=FROM_NUMBER, twilio_api_base_url=TWILIO_FAKE,
        run_worker_in_app=False, secret_key="browser-test-secret-key-long-enough-for-hs256", log_json=False,
    )
    settings.attachments.store_url = str(store)
    return settings


@pytest.fixture(scope="module")
def server(site_settings: Settings, engine: Engine) -> Iterator[str]:
    port = int(site_settings.public_base_url.rsplit(":", 1)[1])
    with serve(create_app(site_settings), port=port, lifespan="on") as url:
        yield url


class WallClock(FakeClock):
    """The outbox worker's clock: the real time, as the server's own entries carry it."""

    def __call__(self) -> datetime:
        return utcnow() + timedelta(seconds=1)


@pytest.fixture
def twilio() -> FakeTwilio:
    return FakeTwilio()


@pytest.fixture
def worker(engine: Engine, site_settings: Settings, twilio: FakeTwilio, db: Session) -> Iterator[OutboxWorker]:
    context = OutboxContext(settings=site_settings, http=httpx.Client(transport=httpx.MockTransport(twilio)))
    yield make_worker(engine, context, clock=WallClock())
    context.close()


@pytest.fixture
def phone_context(browser: Browser, server: str) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=server, locale="vi-VN", viewport=PHONE_SIZE, is_mobile=True,
                                  has_touch=True)
    context.set_default_timeout(15_000)
    yield context
    context.close()


def _sign_in(page: Page, worker: OutboxWorker, twilio: FakeTwilio, phone: str) -> None:
    page.fill("#phone", phone)
    page.click("#send-code")
    expect(page.locator("h1")).to_have_text("Nhập mã xác thực")
    worker.drain()
    page.fill("#code", texted_code(twilio, "+84" + phone.lstrip("0").replace(" ", "")))
    page.click("#check-code")


def _fill_household_registration(page: Page) -> None:
    page.fill("#f-applicant-name", "Trần Thị Hà")
    page.fill("#f-applicant-id_number", "051190004321")
    page.fill("#f-applicant-address-line", "Thôn Đông")
    page.fill("#f-applicant-address-commune", "Đặc khu Lý Sơn")
    page.fill("#f-applicant-address-province", "Quảng Ngãi")
    page.fill("#f-fields-business_name", "Tạp hóa Thu Hà")
    page.fill("#f-fields-business_address", "Thôn Đông, Đặc khu Lý Sơn")
    page.fill("#f-fields-business_lines", "Bán lẻ hàng tạp hóa")
    page.fill("#f-fields-capital_vnd", "50000000")
    page.fill("#f-fields-workers", "2")


def _photo(path: Path) -> Path:
    image = Image.new("RGB", (800, 600), (230, 220, 200))
    out = io.BytesIO()
    image.save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def test_the_whole_flow_with_javascript_and_the_first_page_is_small(
    phone_context: BrowserContext, worker: OutboxWorker, twilio: FakeTwilio, db: Session, tmp_path: Path
) -> None:
    page = phone_context.new_page()
    transferred: list[int] = []
    page.on("requestfinished", lambda request: transferred.append(
        request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]))
    page.goto("/m")
    page.wait_for_load_state("networkidle")
    print(f"first page of /m: {sum(transferred)} bytes transferred in {len(transferred)} responses")
    assert 0 < sum(transferred) < 60 * 1024, transferred  # the whole first page, every file it loaded
    expect(page.locator("h2").first).to_have_text("Tàu cá")
    assert page.locator(".choice").first.bounding_box()["height"] >= 48  # type: ignore[index]

    page.get_by_text("Đăng ký thành lập hộ kinh doanh").click()
    _sign_in(page, worker, twilio, "0912 345 678")
    expect(page.locator("h1")).to_have_text("Đăng ký thành lập hộ kinh doanh")
    _fill_household_registration(page)
    page.check("input[name='delivery.method'][value='pickup']")
    page.click("#review")
    expect(page.locator("h1")).to_have_text("Xem lại hồ sơ")
    expect(page.locator("dl.review")).to_contain_text("Tạp hóa Thu Hà")
    page.click("#send")
    expect(page.locator("#sent")).to_be_visible()
    reference = page.locator("#reference").inner_text()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('tongdai:m:')).length") == 0

    page.set_input_files("#gallery-premises", str(_photo(tmp_path / "hop-dong-thue.jpg")))
    page.click("#upload-premises")
    expect(page.locator(".attached")).to_contain_text("Giấy tờ về địa điểm kinh doanh")
    page.click("#mine-link")
    expect(page.locator("#dossiers")).to_contain_text(reference)
    dossier = db.scalars(select(Dossier).where(Dossier.reference == reference)).one()
    assert (dossier.channel, dossier.applicant_phone) == ("web", OTHER_PHONE)
    assert db.scalars(select(Attachment.name)).all() == ["premises"]
    worker.drain()
    assert reference in twilio.accepted[-1]["Body"]  # the reference by SMS too


def test_the_basic_submit_without_javascript(
    browser: Browser, server: str, worker: OutboxWorker, twilio: FakeTwilio, db: Session
) -> None:
    context = browser.new_context(base_url=server, locale="vi-VN", viewport=PHONE_SIZE, java_script_enabled=False)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto("/m/thu-tuc/household_business_registration")
        _sign_in(page, worker, twilio, "0912 345 678")
        _fill_household_registration(page)
        page.fill("#f-fields-workers", "hai")  # a word, not a number: said beside the field
        page.click("#review")
        expect(page.locator("#f-fields-workers-error")).to_have_text("Phải là một số.")
        expect(page.locator("#f-fields-business_name")).to_have_value("Tạp hóa Thu Hà")  # nothing lost
        page.fill("#f-fields-workers", "2")
        page.click("#review")
        page.click("#send")
        expect(page.locator("#sent")).to_contain_text("Đã gửi hồ sơ")
        reference = page.locator("#reference").inner_text()
        assert db.scalars(select(Dossier.channel).where(Dossier.reference == reference)).one() == "web"
    finally:
        context.close()


def test_a_half_filled_form_survives_a_reload_offline_and_goes_when_the_network_is_back(
    phone_context: BrowserContext, worker: OutboxWorker, twilio: FakeTwilio, db: Session
) -> None:
    page = phone_context.new_page()
    page.goto("/m/thu-tuc/household_business_registration")
    _sign_in(page, worker, twilio, "0912 345 678")
    expect(page.locator("h1")).to_have_text("Đăng ký thành lập hộ kinh doanh")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the service worker, which keeps a copy of the page
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    _fill_household_registration(page)

    phone_context.set_offline(True)
    page.reload()  # the service worker's blank copy of the form, and what was typed put back
    expect(page.locator("h1")).to_have_text("Đăng ký thành lập hộ kinh doanh")
    expect(page.locator("#f-fields-business_name")).to_have_value("Tạp hóa Thu Hà")
    expect(page.locator("#f-applicant-name")).to_have_value("Trần Thị Hà")
    # The citizen ID number is never kept on the phone: the page says to type it again.
    expect(page.locator("#f-applicant-id_number")).to_have_value("")
    expect(page.locator("#net")).to_contain_text("số căn cước không được lưu trên máy")
    assert "051190004321" not in page.evaluate("JSON.stringify(localStorage)")
    page.fill("#f-applicant-id_number", "051190004321")
    page.check("input[name='delivery.method'][value='pickup']")
    page.click("#review")
    expect(page.locator("#net")).to_contain_text("sẽ tự gửi khi có mạng")
    assert "051190004321" not in page.evaluate("JSON.stringify(localStorage)")

    phone_context.set_offline(False)
    expect(page.locator("h1")).to_have_text("Xem lại hồ sơ")  # sent by itself once online
    expect(page.locator("dl.review")).to_contain_text("Tạp hóa Thu Hà")
    expect(page.locator("dl.review")).to_contain_text("051190004321")  # typed again, sent from the page


CACHED = """async () => {
  const pages = {};
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      pages[request.url] = await (await cache.match(request)).text();
    }
  }
  return pages;
}"""


def _cached_once(page: Page, wanted: str) -> dict[str, str]:
    """Every page the site's caches hold, by address, once they hold `wanted` (kept in the background)."""
    deadline = time.monotonic() + 10
    pages: dict[str, str] = page.evaluate(CACHED)
    while not any(url.endswith(wanted) for url in pages) and time.monotonic() < deadline:
        time.sleep(0.1)
        pages = page.evaluate(CACHED)
    assert any(url.endswith(wanted) for url in pages), list(pages)
    return pages


def _kept_keys(page: Page) -> list[str]:
    return page.evaluate("Object.keys(localStorage)")  # type: ignore[no-any-return]


def test_the_phone_keeps_no_page_of_the_citizen_and_forgets_everything_on_sign_out(
    phone_context: BrowserContext, worker: OutboxWorker, twilio: FakeTwilio, vessel: Vessel
) -> None:
    page = phone_context.new_page()
    page.goto("/m/thu-tuc/fishing_licence?variant=new")
    _sign_in(page, worker, twilio, "0905 123 456")  # the registered owner of QNg-90567-TS
    expect(page.locator("#f-applicant-name")).to_have_value("Nguyễn Văn Tàu")  # from the registry
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    for path in ("/m", "/m/ho-so", "/m/thu-tuc/fishing_licence?variant=new"):  # each under the worker
        page.goto(path)
    page.fill("#f-fields-port", "Cảng cá Lý Sơn")
    page.fill("#f-applicant-id_number", "051085001234")
    page.press("#f-applicant-id_number", "Tab")
    kept = page.evaluate("JSON.stringify(localStorage)")
    assert "Cảng cá Lý Sơn" in kept and "051085001234" not in kept

    # What the service worker holds is what anyone gets: no phone, no name, no ID, no dossier list.
    cached = _cached_once(page, "/m/mau/fishing_licence?variant=new")
    paths = [url.removeprefix(page.url.split("/m/")[0]) for url in cached]
    assert all(p == "/m" or p.startswith(("/m/mau/", "/m/static/", "/m/manifest")) for p in paths), paths
    assert "Nộp hồ sơ từ điện thoại" in cached[next(url for url in cached if url.endswith("/m"))]
    text = "\n".join(cached.values())
    for personal in ("Số đã xác thực", "0905 123 456", "Nguyễn Văn Tàu", "051085001234", "051******234",
                     'value="QNg-90567-TS"', 'id="mine-link"'):
        assert personal not in text, personal

    page.evaluate("localStorage.setItem('another', 'kept by nothing of ours')")
    page.click("footer button")  # Thoát
    expect(page.locator("h2").first).to_have_text("Tàu cá")
    # Clear-Site-Data: "storage" emptied all of the site's storage, not just m.js's own keys.
    assert _kept_keys(page) == []


def test_sign_out_forgets_the_kept_form_even_where_the_header_is_ignored(
    browser: Browser, server: str, worker: OutboxWorker, twilio: FakeTwilio
) -> None:
    context = browser.new_context(base_url=server, locale="vi-VN", viewport=PHONE_SIZE, service_workers="block")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        # A browser without Clear-Site-Data: the sign-out answer reaches it without the header.
        page.route("**/m/dang-xuat", lambda route: route.fulfill(response=(answer := route.fetch(
            max_redirects=0)), headers={k: v for k, v in answer.headers.items() if k != "clear-site-data"}))
        page.goto("/m/thu-tuc/household_business_registration")
        _sign_in(page, worker, twilio, "0912 345 678")
        expect(page.locator("h1")).to_have_text("Đăng ký thành lập hộ kinh doanh")
        page.wait_for_load_state()  # m.js (deferred) listens to the form from now on
        page.fill("#f-fields-business_name", "Tạp hóa Thu Hà")
        page.evaluate("localStorage.setItem('another', 'not the site form')")
        assert any(key.startswith("tongdai:m:") for key in _kept_keys(page))
        page.click("footer button")
        expect(page.locator("h2").first).to_have_text("Tàu cá")
        assert _kept_keys(page) == ["another"]  # m.js forgot its form; the header did not run
    finally:
        context.close()
