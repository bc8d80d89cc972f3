"""Values of a posted HTML form (the console's dossier form, the mobile site's) read alike:
blank means absent, and an address is a group of `prefix.part` fields."""

from __future__ import annotations

ADDRESS_PARTS = ("line", "commune", "district", "province")


def blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def form_address(form: dict[str, str], prefix: str) -> dict[str, str | None] | None:
    """The address under `prefix` (`applicant.address`), or None when every part is blank."""
    address = {part: blank(form.get(f"{prefix}.{part}")) for part in ADDRESS_PARTS}
    return address if any(address.values()) else None
