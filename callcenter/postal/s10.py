"""UPU S10 tracking numbers: `EB123456785VN`.

Two service letters (E… EMS, R… registered), an 8-digit serial, a check digit and the
ISO country code. The check digit catches the typing slips an operator or a fisher makes
when reading a number off a receipt, so every number is checked before it is stored or
sent in an SMS.
"""

from __future__ import annotations

import re
import secrets

_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_PATTERN = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")


class InvalidTrackingNumber(ValueError):
    pass


def check_digit(serial: str) -> int:
    """S10 check digit of an 8-digit serial: 11 − (weighted sum mod 11), 10 → 0, 11 → 5."""
    if len(serial) != 8 or not serial.isdigit():
        raise InvalidTrackingNumber(f"serial must be 8 digits: {serial!r}")
    value = 11 - sum(int(d) * w for d, w in zip(serial, _WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(value, value)


def normalize_tracking_number(raw: str, *, country: str = "VN") -> str:
    """`eb 1234 5678 5 vn` → `EB123456785VN`, or raise with the reason (in Vietnamese)."""
    number = re.sub(r"[\s\-.]", "", raw or "").upper()
    match = _PATTERN.match(number)
    if not match:
        raise InvalidTrackingNumber("mã bưu gửi phải có 2 chữ cái, 9 chữ số và mã nước (VD: EB123456785VN)")
    _service, serial, digit, origin = match.groups()
    if origin != country:
        raise InvalidTrackingNumber(f"mã bưu gửi không phải của bưu chính {country}: {origin}")
    if int(digit) != check_digit(serial):
        raise InvalidTrackingNumber("mã bưu gửi sai số kiểm tra; xin đọc lại từng số")
    return number


def is_tracking_number(raw: str, *, country: str = "VN") -> bool:
    try:
        normalize_tracking_number(raw, country=country)
    except InvalidTrackingNumber:
        return False
    return True


def make_tracking_number(serial: int, *, service: str = "EB", country: str = "VN") -> str:
    """The tracking number of a given serial (0 ≤ serial < 10⁸)."""
    if not 0 <= serial < 10**8:
        raise InvalidTrackingNumber(f"serial out of range: {serial}")
    if not re.fullmatch(r"[A-Z]{2}", service) or not re.fullmatch(r"[A-Z]{2}", country):
        raise InvalidTrackingNumber("service and country are two capital letters")
    digits = f"{serial:08d}"
    return f"{service}{digits}{check_digit(digits)}{country}"


def new_tracking_number(*, service: str = "EB", country: str = "VN") -> str:
    """A random valid number, for the emulator's post office."""
    return make_tracking_number(secrets.randbelow(10**8), service=service, country=country)
