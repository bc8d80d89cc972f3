"""A live uvicorn server and Debian's Chromium, shared by the console and supervisor browser tests.

A test module opts in with `from tests.browser import browser, server` (pytest then finds the
fixtures in that module) and `pytestmark = requires_chromium`. Importing this module skips the
importing module when Playwright is not installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from callcenter.app import create_app
from ivr.settings import Settings
from tests.conftest import TWILIO_TOKEN
from tests.live_server import free_port, serve

sync_api = pytest.importorskip("playwright.sync_api")
Browser = sync_api.Browser
BrowserContext = sync_api.BrowserContext
Page = sync_api.Page
expect = sync_api.expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]

# CI (make test) installs Chromium first, so there a missing browser is a failure, not a skip.
# A module opts in with `pytestmark = requires_chromium`: marked `browser`, skipped without one.
requires_chromium = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                       reason="Debian's chromium is not installed (make browser)"),
]


def live_app(database_url: str, **overrides: Any) -> Iterator[str]:
    """The whole app on a free local port, over the test database, with these settings
    changed from the tests' own; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    values: dict[str, Any] = {
        "database_url": database_url, "public_base_url": base, "twilio_auth_token": TWILIO_TOKEN,
        "twilio_account_sid": None, "twilio_from_number": None, "run_worker_in_app": False,
        "secret_key": "browser-test-secret-key-long-enough-for-hs256", "log_json": False,
        **overrides,
    }
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    with serve(create_app(settings), port=port, lifespan="on") as url:
        yield url


@pytest.fixture(scope="module")
def server(database_url: str, engine: Engine) -> Iterator[str]:
    """The whole app on a free local port, over the test database; yields its base URL."""
    yield from live_app(database_url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_context(browser: Browser, server: str) -> BrowserContext:
    """A fresh profile (own cookies) on the live server, in Vietnamese; the caller closes it."""
    context = browser.new_context(base_url=server, locale="vi-VN")
    context.set_default_timeout(15_000)
    return context
