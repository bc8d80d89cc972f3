"""The one CSV guard: formulas neutralised, numbers and phone numbers left as they are."""

from __future__ import annotations

import pytest

from callcenter.csv_export import csv_text, safe_cell


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("\tTab", "'\tTab"),
    ("-1.5", "-1.5"),  # a negative number stays a number
    ("+84905123456", "+84905123456"),  # a phone number stays a phone number
    ("42", "42"),
    ("Nguyễn Văn Tàu", "Nguyễn Văn Tàu"),
    (None, ""),
    (-1.5, "-1.5"),
])
def test_a_cell_is_neutralised_only_when_a_spreadsheet_would_run_it(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_the_file_starts_with_a_bom_and_keeps_vietnamese() -> None:
    text = csv_text(("Tên", "Số"), [("Trần Thị Biển", "-1.5"), ("=1+1", None)])
    assert text == "\ufeffTên,Số\r\nTrần Thị Biển,-1.5\r\n'=1+1,\r\n"
