"""What an operator may send to complete a dossier (`PATCH /api/v1/dossiers/{reference}`).

Deliberately loose types (plain strings): every rule about *values* lives in
`callcenter.dossiers.service.update_dossier`, which names each bad value by its path
(`applicant.id_number`) in Vietnamese, so the API and the console report errors alike.
Only the *shape* is checked here: unknown keys are refused.

A key left out is left alone; a key sent as `null` clears the value. An address is one
value: sent, it replaces the whole address. `fields` merges by name (`null` removes one).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Patch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    def given(self, name: str) -> bool:
        """True when the client sent this key (even as null)."""
        return name in self.model_fields_set


class AddressPatch(_Patch):
    line: str | None = None  # thôn, số nhà
    commune: str | None = None  # xã, phường, đặc khu
    district: str | None = None  # optional since July 2025 (two-level local government)
    province: str | None = None


class ApplicantPatch(_Patch):
    name: str | None = None
    id_number: str | None = None  # 12-digit căn cước; the 9-digit CMND is refused
    phone: str | None = None  # national (0905…) or E.164; stored as E.164
    address: AddressPatch | None = None


class DeliveryPatch(_Patch):
    method: str | None = None  # "post" or "pickup"
    address: AddressPatch | None = None  # post only; the applicant's address when absent


class DossierPatch(_Patch):
    applicant: ApplicantPatch | None = None
    fields: dict[str, Any] | None = None  # the procedure's fields by name (GET /procedures)
    delivery: DeliveryPatch | None = None
