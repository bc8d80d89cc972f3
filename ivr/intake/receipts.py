"""SMS texts to fishers: plain Vietnamese without diacritics, one segment (160) where possible.

Most fishers read on basic phones where a single accented letter turns a message into
UCS-2 (70 characters a segment); these texts are written to stay in GSM-7.
"""

from __future__ import annotations

from ivr.hours import CallbackPromise
from ivr.intake.drafts import Draft

PROCEDURE_SHORT = {
    ("fishing_licence", "new"): "cap moi GP khai thac thuy san",
    ("fishing_licence", "reissue"): "cap lai GP khai thac thuy san",
    ("fishing_licence", None): "cap GP khai thac thuy san",
    ("vessel_safety_certificate", None): "cap GCN an toan ky thuat tau ca",
}


def procedure_short(procedure: str, variant: str | None) -> str:
    return PROCEDURE_SHORT.get((procedure, variant)) or PROCEDURE_SHORT.get((procedure, None), procedure)


def draft_receipt(dossier: Draft, *, promise: CallbackPromise | None = None) -> str:
    """The reference first (what the fisher keeps), then what was asked, then when an
    operator calls back (`promise`, from `ivr.hours.callback_promise`). Within 160
    characters for every procedure, an unverified vessel and the longest promise."""
    vessel = dossier.vessel_registration or "chua ro"
    checked = "" if dossier.vessel_verified else " (se kiem tra)"
    when = f" {promise.sms}" if promise is not None else ""
    what = procedure_short(dossier.procedure, dossier.variant)
    return (
        f"DVC Quang Ngai: ma ho so {dossier.reference}, {what}, "
        f"tau {vessel}{checked}. Dien thoai vien se goi lai ong/ba{when}."
    )


def taken_receipt(dossier: Draft) -> str:
    """The receipt of a draft an operator started while talking with the caller: the
    reference to keep, and no promise of a call-back to someone already on the line."""
    vessel = dossier.vessel_registration or "chua ro"
    what = procedure_short(dossier.procedure, dossier.variant)
    return (
        f"DVC Quang Ngai: ma ho so {dossier.reference}, {what}, tau {vessel}. "
        "Dien thoai vien dang hoan thien ho so cung ong/ba."
    )
