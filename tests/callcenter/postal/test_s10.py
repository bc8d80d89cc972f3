"""UPU S10 tracking numbers: what an operator types from a receipt is checked before use."""

from __future__ import annotations

import pytest

from callcenter.postal.s10 import (
    InvalidTrackingNumber,
    check_digit,
    is_tracking_number,
    make_tracking_number,
    new_tracking_number,
    normalize_tracking_number,
)


def test_the_documented_example_is_valid() -> None:
    assert normalize_tracking_number("EB123456785VN") == "EB123456785VN"


def test_spacing_and_case_from_a_receipt_are_tolerated() -> None:
    assert normalize_tracking_number(" eb 1234 5678 5 vn ") == "EB123456785VN"


@pytest.mark.parametrize("typo", ["EB123456784VN", "EB123456758VN", "EB213456785VN"])
def test_a_slip_of_one_digit_or_a_swap_is_caught(typo: str) -> None:
    assert not is_tracking_number(typo)
    with pytest.raises(InvalidTrackingNumber, match="số kiểm tra"):
        normalize_tracking_number(typo)


def test_a_check_value_of_ten_is_written_as_zero() -> None:
    # 1·8+2·6+3·4+4·2+5·3+6·5+7·9+1·7 = 155; 155 mod 11 = 1; 11 − 1 = 10 → 0
    assert check_digit("12345671") == 0
    assert is_tracking_number("RR123456710VN")
    assert not is_tracking_number("RR123456711VN")


def test_a_check_value_of_eleven_is_written_as_five() -> None:
    # the weighted sum is 176 = 16·11, so 11 − 0 = 11 → 5
    assert check_digit("12345674") == 5
    assert is_tracking_number("RR123456745VN")
    assert not is_tracking_number("RR123456740VN")


@pytest.mark.parametrize("raw", ["", "EB12345678VN", "EB1234567855VN", "1B123456785VN", "EB123456785V"])
def test_malformed_numbers_are_refused(raw: str) -> None:
    assert not is_tracking_number(raw)


def test_a_foreign_post_number_is_not_a_vietnamese_one() -> None:
    assert not is_tracking_number("RR123456745US")
    assert normalize_tracking_number("RR123456745US", country="US") == "RR123456745US"


def test_generated_numbers_are_valid() -> None:
    assert make_tracking_number(12345678) == "EB123456785VN"
    assert make_tracking_number(0, service="RR") == "RR000000005VN"
    for _ in range(50):
        number = new_tracking_number()
        assert len(number) == 13 and number.endswith("VN") and is_tracking_number(number)


def test_a_serial_out_of_range_is_refused() -> None:
    with pytest.raises(InvalidTrackingNumber):
        make_tracking_number(10**8)
