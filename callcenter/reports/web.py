"""The smartphone channel's funnel: of the phones that asked for a code in the period,
how many proved the phone, filed a dossier, and saw it handed to the one-stop system."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from callcenter.reports.period import Period
from callcenter.reports.summary import in_period
from models.dossier import Dossier
from models.otp import OneTimeCode


@dataclass(frozen=True)
class WebStep:
    title: str
    count: int


def web_funnel(session: Session, *, period: Period) -> list[WebStep]:
    accepted_phone = case((OneTimeCode.accepted_at.is_not(None), OneTimeCode.phone))  # else NULL: not counted
    asked, verified = session.execute(
        select(func.count(distinct(OneTimeCode.phone)), func.count(distinct(accepted_phone)))
        .where(*in_period(OneTimeCode.created_at, period))
    ).one()
    filed, submitted = session.execute(
        select(func.count(Dossier.id), func.count(Dossier.submitted_at))
        .where(Dossier.channel == "web", *in_period(Dossier.created_at, period))
    ).one()
    return [
        WebStep("Số điện thoại yêu cầu mã xác thực", int(asked)),
        WebStep("Số điện thoại xác thực thành công", int(verified)),
        WebStep("Hồ sơ gửi từ điện thoại thông minh", int(filed or 0)),
        WebStep("Trong đó đã nộp lên hệ thống một cửa", int(submitted or 0)),
    ]
