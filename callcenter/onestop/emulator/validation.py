"""What the one-stop desk checks before it accepts an application.

The answers name each bad field by its wire path so the operator console can point at
the field to fix; messages are Vietnamese because an operator reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from callcenter.onestop.procedures import BY_CODE
from callcenter.onestop.schemas import Application, FieldError
from models.domain.citizen_id import InvalidCitizenId, check_citizen_id
from models.domain.phone import InvalidPhone, normalize_phone
from models.domain.registration import InvalidRegistration, normalize_registration


def _check_registration(registration: object, bad: Callable[[str, str], None]) -> None:
    if not isinstance(registration, str) or not registration.strip():
        bad("eForm.data.registrationNumber", "chưa có số đăng ký tàu cá")
        return
    try:
        normalize_registration(registration)
    except InvalidRegistration as exc:
        bad("eForm.data.registrationNumber", str(exc))


def application_errors(
    application: Application, *, today: date, known_files: frozenset[str] = frozenset()
) -> list[FieldError]:
    """`known_files`: ids of the files uploaded before (`POST /pa/file/--upload`)."""
    errors: list[FieldError] = []

    def bad(field: str, message: str) -> None:
        errors.append(FieldError(field=field, message=message))

    procedure = BY_CODE.get(application.procedure.code)
    if procedure is None:
        bad("procedure.code", f"thủ tục {application.procedure.code!r} không có trong danh mục")

    applicant = application.applicant
    if not applicant.fullname.strip():
        bad("applicant.fullname", "chưa có họ tên người nộp")
    if applicant.birthday is not None and applicant.birthday > today:
        bad("applicant.birthday", "ngày sinh ở tương lai")
    try:
        check_citizen_id(applicant.identity_number, today=today, born=applicant.birthday)
    except InvalidCitizenId as exc:
        bad("applicant.identityNumber", str(exc))
    try:
        normalize_phone(applicant.phone_number)
    except InvalidPhone as exc:
        bad("applicant.phoneNumber", str(exc))

    if procedure is None or procedure.needs_vessel:  # household businesses have no vessel
        _check_registration(application.e_form.data.get("registrationNumber"), bad)

    for index, attached in enumerate(application.attachments):
        if attached.file_id not in known_files:
            bad(f"attachments.{index}.fileId", "tệp đính kèm chưa được tải lên")
    delivery = application.result_delivery
    if delivery.method.value not in ("post", "pickup"):
        bad("resultDelivery.method.value", "cách nhận kết quả phải là post hoặc pickup")
    elif delivery.method.value == "post" and not (delivery.address or "").strip():
        bad("resultDelivery.address", "nhận qua bưu điện thì cần địa chỉ nhận")
    return errors
