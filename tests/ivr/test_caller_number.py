"""The caller's number as a call stores it: whatever the shortcut, what normalising gives."""

from __future__ import annotations

import random

import pytest

from models.domain.phone import caller_number, try_normalize_phone


def _stored_by_normalising(raw: str) -> str:
    return try_normalize_phone(raw) or raw


def test_numbers_twilio_sends_in_e164_are_stored_as_normalising_would_store_them() -> None:
    rng = random.Random(2026)
    numbers = [f"+84{rng.choice('123456789')}{rng.randrange(10**8):08d}" for _ in range(2000)]
    numbers += ["+84905123456", "+84987000001", "+84100000000", "+84212345678", "+84999999999"]
    assert [caller_number(n) for n in numbers] == [_stored_by_normalising(n) for n in numbers]


@pytest.mark.parametrize("raw", [
    "0905 123 456",  # national form: normalised
    "+840905123456",  # a trunk 0 after the country code
    "+841223456789",  # an old 11-digit mobile, converted to its new prefix
    "+14155550100",  # abroad
    "anonymous", "", "+84",  # what a withheld or broken caller ID looks like
])
def test_other_forms_go_through_the_parser(raw: str) -> None:
    assert caller_number(raw) == _stored_by_normalising(raw)
    if raw == "+841223456789":
        assert caller_number(raw) == "+84773456789"  # 0122 became 077
