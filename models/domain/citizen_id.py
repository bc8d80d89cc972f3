"""Citizen ID (căn cước công dân): 12 digits, province code, century/sex digit, birth year.

No checksum exists, so the check is structural: a known province-of-birth code and a
birth year that is not in the future and not absurdly old.
"""

from __future__ import annotations

from datetime import date

# Province codes of birth registration (Thông tư 59/2021/TT-BCA annex); kept as data.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh",
    "024": "Bắc Giang", "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương",
    "031": "Hải Phòng", "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình",
    "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam",
    "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên", "056": "Khánh Hòa",
    "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum", "064": "Gia Lai", "066": "Đắk Lắk",
    "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương",
    "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh", "080": "Long An",
    "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang", "094": "Sóc Trăng",
    "095": "Bạc Liêu", "096": "Cà Mau",
}


class InvalidCitizenId(ValueError):
    pass


def birth_year(number: str) -> int:
    century_digit = int(number[3])
    century = 1900 + (century_digit // 2) * 100
    return century + int(number[4:6])


def check_citizen_id(raw: str, *, today: date | None = None, born: date | None = None) -> str:
    """Return the 12-digit number or raise with a Vietnamese reason an operator can act on."""
    number = "".join(ch for ch in (raw or "") if not ch.isspace())
    if len(number) == 9 and number.isdigit():
        raise InvalidCitizenId("CMND 9 số đã hết hiệu lực từ 01/01/2025; cần số căn cước 12 số")
    if len(number) != 12 or not number.isdigit():
        raise InvalidCitizenId("số căn cước phải có đúng 12 chữ số")
    if number[:3] not in PROVINCE_CODES:
        raise InvalidCitizenId(f"mã tỉnh {number[:3]} không có trong danh mục")
    year = birth_year(number)
    today = today or date.today()
    if year > today.year or year < today.year - 120:
        raise InvalidCitizenId(f"năm sinh {year} không hợp lý")
    if born is not None and born.year != year:
        raise InvalidCitizenId(f"năm sinh trong số căn cước ({year}) khác ngày sinh ({born:%d/%m/%Y})")
    return number


def mask_citizen_id(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "*" * max(0, len(value) - 6) + value[-3:]
