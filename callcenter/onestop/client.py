"""The one-stop client: one small interface, and its HTTP implementation.

Callers (the outbox worker, the status poller) depend on the `OneStopClient` protocol
only, so a test can hand them a fake and a real province adapter can replace the HTTP
one. Two kinds of failure, because they need opposite handling:

- `OneStopUnavailable`: the system could not answer (connection, timeout, 5xx, 429, a
  refused token). Nothing is wrong with the dossier: retry later with the *same*
  idempotency key; the one-stop side answers a retry with the dossier it already made.
- `OneStopRejected`: the system answered that this application is wrong (4xx). Retrying
  the same thing cannot help: show `reason` / `errors` to an operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import httpx
import structlog
from pydantic import ValidationError

from callcenter.onestop.schemas import Application, ErrorBody, OneStopDossier, UploadedFile
from ivr.settings import Settings
from models.base import province_date

log = structlog.get_logger(__name__)

# The province's calendar: a due date is a local date, whatever the server's zone.

# One-stop state → our dossier status (models.dossier.STATUSES). Asking for more
# documents is still "processing" for the fisher: the dossier is with the authority.
_OUR_STATUS = {
    "received": "submitted",
    "being_processed": "processing",
    "more_documents_requested": "processing",
    "result_ready": "result_ready",
    "returned": "delivered",  # at the counter; by post, see `our_status`
    "refused": "rejected",
    "processing_stopped": "rejected",
}


class OneStopError(Exception):
    pass


class OneStopUnavailable(OneStopError):
    """Try again later; `retry_after` (seconds) when the server said how long."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class OneStopAuthFailed(OneStopUnavailable):
    """The token was refused: a configuration fault (ONESTOP_API_KEY) an admin must fix.

    Still "unavailable": the dossiers are fine and go through once the key is right.
    """


