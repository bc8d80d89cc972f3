"""How each kind of personal data looks once masked: enough to tell records apart, not a person."""

from __future__ import annotations

from typing import Any

from models.domain.citizen_id import mask_citizen_id
from models.domain.phone import mask_phone

# The address keeps its administrative units: the impact report prices trips by commune.
KEPT_ADDRESS_PARTS = ("commune", "district", "province")


def mask_name(name: str | None) -> str | None:
    """`Nguyễn Văn An` → `N. V. A.`"""
    if not name:
        return name
    return " ".join(f"{word[0]}." for word in name.split())


def mask_address(address: dict[str, Any] | None) -> dict[str, Any] | None:
    if not address:
        return address
    return {k: v for k, v in address.items() if k in KEPT_ADDRESS_PARTS}


def mask_fields(fields: dict[str, Any] | None) -> dict[str, Any]:
    """The procedure's own fields: any ID number (e.g. the vessel owner's) or phone in them."""
    masked: dict[str, Any] = {}
    for name, value in (fields or {}).items():
        if isinstance(value, str) and "id_number" in name:
            masked[name] = mask_citizen_id(value)
        elif isinstance(value, str) and "phone" in name:
            masked[name] = mask_phone(value)
        else:
            masked[name] = value
    return masked
