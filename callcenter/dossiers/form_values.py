"""Values of a posted HTML form (the console's dossier form, the mobile site's) read alike:
blank means absent, and an address is a group of `prefix.part` fields; both pre-fill a
field from the vessel registry alike."""

from __future__ import annotations

from callcenter.procedures import FieldSpec
from callcenter.vessels.zone import fishing_zone
from models.domain.text import fold
from models.vessel import Vessel

ADDRESS_PARTS = ("line", "commune", "district", "province")


def blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def form_address(form: dict[str, str], prefix: str) -> dict[str, str | None] | None:
    """The address under `prefix` (`applicant.address`), or None when every part is blank."""
    address = {part: blank(form.get(f"{prefix}.{part}")) for part in ADDRESS_PARTS}
    return address if any(address.values()) else None


def registry_guess(spec: FieldSpec, vessel: Vessel | None) -> str:
    """What the registry says of a field, as one of its choices ("" when it says nothing):
    the main gear as recorded, the fishing zone from the hull length."""
    if vessel is None:
        return ""
    if spec.name == "main_gear" and vessel.main_gear:
        wanted = fold(vessel.main_gear)
        return next((c for c in spec.choices if fold(c) == wanted), "")
    if spec.name == "fishing_zone":
        zone = (fishing_zone(vessel.length_m) or "").removeprefix("vùng ")
        return zone if zone in spec.choices else ""
    return ""
