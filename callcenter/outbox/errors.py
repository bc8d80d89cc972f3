"""How a handler tells the worker what became of a delivery."""

from __future__ import annotations


class DeliveryError(Exception):
    """Base of the two outcomes a handler may raise; `reason` is shown to supervisors."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLater(DeliveryError):
    """Temporary: the receiver is down, slow or busy. Tried again after a backoff."""


class PermanentFailure(DeliveryError):
    """Will never work as it is (rejected number, invalid dossier): failed at once."""
