"""Durable outbox: whatever must reach an outside system is written as an `OutboxEntry` in
the same transaction as the change that causes it, and delivered here, at least once,
with retries, by a worker inside the app or by `tongdai worker` (several may run).

Writing a handler (the interface other packages rely on)
--------------------------------------------------------
Queue work with `models.outbox.enqueue(session, kind="your.kind",
idempotency_key=<unique, stable>, payload={...JSON...})` in your service's transaction.
Then register a handler once, in `callcenter/outbox/handlers.py::install_default_handlers`:

    registry.register("your.kind", deliver, on_give_up=..., on_requeue=...)

(or `register_handler(kind, deliver, ...)` for the default registry).

`deliver(session: Session, entry: OutboxEntry, context: OutboxContext) -> None`
    Called outside the claiming transaction, with the entry leased to this worker.
    `context.settings` is the service's `Settings`; `context.http` a shared httpx.Client
    (15 s timeout; MockTransport-backed in tests); `context.twilio()` the Twilio client.
    Return normally when delivered: the entry becomes `done`.
    Raise `RetryLater(reason)` when the receiver is temporarily unavailable (5xx,
    timeouts, connection errors): retried with exponential backoff plus jitter, and
    marked `failed` after `OUTBOX_MAX_ATTEMPTS` (12, over an hour) attempts.
    Raise `PermanentFailure(reason)` when it can never work as is (4xx): `failed` at once.
    Any other exception rolls back the handler's changes and counts as `RetryLater`.
    Changes the handler flushes commit in one transaction with the entry's new state,
    also when it raises RetryLater or PermanentFailure (so it can record why).
    Must be safe to run twice for one entry (at-least-once): check what is already done
    and send `entry.idempotency_key` to the receiver. Never commit.
    `reason` is shown to supervisors: Vietnamese, without personal numbers.

`on_give_up(session, entry, reason) -> None` (optional): the entry just failed for good;
    mark your own row (message, dossier) failed. `on_requeue(session, entry) -> None`
    (optional): a supervisor retried it (`service.retry_failed`); undo that mark.
"""

from callcenter.outbox.errors import DeliveryError, PermanentFailure, RetryLater
from callcenter.outbox.registry import Handler, HandlerRegistry, default_registry, register_handler

__all__ = [
    "DeliveryError", "Handler", "HandlerRegistry", "PermanentFailure", "RetryLater",
    "default_registry", "register_handler",
]
