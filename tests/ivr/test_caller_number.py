"""The caller's number as a call stores it: E.164 where it is a number, as given where not."""

from __future__ import annotations

import pytest

from models.domain.phone import caller_number


@pytest.mark.parametrize(("raw", "stored"), [
    ("+84905123456", "+84905123456"),  # Twilio's E.164, a mobile
    ("+84212345678", "+84212345678"),  # a landline (Sơn La's 0212)
    ("0905 123 456", "+84905123456"),  # national form
    ("+841223456789", "+84773456789"),  # an old 11-digit mobile: 0122 became 077
    ("+14155550100", "+14155550100"),  # abroad
    ("+840905123456", "+840905123456"),  # a trunk 0 after the country code: not a number, kept
    ("+84100000000", "+84100000000"),  # no such range: kept as given
    ("anonymous", "anonymous"),  # a withheld number
    ("client:vanhanh", "client:vanhanh"),  # an operator's softphone
    ("+84", "+84"),
    ("", ""),
])
def test_a_caller_id_is_stored_in_e164_or_as_given(raw: str, stored: str) -> None:
    assert caller_number(raw) == stored
