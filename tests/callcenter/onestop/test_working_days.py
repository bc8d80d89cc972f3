"""Due dates (ngày hẹn trả) counted in working days, as the receipt slip shows them."""

from __future__ import annotations

from datetime import date

import pytest

from callcenter.onestop.procedures import procedure_for
from callcenter.onestop.working_days import add_working_days, is_working_day


def test_a_weekend_does_not_count() -> None:
    # Thursday 26 Nov 2026 + 3 working days: Fri 27, Mon 30, Tue 1 Dec.
    assert add_working_days(date(2026, 11, 26), 3) == date(2026, 12, 1)


def test_a_dossier_received_on_saturday_starts_counting_on_monday() -> None:
    assert add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)


def test_tet_2027_holidays_push_the_due_date_back() -> None:
    # Tết 2027: Thursday 4 Feb to Wednesday 10 Feb are off, with a weekend inside.
    assert not any(is_working_day(date(2027, 2, d)) for d in range(4, 11))
    received = date(2027, 2, 3)
    first_issue = procedure_for("fishing_licence", "new")
    reissue = procedure_for("fishing_licence", "reissue")
    # 11, 12, 15, 16, 17, 18 February
    assert add_working_days(received, first_issue.total_working_days) == date(2027, 2, 18)
    assert add_working_days(received, reissue.total_working_days) == date(2027, 2, 15)


def test_a_saturday_the_government_made_a_working_day_counts() -> None:
    # 22 Aug 2026 is worked in exchange for Monday 31 Aug (National Day bridge).
    assert is_working_day(date(2026, 8, 22))
    assert not is_working_day(date(2026, 8, 31))
    assert add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)


def test_across_new_year() -> None:
    # Wed 30 Dec 2026 + 3: Thu 31, (Fri 1 Jan holiday, weekend), Mon 4, Tue 5.
    assert add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 5)


def test_processing_times_are_the_published_ones() -> None:
    assert procedure_for("fishing_licence", "new").total_working_days == 6
    assert procedure_for("fishing_licence", "reissue").total_working_days == 3
    safety = procedure_for("vessel_safety_certificate", None)
    assert (safety.inspection_days, safety.working_days) == (1, 3)


def test_negative_counts_are_a_bug() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 11, 26), -1)
