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
    # The desk checks a vessel registration number in the eForm only for these.
    needs_vessel: bool = True

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
    OneStopProcedure(
        code="QNG-HKD-DKTL",
        procedure="household_business_registration",
        variant=None,
        name="Đăng ký thành lập hộ kinh doanh",
        working_days=3,
        needs_vessel=False,
    ),
    OneStopProcedure(
        code="QNG-HKD-CDHD",
        procedure="household_business_termination",
        variant=None,
        name="Chấm dứt hoạt động hộ kinh doanh",
        working_days=3,
        needs_vessel=False,
    ),
    OneStopProcedure(
        code="QNG-SCT-TBKM",
        procedure="promotion_notice",
        variant=None,
        name="Thông báo hoạt động khuyến mại",
        working_days=0,  # a notice: received, no result to wait for
        needs_vessel=False,
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
