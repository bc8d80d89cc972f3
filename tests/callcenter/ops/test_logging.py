"""JSON log lines never carry a whole phone or citizen ID number."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import structlog
import uvicorn
from fastapi import FastAPI

from callcenter.ops.logging import configure_logging
from callcenter.ops.masking import mask_text
from tests.live_server import free_port


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    out = io.StringIO()
    configure_logging(json=True, stream=out)
    yield out
    structlog.reset_defaults()


def test_json_lines_mask_phone_and_id_numbers_in_any_value(json_log: io.StringIO) -> None:
    structlog.get_logger("t").info(
        "dossier_saved", caller="+84905123456", note="gọi lại số 0905123456, CCCD 051090001234",
        nested={"phones": ["0987654321"]}, call_sid="CA0905123456090512345609051234",
    )
    line = json.loads(json_log.getvalue().strip().splitlines()[-1])
    assert line["event"] == "dossier_saved" and line["level"] == "info"
    assert line["caller"] == "+84905***456"
    assert "0905123456" not in line["note"] and "051090001234" not in line["note"]
    assert "051******234" in line["note"]
    assert line["nested"]["phones"] == ["0987***321"]
    assert line["call_sid"] == "CA0905123456090512345609051234"  # an identifier, not a number to hide


def test_masking_leaves_references_and_dates_alone() -> None:
    assert mask_text("hồ sơ 472915 ngày 2026-03-02") == "hồ sơ 472915 ngày 2026-03-02"


def test_a_line_of_flat_values_is_masked_too(json_log: io.StringIO) -> None:
    # Flat lines take the one-search path: a number in any of their strings still counts.
    log = structlog.get_logger("t")
    log.info("call_started", call_sid="CA12", flow="2026-11", turn=3, verified=True, caller="0905123456")
    log.info("call_ended", call_sid="CA12", outcome="abandoned", duration_s=41)
    first, second = (json.loads(x) for x in json_log.getvalue().strip().splitlines()[-2:])
    assert first["caller"] == "0905***456" and first["turn"] == 3 and first["flow"] == "2026-11"
    assert second == {**second, "outcome": "abandoned", "duration_s": 41, "call_sid": "CA12"}


def test_uvicorns_access_lines_mask_numbers_in_query_strings(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """Served by uvicorn with its access log on, as `make run` does."""
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), access_log=True, log_level="info",
                            log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    thread.start()
    try:
        while not server.started:
            time.sleep(0.01)
        base = f"http://127.0.0.1:{config.port}"
        httpx.get(base + "/api/v1/calls", params={"phone": "+84905123456", "limit": "5"})
        httpx.get(base + "/api/v1/dossiers?phone=0987654321&cccd=051090001234")
        httpx.get(base + "/healthz?ref=472915")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert len(lines) == 3, lines
    calls, dossiers, health = lines
    assert "phone=+84905***456" in calls and "84905123456" not in calls and "limit=5" in calls
    assert "0987***321" in dossiers and "051******234" in dossiers and "0987654321" not in dossiers
    assert "/healthz?ref=472915" in health  # nothing to hide: the line as uvicorn wrote it
