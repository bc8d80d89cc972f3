"""The procedure catalogue: the shipped file is sound, and a broken one stops the start."""

from __future__ import annotations

from datetime import date

import pytest

from callcenter.procedures import CatalogueError, load_catalogue, parse_catalogue
from callcenter.procedures.values import InvalidValue, check_value


def test_the_shipped_catalogue_has_both_procedures_with_their_processing_days() -> None:
    catalogue = load_catalogue()
    licence = catalogue.get("fishing_licence")
    safety = catalogue.get("vessel_safety_certificate")
    assert licence is not None and safety is not None
    assert (licence.processing_days("new"), licence.processing_days("reissue")) == (6, 3)
    assert safety.processing_days(None) == 3
    assert "41/2026/NĐ-CP" in licence.legal_basis
    assert [f.name for f in licence.fields_for("reissue") if f.required] == [
        "main_gear", "fishing_zone", "port", "licence_number", "reissue_reason",
    ]
    zone = licence.field("fishing_zone")
    assert zone is not None and zone.choices == ("ven bờ", "lộng", "khơi")


BROKEN = {
    "a choice without choices": 'type = "choice"',
    "an unknown type": 'type = "colour"',
    "an unknown variant": 'type = "text"\nvariants = ["renew"]',
    "a bound on a text": 'type = "text"\nmin = "today"',
}


@pytest.mark.parametrize("field_lines", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_field_is_refused_naming_it(field_lines: str) -> None:
    text = f"""
[[procedure]]
code = "p"
name = "Thủ tục"
legal_basis = "Luật"
processing_days = 3
  [[procedure.variant]]
  code = "new"
  name = "Cấp mới"
  [[procedure.field]]
  name = "bad_field"
  label = "Mục"
  {field_lines}
"""
    with pytest.raises(CatalogueError, match="bad_field"):
        parse_catalogue(text)


def test_values_are_stored_in_one_form() -> None:
    catalogue = parse_catalogue(
        """
[[procedure]]
code = "p"
name = "Thủ tục"
legal_basis = "Luật"
processing_days = 1
  [[procedure.field]]
  name = "length_m"
  label = "Chiều dài (m)"
  type = "number"
"""
    )
    procedure = catalogue.get("p")
    assert procedure is not None
    spec = procedure.field("length_m")
    assert spec is not None
    today = date(2027, 2, 3)
    assert check_value(spec, "16,5", today=today) == 16.5
    assert check_value(spec, "15", today=today) == 15
    with pytest.raises(InvalidValue):
        check_value(spec, "mười lăm", today=today)
    with pytest.raises(InvalidValue):
        check_value(spec, "nan", today=today)


def test_every_procedure_names_its_agency_and_the_new_ones_say_what_to_confirm() -> None:
    catalogue = load_catalogue()
    for procedure in catalogue.procedures:
        assert procedure.agency and procedure.legal_basis
    web = {p.code for p in catalogue.offered_on("web")}
    assert web == {"fishing_licence", "vessel_safety_certificate", "household_business_registration",
                   "household_business_termination", "promotion_notice"}
    assert {p.code for p in catalogue.offered_on("ivr")} == {"fishing_licence", "vessel_safety_certificate"}
    for code in ("household_business_registration", "household_business_termination", "promotion_notice"):
        procedure = catalogue.get(code)
        assert procedure is not None and not procedure.needs_vessel and procedure.to_confirm
    notice = catalogue.get("promotion_notice")
    assert notice is not None and "128/2024/NĐ-CP" in notice.legal_basis
    start = notice.field("start_date")
    assert start is not None and start.min_working_days == 3
    household = catalogue.get("household_business_registration")
    assert household is not None and "168/2025/NĐ-CP" in household.legal_basis


def test_a_start_date_must_leave_three_working_days() -> None:
    notice = load_catalogue().get("promotion_notice")
    assert notice is not None
    start = notice.field("start_date")
    assert start is not None
    friday = date(2027, 3, 5)
    with pytest.raises(InvalidValue, match="ít nhất 3 ngày làm việc"):
        check_value(start, "09/03/2027", today=friday)  # Tuesday: only two working days ahead
    assert check_value(start, "10/03/2027", today=friday) == "2027-03-10"


@pytest.mark.parametrize("line", ['channels = ["fax"]', 'group = "ministry"', 'channels = []'])
def test_unknown_channels_and_groups_are_refused(line: str) -> None:
    text = f"""
[[procedure]]
code = "p"
name = "Thủ tục"
legal_basis = "Luật"
processing_days = 3
{line}
"""
    with pytest.raises(CatalogueError, match="procedure 'p'"):
        parse_catalogue(text)
