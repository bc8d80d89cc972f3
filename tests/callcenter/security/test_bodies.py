"""Request bodies are capped per path before they are read into memory."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from callcenter.security import MB, install_security

CHUNK = 64 * 1024
FIFTY_MB = 50 * MB


def _post_in_chunks(app: FastAPI, path: str, *, total: int, content_length: bool) -> tuple[int, int, bytes]:
    """POST `total` bytes to the ASGI app in 64 KB chunks, as a server hands them over;
    (status, chunks the app pulled, body)."""
    pulled = 0
    sent: list[dict[str, Any]] = []
    headers = [(b"host", b"testserver"), (b"content-type", b"application/x-www-form-urlencoded")]
    if content_length:
        headers.append((b"content-length", str(total).encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": headers, "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        more = pulled * CHUNK < total
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": more}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, pulled, body


def test_fifty_megabytes_without_a_length_are_refused_after_the_first_quarter_megabyte(
    app: FastAPI, db: Session
) -> None:
    status, pulled, body = _post_in_chunks(app, "/console/login", total=FIFTY_MB, content_length=False)
    assert status == 413
    assert pulled <= 256 * 1024 // CHUNK + 1  # the default limit and one chunk, of 800
    assert "quá lớn (tối đa 256 KB" in body.decode()


def test_a_declared_length_over_the_limit_is_refused_before_a_byte_is_read(app: FastAPI, db: Session) -> None:
    for path in ("/api/v1/auth/token", "/twilio/voice", "/console/login"):
        status, pulled, _ = _post_in_chunks(app, path, total=FIFTY_MB, content_length=True)
        assert (status, pulled) == (413, 0), path


def test_a_twilio_webhook_may_not_send_more_than_32_kb(app: FastAPI, db: Session) -> None:
    status, pulled, body = _post_in_chunks(app, "/twilio/sms", total=FIFTY_MB, content_length=False)
    assert status == 413 and pulled == 1
    assert "tối đa 32 KB" in body.decode()


def test_an_api_body_past_the_limit_gets_413_in_vietnamese(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", data={"username": "a", "password": "x" * 300_000})
    assert response.status_code == 413
    assert response.json() == {"detail": "Nội dung gửi lên quá lớn (tối đa 256 KB cho địa chỉ này)."}


def test_one_endpoint_may_take_more_by_saying_so() -> None:
    """How an upload endpoint allows a few MB: `max_body_size` on its route wins."""
    app = FastAPI()
    install_security(app)

    @app.post("/api/v1/public/dossiers/{reference}/attachments", max_body_size=10 * MB)
    async def attach(reference: str, request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @app.post("/api/v1/public/dossiers")
    async def create(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    with TestClient(app) as client:
        photo = b"\xff" * (3 * MB)
        assert client.post("/api/v1/public/dossiers/472915/attachments", content=photo).json() == {"bytes": 3 * MB}
        too_big = client.post("/api/v1/public/dossiers/472915/attachments", content=b"\xff" * (11 * MB))
        assert too_big.status_code == 413 and "tối đa 10 MB" in too_big.json()["detail"]
        assert client.post("/api/v1/public/dossiers", content=photo).status_code == 413
