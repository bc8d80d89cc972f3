"""Phone numbers: parsed with `phonenumbers` (region VN), stored as E.164, masked in logs."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

# Before September 2018 Vietnamese mobiles had 11 digits; registries and callers still
# write the old prefixes. Converting them is a published, fixed table (MIC decision
# 798/QĐ-BTTTT), so it is data here rather than a guess.
_OLD_MOBILE_PREFIXES = {
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
    "0167": "037", "0168": "038", "0169": "039",
    "0186": "056", "0188": "058", "0199": "059",
}


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str) -> str:
    """Any way a Vietnamese number is written → E.164 (`+84905123456`)."""
    digits = re.sub(r"[^\d+]", "", raw or "")
    if not digits:
        raise InvalidPhone("số điện thoại trống")
    national = digits
    if national.startswith("+84"):
        national = "0" + national[3:]
    elif national.startswith("84") and len(national) >= 11:
        national = "0" + national[2:]
    if len(national) == 11 and national[:4] in _OLD_MOBILE_PREFIXES:
        national = _OLD_MOBILE_PREFIXES[national[:4]] + national[4:]
    candidate = national if not digits.startswith("+") or digits.startswith("+84") else digits
    try:
        parsed = phonenumbers.parse(candidate, "VN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"số điện thoại không hợp lệ: {raw!r}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone(f"số điện thoại không hợp lệ: {raw!r}")
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def try_normalize_phone(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return normalize_phone(raw)
    except InvalidPhone:
        return None


@lru_cache(maxsize=4096)  # the same boat owners call again and again
def caller_number(raw: str) -> str:
    """The number a call came from, as stored: E.164 when it parses, else as given
    (`anonymous`, a `client:` identity, a broken caller ID)."""
    return try_normalize_phone(raw) or raw


def mask_phone(value: str | None) -> str:
    """`+84905123456` → `+84905***456`: enough to tell calls apart in a log, not to dial."""
    if not value:
        return ""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:-6] + "***" + value[-3:]
