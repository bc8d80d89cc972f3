"""Prometheus metrics on `/metrics`, one registry per app.

Webhook latency is measured in this process. Everything about calls, dossiers and the
outbox is read from the database at scrape time: several stateless workers share one
database, so any worker a scraper reaches reports the same totals, and a restart loses
no count.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from callcenter.outbox.service import outbox_depth
from models.base import utcnow
from models.call import Call
from models.dossier import Dossier
from models.message import Message as SmsMessage

# Twilio gives up on a webhook after 15 s; most answers should take milliseconds.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0)


class DatabaseCollector(Collector):
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def collect(self) -> Iterator[Metric]:
        with self._factory() as session:
            yield from self._calls(session)
            yield from self._outbox(session)

    def _calls(self, session: Session) -> Iterator[Metric]:
        started = CounterMetricFamily("tongdai_calls_started", "Calls answered by the hotline")
        started.add_metric([], float(session.scalar(select(func.count(Call.id))) or 0))
        yield started

        ended = CounterMetricFamily("tongdai_calls_ended", "Calls by outcome", labels=["outcome"])
        by_outcome = select(Call.outcome, func.count(Call.id)).where(Call.outcome.is_not(None))
        for outcome, n in session.execute(by_outcome.group_by(Call.outcome)):
            ended.add_metric([str(outcome)], float(n))
        yield ended

        dossiers = CounterMetricFamily("tongdai_dossiers_created", "Dossiers by channel", labels=["channel"])
        by_channel = select(Dossier.channel, func.count(Dossier.id)).group_by(Dossier.channel)
        for channel, n in session.execute(by_channel):
            dossiers.add_metric([str(channel)], float(n))
        yield dossiers

    def _outbox(self, session: Session) -> Iterator[Metric]:
        failed_sms = GaugeMetricFamily("tongdai_sms_failed", "SMS that could not be sent")
        failed = session.scalar(select(func.count(SmsMessage.id)).where(SmsMessage.status == "failed")) or 0
        failed_sms.add_metric([], float(failed))
        yield failed_sms

        now = utcnow()
        depth = outbox_depth(session, now=now)
        outbox = GaugeMetricFamily("tongdai_outbox_entries", "Outbox entries by state", labels=["state"])
        for state, value in (("pending", depth.pending), ("due", depth.due),
                             ("in_flight", depth.in_flight), ("failed", depth.failed)):
            outbox.add_metric([state], float(value))
        yield outbox
        age = GaugeMetricFamily("tongdai_outbox_oldest_due_age_seconds", "How long the backlog waited")
        age.add_metric([], (now - depth.oldest_due_at).total_seconds() if depth.oldest_due_at else 0.0)
        yield age

def _route_template(scope: Scope) -> str:
    """`/twilio/voice/step/{turn}`, not each turn: labels must stay few."""
    route = scope.get("route")
    if route is not None and hasattr(route, "path"):
        return str(route.path)
    return "unmatched"


class WebhookTimer:
    """Pure ASGI middleware: times webhooks and counts 5xx answers.

    Not `@app.middleware("http")`: Starlette's BaseHTTPMiddleware costs a task and a
    memory stream per request, which showed up in the webhook benchmark.
    """

    def __init__(self, app: ASGIApp, latency: Histogram, failures: Counter) -> None:
        self.app, self.latency, self.failures = app, latency, failures

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        begun = time.perf_counter()
        status = 500

        async def remember_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, remember_status)
        finally:
            if scope["path"].startswith("/twilio/"):
                self.latency.labels(_route_template(scope)).observe(time.perf_counter() - begun)
            if status >= 500:
                self.failures.labels(_route_template(scope)).inc()


def login_outcomes(registry: CollectorRegistry) -> Counter:
    """`tongdai_logins_total{via, outcome}`: ok, failed (wrong or unknown), throttled
    (a rate or a wait after failures: 429), busy (hash queue full: 429), unavailable (503).

    Counted in this process, like webhook latency: Prometheus adds up the workers'."""
    return Counter("tongdai_logins", "Login attempts by outcome", ["via", "outcome"], registry=registry)


def install_metrics(app: FastAPI) -> None:
    registry = CollectorRegistry()
    latency = Histogram("tongdai_webhook_duration_seconds", "Time to answer a Twilio webhook",
                        ["route"], registry=registry, buckets=_LATENCY_BUCKETS)
    failures = Counter("tongdai_http_failures", "Answers with a 5xx status", ["route"], registry=registry)
    registry.register(DatabaseCollector(app.state.sessionmaker))
    app.state.metrics_registry = registry
    app.add_middleware(WebhookTimer, latency=latency, failures=failures)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
