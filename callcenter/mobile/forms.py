"""The filing form of the mobile site: what it shows first, and what a submitted form
becomes (the same `DossierIn` the public API takes, so both are checked alike).

Input names are the API's paths (`applicant.id_number`, `fields.start_date`), so the
errors the filing checks name by path land beside the right input.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from callcenter.procedures import FieldSpec, Procedure
from callcenter.public.filing import owned_vessel
from callcenter.public.schemas import DossierIn
from models.domain.text import fold

ADDRESS_PARTS = ("line", "commune", "district", "province")
DELIVERY = {"post": "Gửi kết quả qua bưu điện về địa chỉ", "pickup": "Tự đến nhận tại bộ phận một cửa"}
ZONES = ((12, "ven bờ"), (15, "lộng"))  # under 12 m coastal, under 15 m mid-shore, else offshore


def input_kind(spec: FieldSpec) -> dict[str, str]:
    """HTML attributes of a field's input: a phone shows the right keyboard."""
    if spec.type == "date":
        return {"type": "date"}
    if spec.type in ("number", "tax_code", "citizen_id"):
        return {"type": "text", "inputmode": "numeric"}
    return {"type": "text"}


def prefilled(session: Session, *, phone: str, procedure: Procedure) -> dict[str, str]:
    """When the phone is the registered owner's of exactly one vessel: the owner and the
    vessel come from the registry, so an older fisher types almost nothing."""
    values: dict[str, str] = {"delivery.method": "post"}
    vessel = owned_vessel(session, phone=phone)
    if vessel is None:
        return values
    values.update({
        "applicant.name": vessel.owner_name, "applicant.id_number": vessel.owner_id_number or "",
        "applicant.address.line": vessel.address, "applicant.address.commune": vessel.commune,
        "applicant.address.district": vessel.district or "", "applicant.address.province": vessel.province,
    })
    if procedure.needs_vessel:
        values["vessel.registration_number"] = vessel.registration_number
        gear = procedure.field("main_gear")
        if gear is not None and vessel.main_gear:
            wanted = fold(vessel.main_gear)
            values["fields.main_gear"] = next((c for c in gear.choices if fold(c) == wanted), "")
        if procedure.field("fishing_zone") is not None and vessel.length_m is not None:
            values["fields.fishing_zone"] = next((z for limit, z in ZONES if vessel.length_m < limit), "khơi")
    return values


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _address(form: dict[str, str], prefix: str) -> dict[str, str | None] | None:
    address = {part: _blank(form.get(f"{prefix}.{part}")) for part in ADDRESS_PARTS}
    return address if any(address.values()) else None


def filing_from_form(form: dict[str, str], *, procedure: Procedure, variant: str | None) -> DossierIn:
    body: dict[str, Any] = {
        "procedure": procedure.code, "variant": variant,
        "applicant": {"name": _blank(form.get("applicant.name")),
                      "id_number": _blank(form.get("applicant.id_number")),
                      "address": _address(form, "applicant.address")},
        "fields": {s.name: _blank(form.get(f"fields.{s.name}")) for s in procedure.fields_for(variant)},
    }
    if procedure.needs_vessel:
        body["vessel"] = {"registration_number": _blank(form.get("vessel.registration_number"))}
    method = _blank(form.get("delivery.method"))
    delivery: dict[str, Any] = {"method": method}
    if method == "post":
        delivery["address"] = _address(form, "delivery.address")
    body["delivery"] = delivery
    return DossierIn.model_validate(body)


def kept_values(form: dict[str, str]) -> dict[str, str]:
    """What the form carries from page to page (review, edit): every named value but the token."""
    return {k: v for k, v in form.items() if k not in ("csrf_token", "action")}
