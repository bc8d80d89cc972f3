"""Fishing-vessel registration numbers: `QNg-90567-TS` (province symbol, digits, TS).

Province symbols are data (each province has its own, with its own mixed case), so the
known ones are a table that normalisation consults; an unknown symbol keeps the case the
writer gave, upper-cased.
"""

from __future__ import annotations

import re

from models.domain.text import fold

# Symbols as printed on hulls (Thông tư 23/2018/TT-BNNPTNT, annex); coastal provinces.
KNOWN_SYMBOLS = (
    "QNg", "QNa", "BĐ", "PY", "KH", "NT", "BTh", "BV", "TG", "BTr", "TV", "ST", "CM",
    "KG", "BL", "QB", "QT", "TTH", "ĐNa", "HT", "NA", "TH", "NĐ", "TB", "HP", "QN",
    "HCM", "ĐN", "LA",
)
_BY_FOLDED = {fold(s): s for s in KNOWN_SYMBOLS}

_PATTERN = re.compile(r"^\s*([^\W\d_]{1,4})[\s\-._]*(\d{3,6})[\s\-._]*(ts)?\s*$", re.IGNORECASE)


class InvalidRegistration(ValueError):
    pass


def normalize_registration(raw: str, default_symbol: str | None = None) -> str:
    """`QNG 90567 TS`, `qng90567ts`, `QNg-90567 TS` → `QNg-90567-TS`.

    Bare digits (`90567`) take `default_symbol`, the hotline's own province.
    """
    text = (raw or "").strip()
    if text.isdigit() and default_symbol:
        if not 3 <= len(text) <= 6:
            raise InvalidRegistration(f"số đăng ký không hợp lệ: {raw!r}")
        return f"{default_symbol}-{text}-TS"
    match = _PATTERN.match(text)
    if not match:
        raise InvalidRegistration(f"số đăng ký không hợp lệ: {raw!r}")
    symbol_raw, digits, _ = match.groups()
    symbol = _BY_FOLDED.get(fold(symbol_raw), symbol_raw.upper())
    return f"{symbol}-{digits}-TS"


def registration_digits(registration: str) -> str:
    """The digit group a caller keys: `QNg-90567-TS` → `90567`."""
    return registration.split("-")[1]


def registration_symbol(registration: str) -> str:
    return registration.split("-")[0]
