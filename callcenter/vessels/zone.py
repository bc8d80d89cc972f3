"""Fishing zone by hull length: under 12 m coastal, 12 to under 15 m mid-shore, 15 m+ offshore."""

from __future__ import annotations

from decimal import Decimal

# (minimum length in metres, zone in Vietnamese); thresholds from the Fisheries Law 2017.
ZONES = ((Decimal(15), "vùng khơi"), (Decimal(12), "vùng lộng"), (Decimal(0), "vùng ven bờ"))


def fishing_zone(length_m: Decimal | None) -> str | None:
    if length_m is None:
        return None
    return next(zone for minimum, zone in ZONES if length_m >= minimum)
