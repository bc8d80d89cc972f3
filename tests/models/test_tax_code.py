"""Tax codes and household business numbers, against codes of real, published businesses."""

from __future__ import annotations

from datetime import date

import pytest

from models.domain.tax_code import (
    InvalidTaxCode,
    check_digit,
    check_household_business_number,
    check_organisation_tax_code,
    check_tax_code,
)

TODAY = date(2026, 12, 5)

# Published tax codes of well-known companies (national business registration portal).
VALID = ["0100109106", "0300588569", "0100100079", "4300378569"]


@pytest.mark.parametrize("code", VALID)
def test_published_codes_pass_the_check_digit(code: str) -> None:
    assert check_organisation_tax_code(code) == code
    assert check_digit(code[:9]) == int(code[9])


@pytest.mark.parametrize("code", ["0100109107", "0300588560", "0100100070", "4300378568"])
def test_one_wrong_last_digit_is_refused(code: str) -> None:
    with pytest.raises(InvalidTaxCode, match="sai chữ số kiểm tra"):
        check_organisation_tax_code(code)


def test_a_swap_of_two_digits_is_caught() -> None:
    with pytest.raises(InvalidTaxCode):
        check_organisation_tax_code("0010109106")


def test_no_check_digit_exists_when_the_sum_is_a_multiple_of_eleven() -> None:
    # 31·0 + … + 3·N9 ≡ 0 (mod 11) would need a check digit of 10: never issued.
    assert check_digit("000000000") is None
    with pytest.raises(InvalidTaxCode):
        check_organisation_tax_code("0000000000")


def test_a_branch_keeps_the_parent_code_and_adds_three_digits() -> None:
    assert check_organisation_tax_code("0100109106-001") == "0100109106-001"
    assert check_organisation_tax_code("0100109106001") == "0100109106-001"  # dash left out
    with pytest.raises(InvalidTaxCode):
        check_organisation_tax_code("0100109107-001")  # the parent's check digit still counts
    with pytest.raises(InvalidTaxCode):
        check_organisation_tax_code("0100109106-000")


@pytest.mark.parametrize("code", ["010010910", "01001091066", "0100109106-01", "01001O9106", ""])
def test_wrong_shapes_are_refused(code: str) -> None:
    with pytest.raises(InvalidTaxCode):
        check_organisation_tax_code(code)


def test_individuals_use_their_citizen_id_as_tax_code() -> None:
    assert check_tax_code("051085001234", today=TODAY) == "051085001234"
    with pytest.raises(InvalidTaxCode, match="số căn cước"):
        check_tax_code("999085001234", today=TODAY)  # no such province code


def test_household_business_number_is_a_tax_code_or_an_old_certificate_number() -> None:
    assert check_household_business_number("051085001234", today=TODAY) == "051085001234"
    assert check_household_business_number("4300378569", today=TODAY) == "4300378569"
    assert check_household_business_number("51a8001234", today=TODAY) == "51A8001234"
    for bad in ("51A9001234", "12345", "4300378568"):
        with pytest.raises(InvalidTaxCode, match="mã số hộ kinh doanh"):
            check_household_business_number(bad, today=TODAY)
