"""`/metrics`, `/healthz`, `/readyz` as a Prometheus scraper and a load balancer see them."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from models.outbox import OutboxEntry
from tests.ivr.voice import VoiceCaller


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_a_call_shows_in_the_counters_and_the_webhook_latency(client: TestClient, db: Session) -> None:
    # The app (and its counters) lives for the whole test session: count what this call adds.
    before = scrape(client)
    caller = VoiceCaller(client)
    caller.post("/twilio/voice")
    caller.post("/twilio/voice/status", CallStatus="completed", CallDuration="12")
    db.add(OutboxEntry(kind="sms.send", idempotency_key="k1", payload={}, status="failed"))
    db.commit()
    samples = scrape(client)

    def added(key: tuple[str, tuple[tuple[str, str], ...]]) -> float:
        return samples[key] - before.get(key, 0.0)

    assert added(("tongdai_calls_started_total", ())) == 1
    assert added(("tongdai_calls_ended_total", (("outcome", "abandoned"),))) == 1
    assert added(("tongdai_webhook_duration_seconds_count", (("route", "/twilio/voice"),))) == 1
    assert added(("tongdai_webhook_duration_seconds_count", (("route", "/twilio/voice/status"),))) == 1
    assert samples[("tongdai_outbox_entries", (("state", "failed"),))] == 1  # a gauge: now


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_not_ready_when_the_schema_is_behind(client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["fix"] == "tongdai db upgrade"
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})


def _read_only(database_url: str) -> Engine:
    """The suite's database, through connections that may read and never write."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return create_engine(f"sqlite:///file:{url.database}?mode=ro&uri=true")
    return create_engine(url, connect_args={"options": "-c default_transaction_read_only=on"})


def test_not_ready_when_the_database_refuses_writes(
    app: FastAPI, client: TestClient, database_url: str, db: Session
) -> None:
    assert client.get("/readyz").status_code == 200
    writable, app.state.engine = app.state.engine, _read_only(database_url)
    try:
        response = client.get("/readyz")
    finally:
        app.state.engine.dispose()
        app.state.engine = writable
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable" and response.json()["database"] == "refuses writes"
    assert client.get("/readyz").status_code == 200  # the check itself changed nothing
