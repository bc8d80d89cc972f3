"""The call log and the dashboard in a real Chromium (Debian's), driven by Playwright against uvicorn.

Few tests, each something a supervisor does; every wait is on a selector, none on time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from models.user import User
from tests import browser as live
from tests.browser import Browser, Page, expect, new_context, requires_chromium
from tests.callcenter.reports.builders import T0, known_calls, make_call
from tests.callcenter.reports.fixtures import PASSWORD

pytestmark = requires_chromium

# The shared live server and Chromium: pytest finds fixtures among the module's attributes.
server = live.server
browser = live.browser


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = new_context(browser, server)
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
    first_page = page.locator("#call-log tbody tr").all_inner_texts()
    page.click("#next-page")
    expect(page.locator("#call-log tbody tr")).to_have_count(11)  # 61 calls in all
    assert not set(page.locator("#call-log tbody tr").all_inner_texts()) & set(first_page)  # older ones
    page.goto("/console/supervisor/calls")
    page.select_option("select[name=outcome]", "dossier_created")
    page.click("#call-filters button[type=submit]")
    expect(page.locator("#call-log tbody tr")).to_have_count(1)
    page.locator("#call-log tbody tr a").first.click()
    page.wait_for_url("**/console/supervisor/calls/CA-dossier")  # the one call the filter left
    expect(page.locator("h1")).to_contain_text("Cuộc gọi từ 0905")
    expect(page.locator("#timeline")).to_contain_text("phím 90567")
    expect(page.locator("#timeline")).to_contain_text("bước confirm")


def test_supervisor_reads_the_dashboard_charts(page: Page, db: Session, supervisor: User) -> None:
    known_calls(db)
    log_in(page, supervisor, "/console/supervisor?since=2026-03-02&until=2026-03-02")
    expect(page.locator("#calls-total")).to_have_text("5")
    expect(page.locator("svg.chart")).to_have_count(5)
    expect(page.locator("svg.chart[aria-label='Hồ sơ theo thủ tục và giai đoạn']")).to_be_visible()
    funnel = page.locator("svg.chart[aria-label='Phễu tổng đài tự động']")
    expect(funnel).to_be_visible()
    assert funnel.bounding_box()["width"] > 300  # drawn, not collapsed
    expect(page.locator("#funnel tbody tr").first).to_contain_text("Menu chính")


def test_operators_get_the_refusal_page(page: Page, operator: User) -> None:
    log_in(page, operator, "/console/supervisor")
    expect(page.locator("body")).to_contain_text("không có quyền")
