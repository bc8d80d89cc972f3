"""How numbers, vessels and dates are spoken: digit by digit, in Vietnamese words.

Text-to-speech reads `90567` as "ninety thousand…" and mangles `QNg`; a fisher writing
the number down needs each digit, slowly, and the province by name.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ivr.prompts import Catalogue

PROVINCE_NAMES = {
    "QNg": "Quảng Ngãi", "BĐ": "Bình Định", "QNa": "Quảng Nam", "PY": "Phú Yên", "KH": "Khánh Hòa",
    "ĐNa": "Đà Nẵng", "NT": "Ninh Thuận", "BTh": "Bình Thuận", "QB": "Quảng Bình", "QT": "Quảng Trị",
}


def digits_spoken(value: str, catalogue: Catalogue) -> str:
    words = catalogue.phrases["digits"]
    return ", ".join(words.get(ch, ch) for ch in value)


def vessel_spoken(registration: str | None, catalogue: Catalogue) -> str:
    if not registration:
        return ""
    parts = registration.split("-")
    if len(parts) != 3:
        return registration
    symbol, digits, _ = parts
    return f"{PROVINCE_NAMES.get(symbol, ' '.join(symbol))}, {digits_spoken(digits, catalogue)}"


def date_spoken(day: date) -> str:
    return f"ngày {day.day} tháng {day.month} năm {day.year}"


def tracking_spoken(code: str, catalogue: Catalogue) -> str:
    return ", ".join(catalogue.phrases["digits"].get(ch, ch) for ch in code)


def procedure_spoken(procedure: str | None, variant: str | None, catalogue: Catalogue) -> str:
    return catalogue.procedure_phrase("procedure", procedure, variant)


def prompt_values(state: dict[str, Any], catalogue: Catalogue) -> dict[str, str]:
    """Everything a prompt may ask for, from the call's state after the step."""
    words = catalogue.phrases["words"]
    values = {
        "procedure_spoken": procedure_spoken(state.get("procedure"), state.get("variant"), catalogue),
        "vessel_spoken": vessel_spoken(state.get("vessel_registration"), catalogue),
        "owner_name": state.get("vessel_owner") or "",
        "reference_spoken": digits_spoken(state.get("reference") or "", catalogue),
        "entered_spoken": digits_spoken(state.get("entered") or "", catalogue),
        "status_reference_spoken": "",
        "status_spoken": "",
        "due_date_spoken": "",
        "tracking_spoken": "",
    }
    dossier = state.get("dossier")
    if dossier:
        values["status_reference_spoken"] = digits_spoken(dossier["reference"], catalogue)
        values["procedure_spoken"] = procedure_spoken(dossier["procedure"], dossier.get("variant"), catalogue)
        values["status_spoken"] = catalogue.phrases["status"].get(dossier["status"], dossier["status"])
        due = dossier.get("due_date")
        if due:
            due_day = due if isinstance(due, date) else date.fromisoformat(str(due))
            values["due_date_spoken"] = words["due_date"].format(date=date_spoken(due_day))
        if dossier.get("tracking_number"):
            values["tracking_spoken"] = words["tracking"].format(
                code=tracking_spoken(dossier["tracking_number"], catalogue)
            )
    return values
