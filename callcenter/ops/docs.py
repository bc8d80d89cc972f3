"""`/docs`: the API's Swagger UI, served from a Python package (works offline, no CDN).

FastAPI's own page loads Swagger UI from a CDN and starts it with an inline script; this
one takes the files from `swagger-ui-bundle-v2` (Swagger UI 5, which reads OpenAPI 3.1)
and starts it from a static file, so a strict Content-Security-Policy allows it. The
OpenAPI JSON itself is `/openapi.json`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

HERE = Path(__file__).resolve().parent

_PAGE = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — API</title>
<link rel="stylesheet" href="/docs/ui/swagger-ui.css">
<script src="/docs/ui/swagger-ui-bundle.js" defer></script>
<script src="/docs/own/docs-start.js" defer></script>
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """Mount Swagger UI's files and the page; the app must be made with `docs_url=None`."""
    app.mount("/docs/ui", StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")
    app.mount("/docs/own", StaticFiles(directory=str(HERE / "static")), name="docs-own")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_PAGE.format(title=app.title, openapi=app.openapi_url or "/openapi.json"))
