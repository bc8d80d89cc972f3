"""Browser-facing headers: every HTML page sends a CSP without inline script, nosniff, a
referrer policy, and no-store where personal data is shown; no template runs inline code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.callcenter.console.conftest import MakeUser, log_in
from tests.callcenter.dossiers.conftest import make_dossier
from tests.conftest import twilio_post

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = sorted(p for d in ("callcenter", "ivr") for p in (ROOT / d).rglob("*.html"))


def _assert_page_headers(response, *, cached: bool = False) -> None:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("text/html"), response.url
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"  # no inline script, no eval, nothing from elsewhere
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"
    if not cached:
        assert response.headers["cache-control"] == "no-store"


def test_console_pages_with_personal_data_send_every_header(
    client: TestClient, make_user: MakeUser, db: Session
) -> None:
    make_user("vana", "operator")
    make_user("thib", "supervisor")
    make_dossier(db, applicant_id_number="051080001234")
    _assert_page_headers(client.get("/console/login"))
    log_in(client, "vana")
    for path in ("/console/queue", "/console/dossiers/472915", "/console/callbacks", "/console/dossiers/999999"):
        _assert_page_headers(client.get(path))
    client.cookies.clear()
    log_in(client, "thib")
    for path in ("/console/supervisor", "/console/supervisor/calls", "/console/supervisor/report"):
        _assert_page_headers(client.get(path))


def test_the_public_guide_keeps_its_own_caching_but_gets_the_policy(client: TestClient, db: Session) -> None:
    guide = client.get("/huong-dan")
    _assert_page_headers(guide, cached=True)
    assert guide.headers["cache-control"] == "public, max-age=300"


def test_api_answers_are_not_stored_or_sniffed(client: TestClient, db: Session) -> None:
    response = client.get("/api/v1/dossiers")
    assert response.status_code == 401
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert "content-security-policy" not in response.headers  # JSON, not a page


def test_static_files_keep_their_caching(client: TestClient) -> None:
    script = client.get("/console/static/console.js")
    assert script.status_code == 200
    assert "cache-control" not in script.headers and "etag" in script.headers
    assert script.headers["x-content-type-options"] == "nosniff"


def test_twilio_webhooks_are_answered_as_before(client: TestClient, db: Session) -> None:
    response = twilio_post(client, "/twilio/sms", {"MessageSid": "SM1", "From": "+84905123456",
                                                   "To": "+842553818558", "Body": "HD"})
    assert response.status_code == 200
    assert "content-security-policy" not in response.headers and "cache-control" not in response.headers


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_runs_inline_script(template: Path) -> None:
    html = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html, re.I), "an inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html, re.I), "an inline event handler (onclick=…)"
    assert "javascript:" not in html.lower()


def test_the_policy_can_allow_more_for_one_part_of_the_site() -> None:
    from callcenter.security import content_security_policy

    softphone = content_security_policy(connect_src=("wss://voice-js.roaming.twilio.com",))
    assert "connect-src 'self' wss://voice-js.roaming.twilio.com" in softphone
    assert "script-src 'self';" in softphone and "frame-ancestors 'none'" in softphone
