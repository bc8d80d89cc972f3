"""The procedures the hotline files, as the one-stop system knows them (data, not logic).

`code` is what travels on the wire as `procedure.code`. The province assigns the real
codes in its procedure catalogue; these are placeholders a deployment replaces, which is
why they live in one table rather than in code. `working_days` and `inspection_days`
are the province's published processing times: the emulator counts the due date from
them, a real system counts its own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OneStopProcedure:
    code: str
    procedure: str  # our models.dossier.PROCEDURES
    variant: str | None  # our models.dossier.VARIANTS
    name: str
    working_days: int
    # The safety certificate is issued N days *after* an inspection, and the inspection
    # date is agreed within this many working days of receipt.
    inspection_days: int = 0

    @property
    def total_working_days(self) -> int:
        return self.inspection_days + self.working_days


CATALOGUE: tuple[OneStopProcedure, ...] = (
    OneStopProcedure(
        code="QNG-TS-GPKT-CM",
        procedure="fishing_licence",
        variant="new",
        name="Cấp giấy phép khai thác thủy sản",
        working_days=6,
    ),
    OneStopProcedure(
        code="QNG-TS-GPKT-CL",
        procedure="fishing_licence",
        variant="reissue",
        name="Cấp lại giấy phép khai thác thủy sản",
        working_days=3,
    ),
    OneStopProcedure(
        code="QNG-TS-ATKT",
        procedure="vessel_safety_certificate",
        variant=None,
        name="Cấp giấy chứng nhận an toàn kỹ thuật tàu cá",
        working_days=3,
        inspection_days=1,
    ),
)

BY_CODE = {p.code: p for p in CATALOGUE}


class UnknownProcedure(LookupError):
    pass


def procedure_for(procedure: str, variant: str | None) -> OneStopProcedure:
    for entry in CATALOGUE:
        if entry.procedure == procedure and entry.variant == variant:
            return entry
    raise UnknownProcedure(f"no one-stop procedure for {procedure}/{variant}")
