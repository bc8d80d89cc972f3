"""The fishers' guide prints on one A4 page, in a real Chromium (Debian's)."""

from __future__ import annotations

import re

from tests import browser as live
from tests.browser import Browser, requires_chromium

pytestmark = requires_chromium

server = live.server
browser = live.browser


def test_the_guide_prints_on_one_a4_page(browser: Browser, server: str) -> None:
    page = browser.new_page()
    try:
        page.goto(server + "/huong-dan")
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
    finally:
        page.close()
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    assert len(pages) == 1
