"""The dossier form: what it shows at first (pre-filled from what the system knows), and
how a submitted form becomes a DossierPatch for update_dossier.

Form names are the patch's paths (`applicant.id_number`, `fields.port`), so the errors
update_dossier names by path land beside the right input with no mapping table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from callcenter.console.templating import phone_national
from callcenter.dossiers.form_values import ADDRESS_PARTS, blank, form_address, registry_guess
from callcenter.dossiers.patch_schemas import DossierPatch
from callcenter.procedures import FieldSpec
from models.call import Call
from models.dossier import Dossier
from models.vessel import Vessel

DELIVERY_METHODS = {"post": "Gửi qua bưu điện về địa chỉ", "pickup": "Nhận tại Trung tâm"}
ADDRESS_LABELS = {"line": "Địa chỉ (thôn, số nhà)", "commune": "Xã, phường, đặc khu",
                  "district": "Huyện (nếu có)", "province": "Tỉnh, thành phố"}
# The Vietnamese label of every path an error may name (the procedure's fields come from
# the catalogue): the error summary speaks the form's words, never `fields.inspection_kind`.
LABELS = {
    "applicant.name": "Họ và tên", "applicant.id_number": "Số căn cước", "applicant.phone": "Số điện thoại",
    "applicant.address": "Địa chỉ người nộp", "delivery.method": "Cách nhận kết quả",
    "delivery.address": "Địa chỉ nhận kết quả", "delivery": "Cách nhận kết quả",
    "vessel.registration_number": "Số đăng ký tàu cá", "variant": "Cấp mới hay cấp lại",
    "procedure": "Thủ tục",
    **{f"applicant.address.{part}": f"Địa chỉ người nộp: {label.lower()}"
       for part, label in ADDRESS_LABELS.items()},
    **{f"delivery.address.{part}": f"Địa chỉ nhận kết quả: {label.lower()}"
       for part, label in ADDRESS_LABELS.items()},
}
# Paths without an input of their own point at the part of the form that holds them.
_ANCHORS = {"delivery.address": "delivery", "delivery": "delivery", "delivery.method": "delivery",
            "applicant.address": "f-applicant-address-line", "vessel.registration_number": "dossier-facts",
            "variant": "dossier-facts", "procedure": "dossier-facts"}


@dataclass(frozen=True)
class FormError:
    anchor: str  # the id of the input (or section) to jump to
    label: str
    message: str


def error_summary(errors: dict[str, str], specs: tuple[FieldSpec, ...]) -> list[FormError]:
    """Every error, in the form's order, named by the label the operator sees."""
    labels = {**LABELS, **{f"fields.{spec.name}": spec.label for spec in specs}}
    order = [f"fields.{spec.name}" for spec in specs] + list(LABELS)
    ranked = sorted(errors.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
    return [
        FormError(_ANCHORS.get(path, "f-" + path.replace(".", "-")) if path else "",
                  labels.get(path, ""), message)
        for path, message in ranked
    ]


def verified_vessel(dossier: Dossier, vessel: Vessel | None) -> Vessel | None:
    # An unverified number may be somebody else's boat: nothing of it is pre-filled.
    return vessel if dossier.vessel_verified else None


def known_id_number(dossier: Dossier, vessel: Vessel | None) -> str | None:
    registry = verified_vessel(dossier, vessel)
    return dossier.applicant_id_number or (registry.owner_id_number if registry else None)


def initial_values(dossier: Dossier, vessel: Vessel | None, call: Call | None,
                   specs: tuple[FieldSpec, ...]) -> dict[str, str]:
    registry = verified_vessel(dossier, vessel)
    values: dict[str, str] = {
        "applicant.name": dossier.applicant_name or (registry.owner_name if registry else ""),
        "applicant.phone": phone_national(dossier.applicant_phone or (call.from_number if call else None)),
    }
    address = dossier.applicant_address or (
        {"line": registry.address, "commune": registry.commune, "district": registry.district or "",
         "province": registry.province} if registry else {}
    )
    for part in ADDRESS_PARTS:
        values[f"applicant.address.{part}"] = str(address.get(part) or "")
    for spec in specs:
        stored = (dossier.fields or {}).get(spec.name)
        if stored is None:
            values[f"fields.{spec.name}"] = registry_guess(spec, registry)
        else:
            values[f"fields.{spec.name}"] = _day(str(stored)) if spec.type == "date" else str(stored)
    delivery = dossier.delivery or {}
    values["delivery.method"] = str(delivery.get("method") or "post")
    delivery_address = delivery.get("address") or {}
    for part in ADDRESS_PARTS:
        values[f"delivery.address.{part}"] = str(delivery_address.get(part) or "")
    return values


def _day(iso: str) -> str:
    """Stored `2026-12-20` → typed `20/12/2026` (the form's date inputs read day first)."""
    try:
        return date.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def patch_from_form(form: dict[str, str], *, dossier: Dossier, vessel: Vessel | None,
                    specs: tuple[FieldSpec, ...]) -> DossierPatch:
    applicant: dict[str, object] = {
        "name": blank(form.get("applicant.name")),
        "phone": blank(form.get("applicant.phone")),
        "address": form_address(form, "applicant.address"),
    }
    typed_id = blank(form.get("applicant.id_number"))
    # The number is never sent to the browser unasked, so an empty box means "keep it";
    # the registry's number is taken over the first time, so nobody retypes it.
    known = known_id_number(dossier, vessel)
    if typed_id is not None:
        applicant["id_number"] = typed_id
    elif known and not dossier.applicant_id_number:
        applicant["id_number"] = known
    method = blank(form.get("delivery.method"))
    delivery: dict[str, object] = {"method": method}
    if method == "post":
        delivery["address"] = form_address(form, "delivery.address")
    return DossierPatch.model_validate({
        "applicant": applicant,
        "fields": {spec.name: blank(form.get(f"fields.{spec.name}")) for spec in specs},
        "delivery": delivery,
    })
