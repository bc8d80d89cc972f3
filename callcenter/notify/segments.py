"""SMS segments: GSM-7 or UCS-2, and when to drop diacritics to stay in one segment.

A single Vietnamese diacritic (ồ, ơ, ư, đ …) switches the whole message to UCS-2:
70 characters a segment instead of 160. Fishers on basic phones read text without
marks every day, and a receipt split over three segments may arrive out of order or
only partly, so a message that fits one GSM-7 segment without its marks goes that way.
A short message that fits one UCS-2 segment keeps its diacritics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from models.domain.text import strip_diacritics

# GSM 03.38 default alphabet (3GPP TS 23.038 §6.2.1), minus 0x1B which is the escape
# to the extension table, not a character.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each is sent as ESC + character, two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE = 160
GSM7_MULTI = 153  # 7 septets of each part go to the concatenation header
UCS2_SINGLE = 70
UCS2_MULTI = 67

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class SegmentCount:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def count_segments(text: str) -> SegmentCount:
    if is_gsm7(text):
        widths = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        return SegmentCount("GSM-7", sum(widths), _parts(widths, GSM7_SINGLE, GSM7_MULTI))
    # Characters beyond the BMP (emoji) take a surrogate pair, which phones never split.
    widths = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SegmentCount("UCS-2", sum(widths), _parts(widths, UCS2_SINGLE, UCS2_MULTI))


def _parts(widths: list[int], single: int, multi: int) -> int:
    total = sum(widths)
    if total <= single:
        return 1
    # Greedy fill: an escape pair or surrogate pair never straddles two parts.
    parts, used = 1, 0
    for width in widths:
        if used + width > multi:
            parts, used = parts + 1, 0
        used += width
    return parts


def body_to_send(body: str) -> str:
    """The text actually sent: the original, or without diacritics when that is one segment."""
    original = count_segments(body)
    if original.encoding == "GSM-7" or original.segments == 1:
        return body
    plain = strip_diacritics(body)
    folded = count_segments(plain)
    if folded.encoding == "GSM-7" and folded.segments == 1:
        return plain
    return body
