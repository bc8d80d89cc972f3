"""The rules an operator's input meets: a PATCH turned into new values, or every error by path.

Pure functions over plain values: no session, no writes. `service.update_dossier` applies
what `check_patch` returns only when it found no error, so a rejected PATCH changes
nothing; `missing_for_submit` says what still stands between a dossier and the one-stop
desk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from callcenter.dossiers.patch_schemas import AddressPatch, DossierPatch
from callcenter.procedures import Procedure
from callcenter.procedures.values import InvalidValue, check_value, is_empty
from models.domain.citizen_id import InvalidCitizenId, check_citizen_id
from models.domain.phone import InvalidPhone, normalize_phone
from models.domain.text import nfc
from models.dossier import Dossier

DELIVERY_METHODS = ("post", "pickup")
MAX_NAME = 200
MAX_ADDRESS_PART = 200
ADDRESS_PARTS = {"line": "thôn, số nhà", "commune": "xã, phường, đặc khu", "province": "tỉnh, thành phố"}

Errors = dict[str, str]


@dataclass
class Changes:
    """Column → new value, plus what to tell the history (Vietnamese phrases)."""

    values: dict[str, Any] = field(default_factory=dict)
    said: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


def _capital(message: str) -> str:
    return message[:1].upper() + message[1:]


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = nfc(" ".join(value.split()))
    return text or None


def check_address(address: AddressPatch, *, path: str, errors: Errors) -> dict[str, str | None]:
    """An address is one value: line, commune and province required; district optional."""
    result: dict[str, str | None] = {}
    for part in ("line", "commune", "district", "province"):
        value = _clean(getattr(address, part))
        if value is not None and len(value) > MAX_ADDRESS_PART:
            errors[f"{path}.{part}"] = f"Dài quá {MAX_ADDRESS_PART} ký tự."
        elif value is None and part in ADDRESS_PARTS:
            errors[f"{path}.{part}"] = f"Chưa có {ADDRESS_PARTS[part]}."
        result[part] = value
    return result


def _check_applicant(
    dossier: Dossier, patch: DossierPatch, today: date, changes: Changes, errors: Errors
) -> None:
    """Each value checked; only a value that differs from the stored one is a change."""
    applicant = patch.applicant
    if applicant is None:
        return
    if applicant.given("name"):
        name = _clean(applicant.name)
        if name is not None and len(name) > MAX_NAME:
            errors["applicant.name"] = f"Họ tên dài quá {MAX_NAME} ký tự."
        _change(changes, "applicant_name", name, dossier.applicant_name, "họ tên người nộp", "applicant.name")
    if applicant.given("id_number"):
        number = _clean(applicant.id_number)
        if number is not None:
            try:
                number = check_citizen_id(number, today=today)
            except InvalidCitizenId as exc:
                errors["applicant.id_number"] = _capital(str(exc)) + "."
        _change(changes, "applicant_id_number", number, dossier.applicant_id_number, "số căn cước",
                "applicant.id_number")
    if applicant.given("phone"):
        phone = _clean(applicant.phone)
        if phone is not None:
            try:
                phone = normalize_phone(phone)
            except InvalidPhone:
                errors["applicant.phone"] = "Số điện thoại không hợp lệ (VD: 0905123456)."
        _change(changes, "applicant_phone", phone, dossier.applicant_phone, "số điện thoại",
                "applicant.phone")
    if applicant.given("address"):
        address = applicant.address
        value = (check_address(address, path="applicant.address", errors=errors)
                 if address is not None else None)
        _change(changes, "applicant_address", value, dossier.applicant_address, "địa chỉ người nộp",
                "applicant.address")


def _change(changes: Changes, column: str, value: Any, stored: Any, said: str, path: str) -> None:
    if value == stored or (not value and not stored):
        return  # the same value again, or empty where nothing was: no change to tell
    changes.values[column] = value
    changes.said.append(said)
    changes.paths.append(path)


def check_field_value(
    procedure: Procedure, variant: str | None, name: str, value: object, *, today: date
) -> Any:
    """The stored form of one procedure field, or InvalidValue (None clears it)."""
    spec = procedure.field(name)
    if spec is None or not spec.applies_to(variant):
        raise InvalidValue("Thủ tục này không có mục này.")
    if is_empty(value):
        return None
    return check_value(spec, value, today=today)


def _check_fields(
    dossier: Dossier, procedure: Procedure, patch: DossierPatch, today: date, changes: Changes, errors: Errors
) -> None:
    if patch.fields is None:
        return
    merged = dict(dossier.fields or {})
    for name, raw in patch.fields.items():
        path = f"fields.{name}"
        try:
            value = check_field_value(procedure, dossier.variant, name, raw, today=today)
        except InvalidValue as exc:
            errors[path] = _capital(str(exc)).rstrip(".") + "."
            continue
        spec = procedure.field(name)
        label = spec.label if spec else name
        if value == merged.get(name):
            continue  # unchanged, or empty where nothing was: nothing to tell
        if value is None:
            merged.pop(name, None)
            changes.said.append(f"xóa {label}")
        else:
            merged[name] = value
            shown = _date_shown(value) if spec is not None and spec.type == "date" else value
            changes.said.append(f"{label}: {shown}")
        changes.paths.append(path)
    if merged != (dossier.fields or {}):
        changes.values["fields"] = merged


def _date_shown(value: object) -> str:
    """`2026-12-20` → `20/12/2026`: how people here write a date."""
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def _check_delivery(dossier: Dossier, patch: DossierPatch, changes: Changes, errors: Errors) -> None:
    if not patch.given("delivery"):
        return
    delivery = patch.delivery
    if delivery is None:
        if dossier.delivery:
            changes.paths.append("delivery")
            changes.values["delivery"] = None
            changes.said.append("xóa cách nhận kết quả")
        return
    merged: dict[str, Any] = dict(dossier.delivery or {})
    if delivery.given("method"):
        method = _clean(delivery.method)
        if method is not None and method not in DELIVERY_METHODS:
            errors["delivery.method"] = "Chọn post (qua bưu điện) hoặc pickup (nhận tại bộ phận một cửa)."
        merged["method"] = method
    if delivery.given("address"):
        merged["address"] = (
            check_address(delivery.address, path="delivery.address", errors=errors)
            if delivery.address is not None
            else None
        )
    if merged.get("method") == "pickup":
        merged["address"] = None  # collect only what the procedure needs
    if _same_delivery(merged, dossier.delivery or {}):
        return
    changes.paths.append("delivery")
    changes.values["delivery"] = merged
    method_said = {"post": "qua bưu điện", "pickup": "tại bộ phận một cửa"}.get(str(merged.get("method")), "")
    changes.said.append(f"cách nhận kết quả {method_said}".strip())


def _same_delivery(new: dict[str, Any], old: dict[str, Any]) -> bool:
    keys = set(new) | set(old)
    return all(new.get(k) == old.get(k) for k in keys)


def check_patch(dossier: Dossier, procedure: Procedure, patch: DossierPatch, *, today: date) -> Changes:
    """New column values for the dossier (only what differs from what it holds), or
    DossierInvalid-ready errors (raised by the caller)."""
    changes, errors = Changes(), Errors()
    _check_applicant(dossier, patch, today, changes, errors)
    _check_fields(dossier, procedure, patch, today, changes, errors)
    _check_delivery(dossier, patch, changes, errors)
    if errors:
        raise PatchErrors(errors)
    return changes


class PatchErrors(ValueError):
    def __init__(self, errors: Errors) -> None:
        super().__init__(errors)
        self.errors = errors


def missing_for_submit(
    dossier: Dossier, procedure: Procedure, *, today: date, attached: frozenset[str] = frozenset()
) -> Errors:
    """Everything that keeps the dossier from the one-stop desk, by path; empty when ready.

    `attached`: the names of the documents attached to it (the procedure's required
    attachments must be among them)."""
    errors: Errors = {}
    if procedure.variants and procedure.variant(dossier.variant) is None:
        errors["variant"] = "Chưa chọn cấp mới hay cấp lại."
    required = [
        ("applicant.name", dossier.applicant_name, "họ tên người nộp"),
        ("applicant.id_number", dossier.applicant_id_number, "số căn cước"),
        ("applicant.phone", dossier.applicant_phone, "số điện thoại"),
    ]
    if procedure.needs_vessel:
        required.append(("vessel.registration_number", dossier.vessel_registration, "số đăng ký tàu cá"))
    for document in procedure.attachments_for(dossier.variant):
        if document.required and document.name not in attached:
            errors[f"attachments.{document.name}"] = f"Chưa đính kèm: {document.label}."
    for path, value, label in required:
        if not value:
            errors[path] = f"Chưa có {label}."
    if dossier.applicant_id_number:
        try:
            check_citizen_id(dossier.applicant_id_number, today=today)
        except InvalidCitizenId as exc:
            errors["applicant.id_number"] = _capital(str(exc)) + "."
    address = dossier.applicant_address or {}
    for part, label in ADDRESS_PARTS.items():
        if not address.get(part):
            errors[f"applicant.address.{part}"] = f"Chưa có {label}."
    stored = dossier.fields or {}
    for spec in procedure.fields_for(dossier.variant):
        value = stored.get(spec.name)
        if is_empty(value):
            if spec.required:
                errors[f"fields.{spec.name}"] = f"Chưa điền: {spec.label}."
            continue
        try:  # a value that was right when typed may not be now (an inspection date passed)
            check_value(spec, value, today=today)
        except InvalidValue as exc:
            errors[f"fields.{spec.name}"] = _capital(str(exc)) + "."
    delivery = dossier.delivery or {}
    method = delivery.get("method")
    if method not in DELIVERY_METHODS:
        errors["delivery.method"] = "Chưa chọn cách nhận kết quả (qua bưu điện hoặc tại bộ phận một cửa)."
    elif method == "post" and not delivery.get("address") and not address:
        errors["delivery.address"] = "Nhận kết quả qua bưu điện cần địa chỉ nhận."
    return errors
