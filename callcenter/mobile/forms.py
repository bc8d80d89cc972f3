"""The filing form of the mobile site: what it shows first, and what a submitted form
becomes (the same `DossierIn` the public API takes, so both are checked alike).

Input names are the API's paths (`applicant.id_number`, `fields.start_date`), so the
errors the filing checks name by path land beside the right input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from callcenter.dossiers.form_values import blank, form_address, registry_guess
from callcenter.procedures import FieldSpec, Procedure
from callcenter.public.schemas import DossierIn
from models.domain.citizen_id import mask_citizen_id
from models.domain.text import fold
from models.vessel import Vessel

DELIVERY = {"post": "Gửi kết quả qua bưu điện về địa chỉ", "pickup": "Tự đến nhận tại bộ phận một cửa"}


def input_kind(spec: FieldSpec) -> dict[str, str]:
    """HTML attributes of a field's input: a phone shows the right keyboard."""
    if spec.type == "date":
        return {"type": "date"}
    if spec.type in ("number", "tax_code", "citizen_id"):
        return {"type": "text", "inputmode": "numeric"}
    return {"type": "text"}


def prefilled(owned: Vessel | None, *, procedure: Procedure) -> dict[str, str]:
    """When the phone is the registered owner's of exactly one vessel (`owned`): the owner
    and the vessel come from the registry, so an older fisher types almost nothing.

    The owner's citizen ID is not among them: a page may stay in a phone's history or
    cache, so the form shows it masked (`owner_id`) and the server fills it in
    (`with_owner_id`) when the citizen leaves the box empty."""
    values: dict[str, str] = {"delivery.method": "post"}
    if owned is None:
        return values
    values.update({
        "applicant.name": owned.owner_name,
        "applicant.address.line": owned.address, "applicant.address.commune": owned.commune,
        "applicant.address.district": owned.district or "", "applicant.address.province": owned.province,
    })
    if procedure.needs_vessel:
        values["vessel.registration_number"] = owned.registration_number
        values.update({f"fields.{spec.name}": guess for spec in procedure.fields
                       if (guess := registry_guess(spec, owned))})
    return values


@dataclass(frozen=True)
class OwnerId:
    """What a page may say of the registry's ID number for the owner: the name and the mask."""

    name: str
    masked: str


def owner_id(owned: Vessel | None) -> OwnerId | None:
    if owned is None or not owned.owner_id_number:
        return None
    return OwnerId(name=owned.owner_name, masked=mask_citizen_id(owned.owner_id_number))


def _same_name(a: str, b: str) -> bool:
    return " ".join(fold(a).split()) == " ".join(fold(b).split())


def with_owner_id(form: dict[str, str], owned: Vessel | None) -> dict[str, str]:
    """The form to file: an empty ID number becomes the registry's when the applicant is
    the owner of the phone's vessel (same name); otherwise the form as it came."""
    if owned is None or not owned.owner_id_number or (form.get("applicant.id_number") or "").strip():
        return form
    if not _same_name(form.get("applicant.name") or "", owned.owner_name):
        return form  # someone else applying from the owner's phone types their own number
    return {**form, "applicant.id_number": owned.owner_id_number}


def filing_from_form(form: dict[str, str], *, procedure: Procedure, variant: str | None) -> DossierIn:
    body: dict[str, Any] = {
        "procedure": procedure.code, "variant": variant,
        "applicant": {"name": blank(form.get("applicant.name")),
                      "id_number": blank(form.get("applicant.id_number")),
                      "address": form_address(form, "applicant.address")},
        "fields": {s.name: blank(form.get(f"fields.{s.name}")) for s in procedure.fields_for(variant)},
    }
    if procedure.needs_vessel:
        body["vessel"] = {"registration_number": blank(form.get("vessel.registration_number"))}
    method = blank(form.get("delivery.method"))
    delivery: dict[str, Any] = {"method": method}
    if method == "post":
        delivery["address"] = form_address(form, "delivery.address")
    body["delivery"] = delivery
    return DossierIn.model_validate(body)


def kept_values(form: dict[str, str]) -> dict[str, str]:
    """What the form carries from page to page (review, edit): every named value but the token."""
    return {k: v for k, v in form.items() if k not in ("csrf_token", "action")}
