"""SMS texts to fishers: plain Vietnamese without diacritics, one segment (160) where possible.

Most fishers read on basic phones where a single accented letter turns a message into
UCS-2 (70 characters a segment); these texts are written to stay in GSM-7.
"""

from __future__ import annotations

from ivr.hours import CallbackPromise
from ivr.intake.drafts import Draft
from ivr.prompts import Catalogue


def procedure_short(procedure: str, variant: str | None, catalogue: Catalogue) -> str:
    """The procedure as an SMS names it (the prompt catalogue's [phrases.procedure_sms])."""
    return catalogue.procedure_phrase("procedure_sms", procedure, variant)


def draft_receipt(dossier: Draft, *, catalogue: Catalogue, promise: CallbackPromise | None = None) -> str:
    """The reference first (what the fisher keeps), then what was asked, then when an
    operator calls back (`promise`, from `ivr.hours.callback_promise`). Within 160
    characters for every procedure, an unverified vessel and the longest promise."""
    vessel = dossier.vessel_registration or "chua ro"
    checked = "" if dossier.vessel_verified else " (se kiem tra)"
    when = f" {promise.sms}" if promise is not None else ""
    what = procedure_short(dossier.procedure, dossier.variant, catalogue)
    return (
        f"DVC Quang Ngai: ma ho so {dossier.reference}, {what}, "
        f"tau {vessel}{checked}. Dien thoai vien se goi lai ong/ba{when}."
    )


def taken_receipt(dossier: Draft, *, catalogue: Catalogue) -> str:
    """The receipt of a draft an operator started while talking with the caller: the
    reference to keep, and no promise of a call-back to someone already on the line."""
    vessel = dossier.vessel_registration or "chua ro"
    what = procedure_short(dossier.procedure, dossier.variant, catalogue)
    return (
        f"DVC Quang Ngai: ma ho so {dossier.reference}, {what}, tau {vessel}. "
        "Dien thoai vien dang hoan thien ho so cung ong/ba."
    )
