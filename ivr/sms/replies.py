"""Replies to fishers' SMS: plain Vietnamese without diacritics, one segment where possible.

A single accented letter makes a message UCS-2 (70 characters a segment); every text
here passes through `plain()` so it stays in GSM-7 (160). The syntax in the help text
comes from the parser's keyword table, never from a copy of it.
"""

from __future__ import annotations

from datetime import date

from ivr.intake.receipts import procedure_short
from ivr.prompts import Catalogue
from ivr.sms.parser import EXAMPLE_VESSEL, KEYWORDS, Keyword, Problem
from models.domain.text import strip_diacritics

SEGMENT = 160


def plain(text: str) -> str:
    """Without diacritics and with ASCII punctuation only, so GSM-7 carries it."""
    return strip_diacritics(text).replace("–", "-").replace("…", "...")


def help_text(hotline: str) -> str:
    """`Soan: GP 90567 (cap moi giay phep), …`: every keyword but help itself, with its example."""
    usages = ", ".join(f"{k.examples[0].text} ({k.short})" for k in KEYWORDS if k.action != "help")
    return plain(f"Soan: {usages}. {EXAMPLE_VESSEL} la so tau. Goi {hotline}")


def draft_created(
    *, reference: str, procedure: str, variant: str | None, vessel: str, verified: bool, catalogue: Catalogue,
    when: str = "",
) -> str:
    """`when`: the call-back promise's SMS form (`ivr.hours.callback_promise(...).sms`)."""
    what = procedure_short(procedure, variant, catalogue)
    call_back = f"Dien thoai vien se goi lai ong/ba {when}".rstrip()
    # Not in the registry: the operator checks the number with the fisher on that call.
    checked = "" if verified else " (se kiem tra)"
    return plain(f"Da nhan yeu cau {what} tau {vessel}{checked}. Ma ho so: {reference}. {call_back}.")


def draft_repeated(*, reference: str, vessel: str) -> str:
    return plain(f"Yeu cau cho tau {vessel} da duoc ghi nhan truoc do. Ma ho so: {reference}. "
                 "Dien thoai vien se goi lai, xin dung gui lai.")


def problem(kind: Problem, keyword: Keyword) -> str:
    example = keyword.examples[-1].text if kind == "bad_reference" else keyword.examples[0].text
    if kind == "bad_reference":
        return plain(f"Ma ho so gom 6 chu so. Soan: {example}")
    told = "Thieu so tau" if kind == "missing_vessel" else "So tau chua dung"
    return plain(f"{told}. Soan: {example} (chi can cac chu so cua so dang ky tau).")


def status(
    *, reference: str, procedure: str, variant: str | None, status_phrase: str,
    due_date: date | None, tracking_number: str | None, others: list[str], catalogue: Catalogue,
) -> str:
    """`status_phrase` is the catalogue's (with diacritics); `tracking_number` only for the owner."""
    text = f"Ho so {reference} ({procedure_short(procedure, variant, catalogue)}): {status_phrase}"
    if due_date is not None:
        text += f" Hen tra: {due_date:%d/%m/%Y}."
    if tracking_number:
        text += f" Ma buu gui: {tracking_number}."
    text = plain(text)
    if others:
        more = plain(f" Ho so khac: {', '.join(others)} (soan TT <ma>).")
        if len(text) + len(more) <= SEGMENT:
            text += more
    return text


def no_dossier(hotline: str) -> str:
    return plain(f"So dien thoai nay chua co ho so nao. Tra theo ma: TT <ma 6 so>. Goi {hotline}")


def dossier_not_found(reference: str) -> str:
    return plain(f"Khong tim thay ho so ma {reference}. Xin kiem tra lai 6 chu so cua ma ho so.")


def too_many_drafts(hotline: str) -> str:
    return plain("Ong/ba da gui nhieu yeu cau trong it phut. Dien thoai vien se goi lai; "
                 f"viec gap xin goi {hotline}")


def slow_down() -> str:
    return plain("Ong/ba nhan qua nhieu tin trong 1 phut. Xin doi vai phut roi nhan lai.")


def fault(hotline: str) -> str:
    return plain(f"Xin loi, tong dai dang gap su co. Xin nhan lai sau hoac goi {hotline}")
