"""Business identifiers: the tax code (mã số thuế) and the household business number.

Tax code (Luật Quản lý thuế 2019, Thông tư 86/2024/TT-BTC): an organisation's is 10
digits, the tenth a check digit over the first nine —
N10 = 10 − ((31·N1 + 29·N2 + 23·N3 + 19·N4 + 17·N5 + 13·N6 + 7·N7 + 5·N8 + 3·N9) mod 11);
a sum whose remainder is 0 would need a check digit of 10, so no such code is issued.
A dependent unit (branch, representative office) has the parent's 10 digits, `-` and 3
more. Since 1 July 2025 individuals and household businesses use the owner's 12-digit
citizen ID as their tax code (checked as a citizen ID: models.domain.citizen_id).

Household business number (mã số hộ kinh doanh): since Nghị định 168/2025/NĐ-CP a
household business registered from 1 July 2025 is known by its tax code; older
certificates carry a number of the district's registration office, checked here only
for its shape (best reading, unverified: the district's 2-digit code, a letter, `8` for
the household type, 6 digits — e.g. `51A8001234`).
"""

from __future__ import annotations

import re
from datetime import date

from models.domain.citizen_id import InvalidCitizenId, check_citizen_id

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_TAX_CODE = re.compile(r"(\d{10})(?:-(\d{3}))?")
_LEGACY_HOUSEHOLD = re.compile(r"\d{2}[A-Z]8\d{6}")


class InvalidTaxCode(ValueError):
    pass


def check_digit(first_nine: str) -> int | None:
    """The tenth digit of a tax code beginning with these nine, or None when none exists."""
    total = sum(w * int(d) for w, d in zip(WEIGHTS, first_nine, strict=True))
    digit = 10 - total % 11
    return None if digit == 10 else digit


def _compact(raw: str) -> str:
    return "".join(ch for ch in (raw or "") if not ch.isspace() and ch != ".")


def check_organisation_tax_code(raw: str) -> str:
    """`0100109106` or `0100109106-001`, or InvalidTaxCode with a Vietnamese reason."""
    text = _compact(raw)
    if len(text) == 13 and text.isdigit():  # the branch suffix written without its dash
        text = f"{text[:10]}-{text[10:]}"
    found = _TAX_CODE.fullmatch(text)
    if found is None:
        raise InvalidTaxCode("mã số thuế phải có 10 chữ số, hoặc 13 chữ số dạng 0100109106-001")
    head = found.group(1)
    expected = check_digit(head[:9])
    if expected is None or int(head[9]) != expected:
        raise InvalidTaxCode(f"mã số thuế {head} sai chữ số kiểm tra")
    if found.group(2) == "000":
        raise InvalidTaxCode("mã đơn vị phụ thuộc không thể là 000")
    return text


def check_tax_code(raw: str, *, today: date | None = None) -> str:
    """Any tax code an applicant may hold: an organisation's (10 or 13 digits) or, for an
    individual or a household business, the 12-digit citizen ID."""
    text = _compact(raw)
    if len(text) == 12 and text.isdigit():
        try:
            return check_citizen_id(text, today=today)
        except InvalidCitizenId as exc:
            raise InvalidTaxCode(f"mã số thuế cá nhân (số căn cước): {exc}") from None
    return check_organisation_tax_code(text)


def check_household_business_number(raw: str, *, today: date | None = None) -> str:
    """A household business's number: its tax code (since 1 July 2025) or an older
    certificate number of the district office."""
    text = _compact(raw).upper()
    if _LEGACY_HOUSEHOLD.fullmatch(text):
        return text
    try:
        return check_tax_code(text, today=today)
    except InvalidTaxCode:
        raise InvalidTaxCode(
            "mã số hộ kinh doanh là mã số thuế (10 số, hoặc số căn cước 12 số của chủ hộ) "
            "hoặc số trên giấy chứng nhận cũ dạng 51A8001234"
        ) from None
