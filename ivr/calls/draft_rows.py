"""PostgreSQL: the step that leaves a dossier, written by one statement.

The step writes the call, its events, the draft, the draft's first history line, the
SMS receipt and (sending on) its outbox entry. One by one, inside BEGIN and COMMIT,
that was six round trips on the hottest step of a call; as one statement it is one,
and a statement is atomic without a transaction of its own.

What the separate statements guaranteed, the statement keeps:
- the call row is locked and checked at the step's turn first (`guard`); a duplicate
  webhook that lost the race finds another turn there and writes nothing at all;
- every other write hangs off the draft, so a reference another dossier took meanwhile
  (ON CONFLICT DO NOTHING) writes nothing either, and the step is tried again with a
  new reference;
- the draft copies the vessel as the registry has it now, and says whether it was found.

SQLite runs the same writes one by one inside its step's transaction
(`ivr.intake.drafts`, `ivr.intake.messages`, then `CallRows.advance_call`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.intake.drafts import CHANNEL_LABELS, DRAFT_COLUMNS
from ivr.intake.messages import MESSAGE_COLUMNS, OUTBOX_COLUMNS, SMS_SEND


@dataclass(frozen=True)
class PlannedDraft:
    """The draft a step leaves, to be written with the call (PostgreSQL)."""

    reference: str
    procedure: str
    variant: str | None
    vessel_id: int | None  # the vessel the caller confirmed, if any
    vessel_registration: str | None  # as the caller confirmed or entered it
    applicant_phone: str | None
    call_sid: str
    # The receipt, worded for a vessel the registry still has and for one it no longer
    # has (the statement knows which); None when the caller's number takes no SMS.
    receipt_if_found: str | None
    receipt_if_missing: str | None
    sending: bool

    def params(self) -> dict[str, object]:
        return {
            "reference": self.reference, "procedure": self.procedure, "variant": self.variant,
            "vessel_id": self.vessel_id, "vessel_registration": self.vessel_registration,
            "applicant_phone": self.applicant_phone, "call_sid": self.call_sid,
            "what": f"Tạo hồ sơ nháp qua {CHANNEL_LABELS['ivr']}",
            "sms_to": self.applicant_phone if self.receipt_if_found else None,
            "receipt_found": self.receipt_if_found, "receipt_missing": self.receipt_if_missing,
            "sms_status": "queued" if self.sending else "recorded", "sending": self.sending,
            "sms_kind": SMS_SEND,
        }


# The head of the statement; `CallRows` adds the call's update (as `written`, joined to
# `draft`) and its events. `:at` is the step's time for every row. (Only constants are
# joined into the text: every value is a parameter.)
DRAFT_CTES = (
    "guard AS (SELECT id FROM calls WHERE id = :id AND turn = :from_turn FOR UPDATE), "  # noqa: S608
    "vessel AS (SELECT id, registration_number, owner_name, owner_phone FROM vessels "
    "WHERE id = :vessel_id), "
    "draft AS (INSERT INTO dossiers (" + DRAFT_COLUMNS + ") "
    "SELECT :reference, :procedure, :variant, 'ivr', 'draft', vessel.id, "
    "COALESCE(vessel.registration_number, CAST(:vessel_registration AS varchar)), vessel.id IS NOT NULL, "
    ":applicant_phone, "
    "CASE WHEN vessel.owner_phone = CAST(:applicant_phone AS varchar) THEN vessel.owner_name END, "
    ":call_sid, '{}'::jsonb, :at, :at FROM guard LEFT JOIN vessel ON true "
    "ON CONFLICT (reference) DO NOTHING RETURNING id, vessel_verified), "
    'line AS (INSERT INTO dossier_events (dossier_id, at, "by", what, detail) '
    "SELECT draft.id, :at, 'ivr', :what, NULL FROM draft), "
    "receipt AS (INSERT INTO messages (" + MESSAGE_COLUMNS + ") "
    "SELECT 'out', :sms_to, '', CASE WHEN draft.vessel_verified THEN :receipt_found "
    "ELSE :receipt_missing END, draft.id, :sms_status, :at "
    "FROM draft WHERE CAST(:sms_to AS varchar) IS NOT NULL RETURNING id), "
    "sending AS (INSERT INTO outbox (" + OUTBOX_COLUMNS + ") "
    "SELECT :sms_kind, 'sms:' || receipt.id, jsonb_build_object('message_id', receipt.id), "
    "'pending', 0, :at, :at FROM receipt WHERE :sending), "
)
# The call's update joins `draft`: no draft (reference taken, turn taken), no update.
DRAFT_RESULT = "SELECT (SELECT count(*) FROM guard), (SELECT count(*) FROM written)"
