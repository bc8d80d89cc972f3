"""Reading and checking the procedure catalogue.

Checked at load, so a typo in the TOML stops the start naming the procedure and field
instead of surfacing as a confusing 422 in the middle of an operator's shift.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from models.domain.text import nfc

# `tax_code`, `citizen_id`, `household_business_number`: text checked as the law defines
# it (models.domain); a client that does not know a type treats it as `text`.
FIELD_TYPES = ("text", "number", "date", "choice", "tax_code", "citizen_id", "household_business_number")
CHANNELS = ("ivr", "sms", "operator", "web")
# How the mobile site groups procedures (tàu cá / hộ kinh doanh / doanh nghiệp).
GROUPS = {"fisheries": "Tàu cá", "household_business": "Hộ kinh doanh", "enterprise": "Doanh nghiệp"}
DEFAULT_PATH = Path(__file__).with_name("catalogue.toml")


class CatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class Variant:
    code: str
    name: str
    processing_days: int | None


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: str
    required: bool
    choices: tuple[str, ...]
    variants: tuple[str, ...] | None  # None: every variant of the procedure
    min: str | None = None  # "today": a date that may not lie in the past
    # A date at least this many working days after the day of filing (a notice that
    # must reach the authority in advance).
    min_working_days: int | None = None

    def applies_to(self, variant: str | None) -> bool:
        return self.variants is None or variant in self.variants


@dataclass(frozen=True)
class AttachmentSpec:
    """A document the applicant attaches (a photo or a PDF)."""

    name: str
    label: str
    required: bool
    variants: tuple[str, ...] | None = None

    def applies_to(self, variant: str | None) -> bool:
        return self.variants is None or variant in self.variants


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    legal_basis: str
    variants: tuple[Variant, ...]
    fields: tuple[FieldSpec, ...]
    processing_days_default: int | None
    needs_vessel: bool = False
    channels: tuple[str, ...] = ("operator",)
    attachments: tuple[AttachmentSpec, ...] = ()
    agency: str = ""
    group: str = "enterprise"
    # What the province has still to confirm about this entry (law, times, agency);
    # empty once it has.
    to_confirm: str = ""

    def offered_on(self, channel: str) -> bool:
        return channel in self.channels

    def attachments_for(self, variant: str | None) -> tuple[AttachmentSpec, ...]:
        return tuple(a for a in self.attachments if a.applies_to(variant))

    def attachment(self, name: str) -> AttachmentSpec | None:
        return next((a for a in self.attachments if a.name == name), None)

    def variant(self, code: str | None) -> Variant | None:
        return next((v for v in self.variants if v.code == code), None)

    def fields_for(self, variant: str | None) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.applies_to(variant))

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    def processing_days(self, variant: str | None) -> int | None:
        found = self.variant(variant)
        if found is not None and found.processing_days is not None:
            return found.processing_days
        return self.processing_days_default


@dataclass(frozen=True)
class Catalogue:
    procedures: tuple[Procedure, ...]

    def get(self, code: str) -> Procedure | None:
        return next((p for p in self.procedures if p.code == code), None)

    def offered_on(self, channel: str) -> tuple[Procedure, ...]:
        return tuple(p for p in self.procedures if p.offered_on(channel))


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: '{key}' must be a non-empty string")
    return nfc(value.strip())


def _field(raw: dict[str, Any], where: str, variant_codes: set[str]) -> FieldSpec:
    name = _text(raw, "name", where)
    where = f"{where} field {name!r}"
    kind = _text(raw, "type", where)
    if kind not in FIELD_TYPES:
        raise CatalogueError(f"{where}: type must be one of {', '.join(FIELD_TYPES)}")
    choices = tuple(nfc(str(c)) for c in raw.get("choices", ()))
    if (kind == "choice") != bool(choices):
        raise CatalogueError(f"{where}: choices are required for a choice field, and only there")
    if len(set(choices)) != len(choices):
        raise CatalogueError(f"{where}: a choice is listed twice")
    variants = raw.get("variants")
    if variants is not None:
        unknown = set(variants) - variant_codes
        if unknown or not variants:
            raise CatalogueError(f"{where}: unknown variants {sorted(unknown) or '[]'}")
    minimum = raw.get("min")
    if minimum is not None and (kind != "date" or minimum != "today"):
        raise CatalogueError(f"{where}: min = \"today\" is the only bound, for dates")
    ahead = raw.get("min_working_days")
    if ahead is not None and (kind != "date" or not isinstance(ahead, int) or ahead < 0):
        raise CatalogueError(f"{where}: min_working_days is a whole number of days, for dates")
    return FieldSpec(
        name=name,
        label=_text(raw, "label", where),
        type=kind,
        required=bool(raw.get("required", False)),
        choices=choices,
        variants=tuple(variants) if variants is not None else None,
        min=minimum,
        min_working_days=ahead,
    )


def _attachment(raw: dict[str, Any], where: str, variant_codes: set[str]) -> AttachmentSpec:
    name = _text(raw, "name", where)
    where = f"{where} attachment {name!r}"
    variants = raw.get("variants")
    if variants is not None and (not variants or set(variants) - variant_codes):
        raise CatalogueError(f"{where}: unknown variants")
    return AttachmentSpec(
        name=name, label=_text(raw, "label", where), required=bool(raw.get("required", False)),
        variants=tuple(variants) if variants is not None else None,
    )


def _procedure(raw: dict[str, Any]) -> Procedure:
    code = _text(raw, "code", "procedure")
    where = f"procedure {code!r}"
    variants = tuple(
        Variant(
            code=_text(v, "code", where),
            name=_text(v, "name", where),
            processing_days=v.get("processing_days"),
        )
        for v in raw.get("variant", ())
    )
    codes = {v.code for v in variants}
    fields = tuple(_field(f, where, codes) for f in raw.get("field", ()))
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise CatalogueError(f"{where}: a field name is used twice")
    attachments = tuple(_attachment(a, where, codes) for a in raw.get("attachment", ()))
    if len({a.name for a in attachments}) != len(attachments):
        raise CatalogueError(f"{where}: an attachment name is used twice")
    channels = tuple(raw.get("channels", ("operator",)))
    if not channels or set(channels) - set(CHANNELS):
        raise CatalogueError(f"{where}: channels must be among {', '.join(CHANNELS)}")
    group = raw.get("group", "enterprise")
    if group not in GROUPS:
        raise CatalogueError(f"{where}: group must be one of {', '.join(GROUPS)}")
    default_days = raw.get("processing_days")
    if default_days is None and (not variants or any(v.processing_days is None for v in variants)):
        raise CatalogueError(f"{where}: processing_days missing")
    return Procedure(
        code=code,
        name=_text(raw, "name", where),
        legal_basis=_text(raw, "legal_basis", where),
        variants=variants,
        fields=fields,
        processing_days_default=default_days,
        needs_vessel=bool(raw.get("needs_vessel", False)),
        channels=channels,
        attachments=attachments,
        agency=nfc(str(raw.get("agency", "")).strip()),
        group=group,
        to_confirm=nfc(" ".join(str(raw.get("to_confirm", "")).split())),
    )


def parse_catalogue(text: str) -> Catalogue:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"catalogue is not valid TOML: {exc}") from exc
    procedures = tuple(_procedure(p) for p in data.get("procedure", ()))
    codes = [p.code for p in procedures]
    if not procedures or len(set(codes)) != len(codes):
        raise CatalogueError("the catalogue needs procedures with distinct codes")
    return Catalogue(procedures=procedures)


@cache
def load_catalogue(path: Path = DEFAULT_PATH) -> Catalogue:
    return parse_catalogue(path.read_text(encoding="utf-8"))
