"""Handlers by outbox kind (`sms.send`, `onestop.submit`, …)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from models.outbox import OutboxEntry

if TYPE_CHECKING:
    from callcenter.outbox.context import OutboxContext

Deliver = Callable[[Session, OutboxEntry, "OutboxContext"], None]
GiveUp = Callable[[Session, OutboxEntry, str], None]
Requeue = Callable[[Session, OutboxEntry], None]


@dataclass(frozen=True)
class Handler:
    kind: str
    deliver: Deliver
    on_give_up: GiveUp | None = None
    on_requeue: Requeue | None = None


class HandlerRegistry:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(
        self,
        kind: str,
        deliver: Deliver,
        *,
        on_give_up: GiveUp | None = None,
        on_requeue: Requeue | None = None,
    ) -> None:
        handler = Handler(kind, deliver, on_give_up, on_requeue)
        existing = self._handlers.get(kind)
        # Re-registering the same functions (a module imported twice) is harmless; two
        # different handlers for one kind would deliver by whichever came last.
        if existing is not None and existing != handler:
            raise ValueError(f"outbox kind {kind!r} already has a handler")
        self._handlers[kind] = handler

    def get(self, kind: str) -> Handler | None:
        return self._handlers.get(kind)

    def kinds(self) -> list[str]:
        return sorted(self._handlers)


default_registry = HandlerRegistry()


def register_handler(
    kind: str,
    deliver: Deliver,
    *,
    on_give_up: GiveUp | None = None,
    on_requeue: Requeue | None = None,
) -> None:
    """Register `deliver` for `kind` in the registry the app and `tongdai worker` use."""
    default_registry.register(kind, deliver, on_give_up=on_give_up, on_requeue=on_requeue)
