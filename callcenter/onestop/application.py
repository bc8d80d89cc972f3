"""From our dossier to the one-stop application (the body of `--apply-online`).

Built once, when the dossier is submitted, and stored with the outbox entry: a retry must
send the very same body with the same idempotency key, or the one-stop side would rightly
refuse the key as reused for a different application.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import phonenumbers
from pydantic.alias_generators import to_camel

from callcenter.onestop.procedures import UnknownProcedure, procedure_for
from callcenter.onestop.schemas import (
    DELIVERY_METHODS,
    Applicant,
    Application,
    EForm,
    Place,
    ProcedureRef,
    ResultDelivery,
)
from models.domain.text import fold, nfc
from models.dossier import Dossier
from models.vessel import Vessel

# Administrative unit codes (GSO) of the provinces the hotline serves; a real adapter
# needs the full unit catalogue of the province, communes included.
PROVINCE_CODES = {"quang ngai": "51"}


class IncompleteDossier(ValueError):
    """The dossier lacks what the one-stop desk needs; `errors` are (our API path, message)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors))
        self.errors = errors


def build_application(dossier: Dossier, vessel: Vessel | None) -> Application:
    """The application for this dossier; `vessel` is its registry entry when verified."""
    errors: list[tuple[str, str]] = []
    needs_vessel = True
    try:
        procedure = procedure_for(dossier.procedure, dossier.variant)
        needs_vessel = procedure.needs_vessel
    except UnknownProcedure:
        errors.append(("variant", "thủ tục này cần chọn cấp mới hoặc cấp lại"))
    required = [
        ("applicant.name", dossier.applicant_name),
        ("applicant.id_number", dossier.applicant_id_number),
        ("applicant.phone", dossier.applicant_phone),
    ]
    if needs_vessel:
        required.append(("vessel.registration_number", dossier.vessel_registration))
    for path, value in required:
        if not value:
            errors.append((path, "chưa có thông tin này"))
    address = dict(dossier.applicant_address or {})
    delivery = dict(dossier.delivery or {"method": "post"})
    method = str(delivery.get("method") or "post")
    delivery_address = _one_line(delivery.get("address")) or _one_line(address)
    if method == "post" and not delivery_address:
        errors.append(("delivery.address", "nhận kết quả qua bưu điện cần địa chỉ"))
    if errors:
        raise IncompleteDossier(errors)

    return Application(
        procedure=ProcedureRef(code=procedure.code, name=procedure.name),
        applicant=Applicant(
            fullname=nfc(dossier.applicant_name or ""),
            identity_number=dossier.applicant_id_number or "",
            phone_number=_national(dossier.applicant_phone or ""),
            birthday=None,  # not asked on the phone; the ID number carries the birth year
            address=_text(address.get("line")),
            village=_place(address.get("commune")),
            district=_place(address.get("district")),
            province=_place(address.get("province"), codes=PROVINCE_CODES),
        ),
        e_form=EForm(data=_form_data(dossier, vessel, needs_vessel=needs_vessel)),
        result_delivery=ResultDelivery(
            method=Place(label=DELIVERY_METHODS.get(method, method), value=method),
            address=delivery_address,
        ),
        external_code=dossier.reference,
    )


def _form_data(dossier: Dossier, vessel: Vessel | None, *, needs_vessel: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"registrationNumber": dossier.vessel_registration} if needs_vessel else {}
    if vessel is not None and dossier.vessel_verified:
        data.update(
            vesselName=vessel.vessel_name or None,
            ownerName=vessel.owner_name,
            lengthM=str(vessel.length_m) if vessel.length_m is not None else None,
            mainGear=vessel.main_gear or None,
        )
    # The procedure's own fields, as the operator completed them, win over the registry.
    data.update({to_camel(name): value for name, value in (dossier.fields or {}).items()})
    return {key: value for key, value in data.items() if value is not None}


def _national(e164: str) -> str:
    """`+84905123456` → `0905123456`: how Vietnamese systems write a number."""
    parsed = phonenumbers.parse(e164, "VN")
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in str(national) if ch.isdigit())


def _text(value: object) -> str | None:
    return nfc(value.strip()) if isinstance(value, str) and value.strip() else None


def _place(value: object, *, codes: Mapping[str, str] | None = None) -> Place | None:
    label = _text(value)
    if label is None:
        return None
    return Place(label=label, value=(codes or {}).get(fold(label)))


def _one_line(value: object) -> str | None:
    if isinstance(value, Mapping):
        parts = [_text(value.get(k)) for k in ("line", "commune", "district", "province")]
        return ", ".join(p for p in parts if p) or None
    return _text(value)
