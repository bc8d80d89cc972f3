"""One field value as an operator typed it → the value stored, or a Vietnamese reason.

Stored forms: text in NFC, numbers as int or float, dates as ISO `YYYY-MM-DD`, choices
exactly as the catalogue writes them (matched ignoring case and diacritics, so an
operator typing `luoi vay` gets `lưới vây`).
"""

from __future__ import annotations

import math
from datetime import date, datetime

from callcenter.onestop.working_days import add_working_days
from callcenter.procedures.loader import FieldSpec
from models.domain.citizen_id import InvalidCitizenId, check_citizen_id
from models.domain.tax_code import InvalidTaxCode, check_household_business_number, check_tax_code
from models.domain.text import fold, nfc

MAX_TEXT = 300


class InvalidValue(ValueError):
    pass


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidValue("phải là chữ")
    text = nfc(" ".join(value.split()))
    if len(text) > MAX_TEXT:
        raise InvalidValue(f"dài quá {MAX_TEXT} ký tự")
    return text


def _number(value: object) -> int | float:
    if isinstance(value, bool):
        raise InvalidValue("phải là một số")
    if isinstance(value, int | float):
        number: int | float = value
    elif isinstance(value, str):
        cleaned = value.strip().replace(",", ".")
        try:
            number = int(cleaned) if cleaned.lstrip("-").isdigit() else float(cleaned)
        except ValueError:
            raise InvalidValue("phải là một số") from None
    else:
        raise InvalidValue("phải là một số")
    if isinstance(number, float) and not math.isfinite(number):
        raise InvalidValue("phải là một số")
    return number


def _date(value: object, *, today: date, not_before_today: bool, working_days_ahead: int | None) -> str:
    if not isinstance(value, str):
        raise InvalidValue("phải là ngày dạng YYYY-MM-DD hoặc DD/MM/YYYY")
    text = value.strip()
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(text, form).date()
            break
        except ValueError:
            continue
    else:
        raise InvalidValue("phải là ngày dạng YYYY-MM-DD hoặc DD/MM/YYYY")
    if not_before_today and day < today:
        raise InvalidValue(f"ngày {day:%d/%m/%Y} đã qua")
    if working_days_ahead:
        earliest = add_working_days(today, working_days_ahead)
        if day < earliest:
            raise InvalidValue(
                f"phải cách ngày nộp ít nhất {working_days_ahead} ngày làm việc "
                f"(sớm nhất {earliest:%d/%m/%Y})"
            )
    return day.isoformat()


def _choice(value: object, choices: tuple[str, ...]) -> str:
    if isinstance(value, str):
        wanted = fold(" ".join(value.split()))
        for choice in choices:
            if fold(choice) == wanted:
                return choice
    raise InvalidValue(f"chọn một trong: {', '.join(choices)}")


def _identifier(kind: str, value: object, today: date) -> str:
    if not isinstance(value, str):
        raise InvalidValue("phải là chữ số")
    try:
        if kind == "tax_code":
            return check_tax_code(value, today=today)
        if kind == "citizen_id":
            return check_citizen_id(value, today=today)
        return check_household_business_number(value, today=today)
    except (InvalidTaxCode, InvalidCitizenId) as exc:
        raise InvalidValue(str(exc)) from None


def check_value(spec: FieldSpec, value: object, *, today: date) -> str | int | float:
    """The stored form of a non-empty value (empty values are the caller's business)."""
    if spec.type == "number":
        return _number(value)
    if spec.type == "date":
        return _date(value, today=today, not_before_today=spec.min == "today",
                     working_days_ahead=spec.min_working_days)
    if spec.type in ("tax_code", "citizen_id", "household_business_number"):
        return _identifier(spec.type, value, today)
    if spec.type == "choice":
        return _choice(value, spec.choices)
    return _text(value)


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
