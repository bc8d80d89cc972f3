"""`/docs` works offline: Swagger UI's files come from the app (a Python package), no CDN."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_the_api_docs_load_everything_from_the_app_itself(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/docs/") for s in sources), sources  # nothing from another host
    assert "<script>" not in page.text  # started from a file: a strict CSP allows it
    for path in sources:
        assert client.get(path).status_code == 200, path
    bundle = client.get("/docs/ui/swagger-ui-bundle.js")
    assert "SwaggerUIBundle" in bundle.text[:200_000]
    assert client.get("/openapi.json").json()["info"]["title"] == "tongdai"
