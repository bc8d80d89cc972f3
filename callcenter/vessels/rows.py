"""One registry row: the CSV columns of contract section 6 → a checked `VesselRow` or the reasons why not.

Pure functions only (no database), so every rule is testable on its own and the writer
never sees a value that the table would reject.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import astuple, dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import String

from models.domain.citizen_id import InvalidCitizenId, check_citizen_id
from models.domain.phone import InvalidPhone, normalize_phone
from models.domain.registration import (
    InvalidRegistration,
    normalize_registration,
    registration_digits,
    registration_symbol,
)
from models.domain.text import nfc
from models.vessel import Vessel

# The header of the registry CSV, in the contract's order.
COLUMNS = (
    "registration_number", "vessel_name", "owner_name", "owner_phone", "owner_id_number",
    "address", "commune", "district", "province", "length_m", "main_gear", "licence_expiry",
)

# Free-text columns and how an operator calls them in an error message.
_TEXT_LABELS = {
    "vessel_name": "tên tàu",
    "owner_name": "tên chủ tàu",
    "address": "địa chỉ",
    "commune": "xã/phường",
    "district": "huyện",
    "province": "tỉnh",
    "main_gear": "nghề chính",
}
# Lengths the table enforces (PostgreSQL rejects longer text; SQLite would silently keep it).
_TEXT_LIMITS = {
    column.name: column.type.length
    for column in Vessel.__table__.columns
    if isinstance(column.type, String) and column.type.length is not None
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CENTIMETRE = Decimal("0.01")
_MAX_LENGTH_M = Decimal("1000")  # Numeric(5, 2) holds up to 999.99


@dataclass(frozen=True, slots=True)
class VesselRow:
    """A registry row ready to store: every field already in its stored form."""

    registration_number: str
    province_symbol: str
    digits: str
    vessel_name: str
    owner_name: str
    owner_phone: str | None
    owner_id_number: str | None
    address: str
    commune: str
    district: str | None
    province: str
    length_m: Decimal | None
    main_gear: str
    licence_expiry: date | None

    def values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def as_tuple(self) -> tuple[Any, ...]:
        return astuple(self)


STORED_FIELDS = tuple(f.name for f in fields(VesselRow))


@dataclass(frozen=True, slots=True)
class RowError:
    """A bad row: its line in the file (the header is line 1) and every reason found."""

    line: int
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"dòng {self.line}: {'; '.join(self.reasons)}"


def parse_row(record: Mapping[str, str], *, line: int) -> VesselRow | RowError:
    """Check and normalise one row; all its problems are reported at once, not only the first."""
    reasons: list[str] = []
    text = {name: _text(record, name, reasons) for name in _TEXT_LABELS}
    registration = _registration(record.get("registration_number", ""), reasons)
    if not text["owner_name"]:
        reasons.append("thiếu tên chủ tàu")
    phone = _phone(record.get("owner_phone", ""), reasons)
    id_number = _id_number(record.get("owner_id_number", ""), reasons)
    length_m = _length(record.get("length_m", ""), reasons)
    expiry = _expiry(record.get("licence_expiry", ""), reasons)
    if reasons or registration is None:
        return RowError(line, tuple(reasons))
    return VesselRow(
        registration_number=registration,
        province_symbol=registration_symbol(registration),
        digits=registration_digits(registration),
        vessel_name=text["vessel_name"],
        owner_name=text["owner_name"],
        owner_phone=phone,
        owner_id_number=id_number,
        address=text["address"],
        commune=text["commune"],
        district=text["district"] or None,  # two-level government since 07/2025: often none
        province=text["province"],
        length_m=length_m,
        main_gear=text["main_gear"],
        licence_expiry=expiry,
    )


def _text(record: Mapping[str, str], name: str, reasons: list[str]) -> str:
    value = nfc(" ".join((record.get(name) or "").split()))
    limit = _TEXT_LIMITS.get(name)
    if limit is not None and len(value) > limit:
        reasons.append(f"{_TEXT_LABELS[name]} dài quá {limit} ký tự")
    return value


def _registration(raw: str, reasons: list[str]) -> str | None:
    if not raw.strip():
        reasons.append("thiếu số đăng ký")
        return None
    try:
        # No default province here: a registry row must carry its own symbol.
        return normalize_registration(nfc(raw))
    except InvalidRegistration as exc:
        reasons.append(str(exc))
        return None


def _phone(raw: str, reasons: list[str]) -> str | None:
    if not raw.strip():
        return None  # old records often have no phone; the IVR then asks for the number
    try:
        return normalize_phone(raw)
    except InvalidPhone as exc:
        reasons.append(str(exc))
        return None


def _id_number(raw: str, reasons: list[str]) -> str | None:
    number = "".join(raw.split())
    if not number:
        return None
    if len(number) == 9 and number.isdigit():
        return number  # old CMND: expired for new dossiers, still on old registry records
    if len(number) != 12 or not number.isdigit():
        # The value itself is left out of the message: ID numbers are not echoed.
        reasons.append("số căn cước phải có 12 chữ số (hoặc CMND cũ 9 chữ số)")
        return None
    try:
        return check_citizen_id(number)
    except InvalidCitizenId as exc:
        reasons.append(f"số căn cước không hợp lệ: {exc}")
        return None


def _length(raw: str, reasons: list[str]) -> Decimal | None:
    value = raw.strip()
    if not value:
        return None
    try:
        # A decimal comma is how Vietnamese clerks write 12,5 m.
        length = Decimal(value.replace(",", "."))
    except InvalidOperation:
        reasons.append(f"chiều dài không hợp lệ: {raw!r}")
        return None
    if not length.is_finite() or not 0 < length < _MAX_LENGTH_M:
        reasons.append(f"chiều dài không hợp lệ: {raw!r} (cần số mét lớn hơn 0)")
        return None
    return length.quantize(_CENTIMETRE)


def _expiry(raw: str, reasons: list[str]) -> date | None:
    value = raw.strip()
    if not value:
        return None
    try:
        if not _ISO_DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        reasons.append(f"ngày hết hạn giấy phép không hợp lệ (cần dạng YYYY-MM-DD): {raw!r}")
        return None
