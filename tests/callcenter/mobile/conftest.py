"""The mobile site's fixtures: those of the public API (Twilio faked at HTTP, a store in
a temporary folder), and a browser-like client that keeps the site's cookie."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.callcenter.public.conftest import app, settings, twilio, vessel, worker

__all__ = ["app", "settings", "twilio", "vessel", "worker"]


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """Over https, as PUBLIC_BASE_URL is in the test settings: the site's cookie is Secure."""
    with TestClient(app, base_url="https://testserver") as c:
        yield c
