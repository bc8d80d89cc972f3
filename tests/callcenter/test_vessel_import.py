"""Vessel registry import (contract section 6): row rules, the upsert, and `tongdai vessels`."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from callcenter.cli.main import app
from callcenter.vessels import importer
from callcenter.vessels.importer import ImportFileError, import_file, parse_csv
from callcenter.vessels.repository import UpsertCounts, upsert_vessels
from callcenter.vessels.rows import COLUMNS, RowError, VesselRow
from models.vessel import Vessel

HEADER = ",".join(COLUMNS)
GOOD = ("QNg-90567-TS,Hoàng Phát,Nguyễn Văn Tám,0905123456,051078001234,Thôn Châu Thuận,Bình Châu,,"
        "Quảng Ngãi,17.5,lưới vây,2026-09-30")
GOOD_2 = "QNg-90617-TS,,Trần Văn Lộc,0914222333,,Thôn Phước Thiện,Bình Châu,Bình Sơn,Quảng Ngãi,12.8,câu mực,"
BAD_NUMBER = "not-a-number,,Lê Văn A,,,,,,,,,"


def row(**overrides: str) -> str:
    values = dict(zip(COLUMNS, GOOD.split(","), strict=True)) | overrides
    return ",".join(f'"{values[name]}"' if "," in values[name] else values[name] for name in COLUMNS)


def parse_one(line: str) -> VesselRow | RowError:
    (parsed,) = list(parse_csv([HEADER, line]))
    return parsed


def good(line: str) -> VesselRow:
    parsed = parse_one(line)
    assert isinstance(parsed, VesselRow), str(parsed)
    return parsed


def write_csv(tmp_path: Path, *lines: str, bom: bool = False) -> Path:
    path = tmp_path / "registry.csv"
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def stored(db: Session) -> dict[str, Vessel]:
    db.commit()  # end the snapshot: see what other connections (the CLI) committed
    return {v.registration_number: v for v in db.scalars(select(Vessel))}


# --- the rules of one row (pure) ---------------------------------------------------------


@pytest.mark.parametrize(
    "spelling", ["QNG 90567 TS", "qng90567ts", "QNg-90567 TS", " QNg-90567-TS ", "qng.90567.ts"]
)
def test_every_spelling_of_a_number_is_stored_one_way(spelling: str) -> None:
    vessel = good(row(registration_number=spelling))
    stored_as = (vessel.registration_number, vessel.province_symbol, vessel.digits)
    assert stored_as == ("QNg-90567-TS", "QNg", "90567")


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("0905 123 456", "+84905123456"),
        ("+84 905 123 456", "+84905123456"),
        ("84905123456", "+84905123456"),
        ("0905.123.456", "+84905123456"),
        ("01682345678", "+84382345678"),  # old 11-digit Viettel prefix 0168 → 038
        ("0255 3818558", "+842553818558"),  # Quảng Ngãi landline
        ("", None),
    ],
)
def test_owner_phones_are_stored_in_e164(written: str, e164: str | None) -> None:
    assert good(row(owner_phone=written)).owner_phone == e164


def test_a_bad_row_lists_every_reason_in_vietnamese() -> None:
    parsed = parse_one(row(owner_phone="12345", owner_id_number="0510780012", length_m="abc",
                           licence_expiry="31/12/2026", owner_name=""))
    assert isinstance(parsed, RowError)
    assert parsed.line == 2
    text = str(parsed)
    assert text.startswith("dòng 2: ")
    for reason in ("số điện thoại không hợp lệ: '12345'", "thiếu tên chủ tàu", "12 chữ số",
                   "chiều dài không hợp lệ: 'abc'", "YYYY-MM-DD): '31/12/2026'"):
        assert reason in text
    assert "0510780012" not in text  # ID numbers are not echoed


@pytest.mark.parametrize(
    ("id_number", "ok"),
    [("051078001234", True), ("212345678", True), ("", True), ("0510780012", False),
     ("999078001234", False), ("05107800123X", False)],
)
def test_owner_id_twelve_digits_or_old_nine_digit_cmnd(id_number: str, ok: bool) -> None:
    parsed = parse_one(row(owner_id_number=id_number))
    assert isinstance(parsed, VesselRow) is ok
    if ok:
        assert isinstance(parsed, VesselRow) and parsed.owner_id_number == (id_number or None)


def test_empty_district_licence_and_length_are_null() -> None:
    vessel = good(row(district="", licence_expiry="", length_m=""))
    assert (vessel.district, vessel.licence_expiry, vessel.length_m) == (None, None, None)


def test_values_are_typed_and_names_are_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Tám")
    vessel = good(row(owner_name=decomposed, length_m="12,5", licence_expiry="2026-09-30"))
    assert vessel.owner_name == "Nguyễn Văn Tám" and unicodedata.is_normalized("NFC", vessel.owner_name)
    assert vessel.length_m == Decimal("12.50")
    assert vessel.licence_expiry == date(2026, 9, 30)


def test_rows_are_numbered_by_file_line_and_duplicates_name_the_first() -> None:
    lines = [HEADER, GOOD, "", BAD_NUMBER, '"QNG 90617 TS",,"Trần\nVăn Lộc",,,,,,,,,', row(owner_name="Khác"),
             "QNg-1234-TS,too,few"]
    results = [str(r) if isinstance(r, RowError) else r.registration_number
               for r in parse_csv("\n".join(lines).splitlines(keepends=True))]
    assert results == [
        "QNg-90567-TS",
        "dòng 4: số đăng ký không hợp lệ: 'not-a-number'",
        "QNg-90617-TS",  # starts on line 5, spans two lines
        "dòng 7: số đăng ký QNg-90567-TS trùng với dòng 2",
        "dòng 8: có 3 cột, cần 12 cột như dòng tiêu đề",
    ]


@pytest.mark.parametrize(
    ("header", "named"),
    [
        (HEADER.replace(",district", ""), ["thiếu cột: district"]),
        (HEADER + ",notes", ["'notes'"]),
        (HEADER.replace("owner_phone", "phone"), ["thiếu cột: owner_phone", "'phone'"]),
    ],
)
def test_a_wrong_header_is_named_and_stops_the_file(header: str, named: list[str]) -> None:
    with pytest.raises(ImportFileError) as caught:
        list(parse_csv([header, GOOD]))
    for text in named:
        assert text in str(caught.value)


# --- writing ------------------------------------------------------------------------------


def test_good_rows_are_imported_and_bad_rows_are_not(db: Session, tmp_path: Path) -> None:
    report = import_file(db, write_csv(tmp_path, HEADER, GOOD, BAD_NUMBER, GOOD_2, bom=True))
    assert [str(e) for e in report.errors] == ["dòng 3: số đăng ký không hợp lệ: 'not-a-number'"]
    assert (report.counts.created, report.counts.updated) == (2, 0)
    vessels = stored(db)
    assert sorted(vessels) == ["QNg-90567-TS", "QNg-90617-TS"]
    assert vessels["QNg-90617-TS"].district == "Bình Sơn"
    assert vessels["QNg-90567-TS"].district is None
    assert vessels["QNg-90567-TS"].digits == "90567"


def test_import_updates_an_existing_vessel_and_skips_unchanged(db: Session, tmp_path: Path) -> None:
    import_file(db, write_csv(tmp_path, HEADER, GOOD, GOOD_2))
    db.commit()
    first = stored(db)["QNg-90617-TS"].updated_at

    changed = row(owner_phone="0935 000 111", district="Sơn Tịnh")
    report = import_file(db, write_csv(tmp_path, HEADER, changed, GOOD_2))
    db.commit()
    assert (report.counts.created, report.counts.updated, report.counts.unchanged) == (0, 1, 1)
    vessels = stored(db)
    assert len(vessels) == 2
    assert vessels["QNg-90567-TS"].owner_phone == "+84935000111"
    assert vessels["QNg-90567-TS"].district == "Sơn Tịnh"
    assert vessels["QNg-90617-TS"].updated_at == first  # an unchanged row is not rewritten


# --- the command line ---------------------------------------------------------------------


@pytest.fixture
def tongdai(
    db: Session, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., Result]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("HOTLINE_PROVINCE", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return lambda *args: CliRunner().invoke(app, [str(a) for a in args])


def test_cli_all_rows_good_exits_0(tongdai: Callable[..., Result], db: Session, tmp_path: Path) -> None:
    result = tongdai("vessels", "import", write_csv(tmp_path, HEADER, GOOD, GOOD_2))
    assert result.exit_code == 0, result.output
    assert "2 tàu mới, 0 cập nhật" in result.output
    assert sorted(stored(db)) == ["QNg-90567-TS", "QNg-90617-TS"]


def test_cli_some_bad_rows_exits_1_and_imports_the_good(
    tongdai: Callable[..., Result], db: Session, tmp_path: Path
) -> None:
    result = tongdai("vessels", "import", write_csv(tmp_path, HEADER, GOOD, GOOD_2, BAD_NUMBER, row()))
    assert result.exit_code == 1
    assert "dòng 4: số đăng ký không hợp lệ: 'not-a-number'" in result.output
    assert "dòng 5: số đăng ký QNg-90567-TS trùng với dòng 2" in result.output
    assert "2 dòng lỗi" in result.output
    assert "Traceback" not in result.output
    assert sorted(stored(db)) == ["QNg-90567-TS", "QNg-90617-TS"]


@pytest.mark.parametrize("problem", ["missing file", "bad header", "empty file"])
def test_cli_file_errors_exit_2_without_traceback(
    tongdai: Callable[..., Result], db: Session, tmp_path: Path, problem: str
) -> None:
    path = tmp_path / "nope.csv"
    if problem == "bad header":
        path = write_csv(tmp_path, HEADER.replace(",province", ",tinh"), GOOD)
    elif problem == "empty file":
        path = write_csv(tmp_path)
        path.write_text("")
    result = tongdai("vessels", "import", path)
    assert result.exit_code == 2
    assert "Không nhập dòng nào" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if problem == "bad header":
        assert "thiếu cột: province" in result.output and "'tinh'" in result.output
    assert stored(db) == {}


def test_cli_show_finds_a_vessel_by_any_spelling_or_digits(
    tongdai: Callable[..., Result], tmp_path: Path
) -> None:
    tongdai("vessels", "import", write_csv(tmp_path, HEADER, GOOD))
    for spelling in ("90567", "qng90567ts", "QNg-90567-TS"):
        result = tongdai("vessels", "show", spelling)
        assert result.exit_code == 0, result.output
        assert "QNg-90567-TS" in result.output and "Nguyễn Văn Tám" in result.output
        assert "vùng khơi" in result.output
        assert "051078001234" not in result.output  # the ID number is masked
    missing = tongdai("vessels", "show", "99999")
    assert missing.exit_code == 1 and "Không có tàu QNg-99999-TS" in missing.output


def many_rows(count: int) -> list[str]:
    return [row(registration_number=f"QNg-{90000 + i}-TS", owner_phone="") for i in range(count)]


def test_cli_a_fault_part_way_leaves_nothing_written(
    tongdai: Callable[..., Result], db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK_SIZE", 10)
    path = tmp_path / "registry.csv"
    # ~30 kB of good rows (past the reader's first buffer, so chunks are written), then a
    # row saved in Latin-1 instead of UTF-8.
    latin1_row = "QNg-99999-TS,,Ph\xe1m,,,,,,,,,\n".encode("latin-1")
    path.write_bytes("\n".join([HEADER, *many_rows(300)]).encode() + b"\n" + latin1_row)
    written_before_fault: list[int] = []

    def counting_upsert(session: Session, rows: list[VesselRow]) -> UpsertCounts:
        written_before_fault.append(len(rows))
        return upsert_vessels(session, rows)

    monkeypatch.setattr(importer, "upsert_vessels", counting_upsert)

    result = tongdai("vessels", "import", path)
    assert result.exit_code == 2
    assert "không phải UTF-8" in result.output and "Không nhập dòng nào" in result.output
    assert sum(written_before_fault) >= 100  # rows had been flushed when the fault came
    assert stored(db) == {}