class OneStopRejected(OneStopError):
    """The application is wrong and will stay wrong; `reason` is for the operator."""

    def __init__(self, reason: str, *, errors: tuple[tuple[str, str], ...] = (), status_code: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.errors = errors  # (wire field path, message)
        self.status_code = status_code


class OneStopNotFound(OneStopError):
    """No dossier with that code."""


@dataclass(frozen=True)
class Receipt:
    """What the fisher is told after filing: the code and the appointment (ngày hẹn trả).

    A real desk may accept an online filing later than it arrives; then `accepted_at` and
    `due_date` are None until a later `get` fills them. The emulator accepts at once.
    """

    code: str
    applied_at: datetime
    accepted_at: datetime | None
    due_date: date | None
    status: str  # ours: "submitted" (or further along on a replayed apply)


@dataclass(frozen=True)
class OneStopStatus:
    code: str
    status: str  # ours: submitted, processing, result_ready, in_transit, delivered, rejected
    onestop_status: str  # the wire state: received, being_processed, …
    onestop_status_name: str  # as the clerk sees it, in Vietnamese
    comment: str | None  # why documents are needed or why it was refused
    due_date: date | None
    completed_at: datetime | None
    returned_at: datetime | None
    tracking_number: str | None  # UPU S10, once the result is posted
    postal_status: str | None  # in_transit, delivered


class OneStopClient(Protocol):
    def apply(self, application: Application, *, idempotency_key: str) -> Receipt:
        """File an application. The same key always yields the same dossier."""
        ...

    def get(self, code: str) -> OneStopStatus:
        """Where a dossier stands now (raises OneStopNotFound for an unknown code)."""
        ...

    def upload(self, content: bytes, *, filename: str, content_type: str, idempotency_key: str) -> str:
        """Upload one document before the application that names it; its file id.
        The same key always yields the same file."""
        ...


def our_status(dossier: OneStopDossier) -> str:
    state = dossier.dossier_status.code
    if state == "returned" and dossier.postal is not None:
        return "delivered" if dossier.postal.status == "delivered" else "in_transit"
    return _OUR_STATUS[state]


def _local_date(at: datetime | None) -> date | None:
    return province_date(at) if at else None


def receipt_of(dossier: OneStopDossier) -> Receipt:
    return Receipt(
        code=dossier.code,
        applied_at=dossier.applied_date,
        accepted_at=dossier.accepted_date,
        due_date=_local_date(dossier.appointment_date),
        status=our_status(dossier),
    )


def status_of(dossier: OneStopDossier) -> OneStopStatus:
    return OneStopStatus(
        code=dossier.code,
        status=our_status(dossier),
        onestop_status=dossier.dossier_status.code,
        onestop_status_name=dossier.dossier_status.name,
        comment=dossier.status_comment,
        due_date=_local_date(dossier.appointment_date),
        completed_at=dossier.completed_date,
        returned_at=dossier.returned_date,
        tracking_number=dossier.postal.tracking_number if dossier.postal else None,
        postal_status=dossier.postal.status if dossier.postal else None,
    )


class HttpOneStopClient:
    """JSON over HTTPS with a bearer token, on an httpx.Client that may be shared."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None,
        http: httpx.Client | None = None,
        timeout: float = 15.0,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = {"Accept": "application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._owns_http = http is None
        self._http = http or httpx.Client(timeout=timeout)
        self._timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings, *, http: httpx.Client | None = None) -> HttpOneStopClient:
        return cls(base_url=settings.onestop_url, api_key=settings.onestop_key, http=http)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def apply(self, application: Application, *, idempotency_key: str) -> Receipt:
        response = self._send(
            "POST",
            "/pa/dossier/--apply-online",
            json=application.model_dump(mode="json", by_alias=True),
            headers={"Idempotency-Key": idempotency_key},
        )
        dossier = self._dossier(response)
        log.info(
            "onestop_applied", code=dossier.code, replay=response.status_code == 200,
            procedure=application.procedure.code,
        )
        return receipt_of(dossier)

    def get(self, code: str) -> OneStopStatus:
        response = self._send("GET", "/pa/dossier/--by-code", params={"code": code})
        return status_of(self._dossier(response))

    def upload(self, content: bytes, *, filename: str, content_type: str, idempotency_key: str) -> str:
        response = self._send(
            "POST", "/pa/file/--upload", files={"file": (filename, content, content_type)},
            headers={"Idempotency-Key": idempotency_key},
        )
        try:
            return UploadedFile.model_validate_json(response.content).file_id
        except ValidationError as exc:
            raise OneStopUnavailable("one-stop system sent an answer that is not a file") from exc

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> httpx.Response:
        url = self._base_url + path
        try:
            response = self._http.request(
                method, url, json=json, params=params, headers={**self._headers, **(headers or {})},
                timeout=self._timeout, files=files,
            )
        except httpx.TimeoutException as exc:
            raise OneStopUnavailable(f"one-stop system timed out ({method} {path})") from exc
        except httpx.TransportError as exc:
            raise OneStopUnavailable(f"one-stop system unreachable: {exc}") from exc
        self._raise_for_status(response, path)
        return response

    @staticmethod
    def _raise_for_status(response: httpx.Response, path: str) -> None:
        code = response.status_code
        if code < 400:
            return
        if code in (401, 403):
            raise OneStopAuthFailed(f"one-stop system refused the token ({code}); check ONESTOP_API_KEY")
        if code >= 500 or code in (408, 425, 429):
            raise OneStopUnavailable(
                f"one-stop system answered {code} ({path})", retry_after=_retry_after(response)
            )
        body = _error_body(response)
        if code == 404 and body is not None and body.error == "not_found":
            raise OneStopNotFound(body.message)
        if code == 404:
            # Not the system's "no such dossier" but no such endpoint: a wrong
            # ONESTOP_BASE_URL, which an admin fixes; the dossier itself is fine.
            raise OneStopUnavailable(f"one-stop endpoint not found ({path}); check ONESTOP_BASE_URL")
        if body is None:
            raise OneStopRejected(f"Hệ thống một cửa từ chối hồ sơ (mã {code})", status_code=code)
        errors = tuple((e.field, e.message) for e in body.errors)
        details = "; ".join(f"{field}: {message}" for field, message in errors)
        reason = f"{body.message}: {details}" if details else body.message
        raise OneStopRejected(reason, errors=errors, status_code=code)

    @staticmethod
    def _dossier(response: httpx.Response) -> OneStopDossier:
        try:
            return OneStopDossier.model_validate_json(response.content)
        except ValidationError as exc:
            # A proxy's error page or a half-sent answer: the apply may or may not have
            # happened, and only a retry with the same key can tell.
            raise OneStopUnavailable("one-stop system sent an answer that is not a dossier") from exc


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _error_body(response: httpx.Response) -> ErrorBody | None:
    try:
        return ErrorBody.model_validate_json(response.content)
    except ValidationError:
        return None
