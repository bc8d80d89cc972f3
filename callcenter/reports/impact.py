"""What the hotline saves fishers: trips to the provincial centre avoided, money and days.

Dossiers filed (handed to the one-stop system) are counted in the database by month,
channel and commune; each commune's tariff from the configurable table then prices the
few grouped rows. A commune is the applicant's, else the registered vessel's.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcenter.reports.period import Period
from callcenter.reports.sql import dialect_name, local_month
from callcenter.reports.summary import in_period
from models.domain.text import fold
from models.dossier import Dossier
from models.vessel import Vessel


class ImpactConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Tariff:
    cost_vnd: int  # one trip to the centre and back
    travel_hours: float


@dataclass(frozen=True)
class ImpactConfig:
    start: date
    trips_per_dossier: int
    default: Tariff
    communes: dict[str, Tariff]  # keyed by folded name: "ly son"

    def tariff(self, commune: str | None) -> Tariff:
        return self.communes.get(commune_key(commune), self.default)


_UNIT_WORDS = ("xa ", "phuong ", "dac khu ", "thi tran ")


def commune_key(name: str | None) -> str:
    """`Xã Bình Sơn`, `binh son` and `Bình Sơn` are one commune."""
    key = " ".join(fold(name or "").split())
    for word in _UNIT_WORDS:
        if key.startswith(word):
            return key[len(word):]
    return key


def load_impact_config(path: Path) -> ImpactConfig:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        start = raw["start"]
        if not isinstance(start, date):
            raise ImpactConfigError(f"{path}: start must be a date")

        def tariff(entry: dict[str, object]) -> Tariff:
            return Tariff(
                cost_vnd=int(str(entry["cost_vnd"])), travel_hours=float(str(entry["travel_hours"]))
            )

        return ImpactConfig(
            start=start,
            trips_per_dossier=int(raw.get("trips_per_dossier", 2)),
            default=tariff(raw["default"]),
            communes={commune_key(name): tariff(entry) for name, entry in raw.get("communes", {}).items()},
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ImpactConfigError(f"{path}: {exc}") from exc


@dataclass
class ImpactFigures:
    dossiers_phone: int = 0
    dossiers_sms: int = 0
    dossiers_web: int = 0  # filed from a smartphone (the mobile site or its API)
    trips_avoided: int = 0
    saved_vnd: int = 0
    hours_saved: float = 0.0

    @property
    def dossiers(self) -> int:
        return self.dossiers_phone + self.dossiers_sms + self.dossiers_web

    @property
    def days_saved(self) -> float:
        return self.hours_saved / 24


@dataclass
class Impact:
    total: ImpactFigures = field(default_factory=ImpactFigures)
    by_month: dict[str, ImpactFigures] = field(default_factory=dict)  # "YYYY-MM" → figures


def impact(session: Session, *, period: Period, config: ImpactConfig, offset_s: int) -> Impact:
    month = local_month(Dossier.submitted_at, offset_s, dialect_name(session)).label("month")
    commune = func.coalesce(Dossier.applicant_address["commune"].as_string(), Vessel.commune).label("commune")
    rows = session.execute(
        select(month, Dossier.channel, commune, func.count(Dossier.id))
        .outerjoin(Vessel, Vessel.id == Dossier.vessel_id)
        .where(Dossier.submitted_at.is_not(None), *in_period(Dossier.submitted_at, period))
        .group_by(month, Dossier.channel, commune)
        .order_by(month)
    ).all()
    result = Impact()
    for month_key, channel, commune_name, count in rows:  # one row per month × channel × commune
        tariff = config.tariff(commune_name)
        trips = int(count) * config.trips_per_dossier
        for figures in (result.total, result.by_month.setdefault(str(month_key), ImpactFigures())):
            if channel == "sms":
                figures.dossiers_sms += int(count)
            elif channel == "web":
                figures.dossiers_web += int(count)
            else:
                figures.dossiers_phone += int(count)
            figures.trips_avoided += trips
            figures.saved_vnd += trips * tariff.cost_vnd
            figures.hours_saved += trips * tariff.travel_hours
    return result


def since_start(config: ImpactConfig, tz: ZoneInfo) -> Period:
    return Period(since=datetime.combine(config.start, time.min, tzinfo=tz), until=None)
