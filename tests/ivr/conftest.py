from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from models.vessel import Vessel


@pytest.fixture
def registry(db: Session) -> list[Vessel]:
    vessels = [
        Vessel(registration_number="QNg-90567-TS", province_symbol="QNg", digits="90567",
               vessel_name="QNg 90567", owner_name="Nguyễn Văn Tàu", owner_phone="+84905123456",
               commune="Bình Châu", province="Quảng Ngãi", length_m=Decimal("16.50")),
        Vessel(registration_number="QNg-96169-TS", province_symbol="QNg", digits="96169",
               vessel_name="QNg 96169", owner_name="Trần Thị Biển", owner_phone="+84905000222",
               commune="An Vĩnh", province="Quảng Ngãi", length_m=Decimal("12.00")),
    ]
    db.add_all(vessels)
    db.commit()
    return vessels
