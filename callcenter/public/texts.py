"""SMS to citizens of the smartphone channel: plain Vietnamese without diacritics (GSM-7),
one segment where possible, "ong/ba" as the office addresses people."""

from __future__ import annotations

from callcenter.procedures import Procedure
from models.domain.text import strip_diacritics


def otp_sms(code: str, *, minutes: int) -> str:
    return (
        f"DVC Quang Ngai: ma xac thuc cua ong/ba la {code}, dung trong {minutes} phut. "
        "Khong dua ma nay cho bat ky ai."
    )


def otp_sms_masked(*, minutes: int) -> str:
    """What is kept of the code's message once it must no longer open anything."""
    return otp_sms("******", minutes=minutes)


def web_receipt_sms(reference: str, procedure: Procedure, variant: str | None) -> str:
    chosen = procedure.variant(variant)
    name = strip_diacritics(procedure.name if chosen is None else f"{procedure.name} ({chosen.name})")
    return (
        f"DVC Quang Ngai: da nhan ho so {name}. Ma ho so: {reference}. "
        "Can bo se kiem tra va lien he ong/ba khi can."
    )
