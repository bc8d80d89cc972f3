"""A complete filing of each procedure offered on phones, as a citizen's app sends it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.onestop.working_days import add_working_days
from models.base import utcnow

ADDRESS = {"line": "Thôn An Vĩnh", "commune": "Đặc khu Lý Sơn", "province": "Quảng Ngãi"}
APPLICANT = {"name": "Nguyễn Văn Tàu", "id_number": "051085001234", "address": ADDRESS}


def today() -> date:
    return utcnow().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def filing(procedure: str) -> dict[str, Any]:
    start = add_working_days(today(), 5)
    bodies: dict[str, dict[str, Any]] = {
        "fishing_licence": {
            "variant": "new", "vessel": {"registration_number": "QNg-90567-TS"},
            "fields": {"main_gear": "luoi vay", "fishing_zone": "khơi", "port": "Cảng cá Lý Sơn"},
        },
        "vessel_safety_certificate": {
            "vessel": {"registration_number": "90567"},
            "fields": {"inspection_kind": "hằng năm", "inspection_place": "Tại cảng cá nơi tàu neo đậu",
                       "inspection_date": (today() + timedelta(days=10)).isoformat()},
        },
        "household_business_registration": {
            "fields": {"business_name": "Tạp hóa Thu Hà", "business_address": "Thôn Đông, Đặc khu Lý Sơn",
                       "business_lines": "Bán lẻ hàng tạp hóa", "capital_vnd": "50000000", "workers": 2},
        },
        "household_business_termination": {
            "fields": {"household_business_number": "4300378569", "business_name": "Tạp hóa Thu Hà",
                       "termination_date": today().isoformat(), "termination_reason": "Chuyển nơi ở",
                       "taxes_settled": "Đã hoàn thành nghĩa vụ thuế"},
        },
        "promotion_notice": {
            "fields": {"trader_name": "Công ty TNHH Biển Xanh", "trader_tax_code": "0300588569",
                       "trader_address": "Số 1 Hùng Vương, phường Cẩm Thành", "programme_name": "Mừng Tết",
                       "area": "Phường Cẩm Thành", "start_date": start.isoformat(),
                       "end_date": (start + timedelta(days=20)).isoformat(), "goods": "Nước mắm",
                       "promotion_form": "Giảm giá", "total_value_vnd": 20000000},
        },
    }
    return {"procedure": procedure, "applicant": APPLICANT, "delivery": {"method": "post"}, **bodies[procedure]}


PROCEDURES = ("fishing_licence", "vessel_safety_certificate", "household_business_registration",
              "household_business_termination", "promotion_notice")
