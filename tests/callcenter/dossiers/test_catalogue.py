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
