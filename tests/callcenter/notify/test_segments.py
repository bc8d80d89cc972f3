"""Segment counting as a fisher's phone bill sees it, and the no-diacritics rule."""

from __future__ import annotations

import pytest

from callcenter.notify.segments import body_to_send, count_segments, is_gsm7


@pytest.mark.parametrize(
    ("text", "gsm7"),
    [
        ("Ma ho so cua ban la 472915", True),
        ("Giá: 50€ [phí]", False),  # á is not in GSM 03.38
        ("Phi: 50€ {tam tinh} ~ [x] | ^ \\", True),  # extension table
        ("Café @ £5 è é ù ì ò à Ä Ö Ñ Ü ¿ ¡ §", True),  # in the basic set, though accented
        ("Mã hồ sơ", False),
        ("Đã nhận", False),
        ("ç", False),  # only the capital Ç is in the basic set
        ("`", False),
    ],
)
def test_gsm7_is_the_gsm_03_38_alphabet(text: str, gsm7: bool) -> None:
    assert is_gsm7(text) is gsm7


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # extension characters take two septets
        ("€" * 81, "GSM-7", 162, 2),
        # An escape pair never straddles two parts: 152 + (2) does not fit 153.
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),
        ("ơ" * 70, "UCS-2", 70, 1),
        ("ơ" * 71, "UCS-2", 71, 2),
        ("ơ" * 134, "UCS-2", 134, 2),
        ("ơ" * 135, "UCS-2", 135, 3),
        ("🐟" * 35, "UCS-2", 70, 1),  # outside the BMP: a surrogate pair each
    ],
)
def test_segments(text: str, encoding: str, units: int, segments: int) -> None:
    count = count_segments(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)


def test_a_receipt_that_would_need_two_ucs2_segments_goes_without_diacritics() -> None:
    body = "Hồ sơ của ông/bà đã được tiếp nhận. Mã hồ sơ: 472915. Ngày hẹn trả: 12/03/2026."
    assert count_segments(body).segments == 2
    sent = body_to_send(body)
    assert sent == "Ho so cua ong/ba da duoc tiep nhan. Ma ho so: 472915. Ngay hen tra: 12/03/2026."
    assert count_segments(sent).segments == 1


def test_d_with_stroke_becomes_d() -> None:
    body = "Đơn đề nghị cấp Giấy chứng nhận an toàn kỹ thuật tàu cá QNg-96169-TS đã được ghi nhận."
    assert body_to_send(body).startswith("Don de nghi cap Giay chung nhan an toan ky thuat tau ca")


def test_a_message_that_fits_one_ucs2_segment_keeps_its_diacritics() -> None:
    body = "Mã hồ sơ của ông/bà là 472915."
    assert body_to_send(body) == body


def test_a_message_too_long_for_one_segment_either_way_keeps_its_diacritics() -> None:
    body = (
        "Hồ sơ cấp lại giấy phép khai thác thủy sản của tàu QNg-90567-TS đã được tiếp nhận. "
        "Mã hồ sơ: 000.00.53.H48-260302-0099. Ngày hẹn trả kết quả: 10/03/2026. Kết quả được "
        "gửi qua bưu điện về địa chỉ đã đăng ký."
    )
    assert count_segments(body_to_send(body)).segments > 1
    assert body_to_send(body) == body


def test_plain_text_is_left_alone() -> None:
    body = "TT 472915: ho so dang duoc xu ly."
    assert body_to_send(body) == body


def test_a_character_without_a_gsm7_form_keeps_the_original() -> None:
    # “curly quotes” survive diacritic stripping and are not GSM-7: nothing is gained.
    body = "Hồ sơ “472915” đã được tiếp nhận, ngày hẹn trả 12/03/2026, xin cảm ơn ông/bà."
    assert count_segments(body).segments == 2
    assert body_to_send(body) == body
