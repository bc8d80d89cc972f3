"""The call log and the dashboard in a real Chromium (Debian's), driven by Playwright against uvicorn.

Few tests, each something a supervisor does; every wait is on a selector, none on time.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from callcenter.app import create_app
from callcenter.settings import Settings
from models.user import User
from tests.callcenter.reports.builders import T0, known_calls, make_call
from tests.callcenter.reports.fixtures import PASSWORD
from tests.conftest import TWILIO_TOKEN

sync_api = pytest.importorskip("playwright.sync_api")
Browser = sync_api.Browser
Page = sync_api.Page
expect = sync_api.expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed (make browser)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(database_url: str, engine: Engine) -> Iterator[str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url, public_base_url=base, twilio_auth_token=TWILIO_TOKEN,
        twilio_account_sid=None, twilio_from_number=None, run_worker_in_app=False,
        secret_key="browser-test-secret-key-long-enough-for-hs256", log_json=False,
    )
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning",
                            timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=server, locale="vi-VN")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def log_in(page: Page, user: User, next_path: str) -> None:
    page.goto(next_path)  # not logged in: the login page, then back here
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"**{next_path.split('?')[0]}**")


def test_supervisor_filters_the_call_log_pages_and_opens_a_timeline(
    page: Page, db: Session, supervisor: User
) -> None:
    known_calls(db)
    for i in range(55):
        make_call(db, f"CA-b-{i:02d}", path=[("main", None)], outcome="abandoned", abandoned_menu="main",
                  started_at=T0 - timedelta(days=3, minutes=i))
    db.commit()
    log_in(page, supervisor, "/console/supervisor/calls")
    expect(page.locator("#call-log tbody tr")).to_have_count(50)
    page.click("#next-page")
    expect(page.locator("#call-log tbody tr")).to_have_count(11)  # 61 calls in all
    page.goto("/console/supervisor/calls")
    page.select_option("select[name=outcome]", "dossier_created")
    page.click("#call-filters button[type=submit]")
    expect(page.locator("#call-log tbody tr")).to_have_count(1)
    page.locator("#call-log tbody tr a").first.click()
    expect(page.locator("h1")).to_contain_text("Cuộc gọi từ 0905")
    expect(page.locator("#timeline")).to_contain_text("phím 90567")
    expect(page.locator("#timeline")).to_contain_text("bước confirm")


def test_supervisor_reads_the_dashboard_charts(page: Page, db: Session, supervisor: User) -> None:
    known_calls(db)
    log_in(page, supervisor, "/console/supervisor?since=2026-03-02&until=2026-03-02")
    expect(page.locator("#calls-total")).to_have_text("5")
    expect(page.locator("svg.chart")).to_have_count(4)
    funnel = page.locator("svg.chart[aria-label='Phễu tổng đài tự động']")
    expect(funnel).to_be_visible()
    assert funnel.bounding_box()["width"] > 300  # drawn, not collapsed
    expect(page.locator("#funnel tbody tr").first).to_contain_text("Menu chính")


def test_operators_get_the_refusal_page(page: Page, operator: User) -> None:
    log_in(page, operator, "/console/supervisor")
    expect(page.locator("body")).to_contain_text("không có quyền")
