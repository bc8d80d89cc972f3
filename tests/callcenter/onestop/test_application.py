"""Our dossier turned into the one-stop application an operator submits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from callcenter.onestop.application import IncompleteDossier, build_application
from models.dossier import Dossier
from models.vessel import Vessel


def vessel() -> Vessel:
    return Vessel(
        registration_number="QNg-90567-TS", province_symbol="QNg", digits="90567",
        vessel_name="Tâm Phúc 01", owner_name="Nguyễn Văn Tám", owner_phone="+84905123456",
        length_m=Decimal("16.50"), main_gear="lưới vây",
    )


def complete_dossier(**overrides: object) -> Dossier:
    values: dict[str, object] = {
        "reference": "472915", "procedure": "fishing_licence", "variant": "reissue", "channel": "ivr",
        "status": "in_progress", "vessel_registration": "QNg-90567-TS", "vessel_verified": True,
        "applicant_name": "Nguyễn Văn Tám", "applicant_phone": "+84905123456",
        "applicant_id_number": "051070001234",
        "applicant_address": {"line": "Thôn An Hải", "commune": "Đặc khu Lý Sơn", "province": "Quảng Ngãi"},
        "fields": {"licence_number": "QNg-2024-00123", "reason": "Giấy phép bị rách"},
        "delivery": {"method": "post", "address": None},
    }
    values.update(overrides)
    return Dossier(**values)


def test_a_complete_dossier_becomes_an_igate_application() -> None:
    application = build_application(complete_dossier(), vessel())
    body = application.model_dump(mode="json", by_alias=True)
    assert body["procedure"] == {"code": "QNG-TS-GPKT-CL", "name": "Cấp lại giấy phép khai thác thủy sản"}
    assert body["applicant"] == {
        "fullname": "Nguyễn Văn Tám",
        "birthday": None,
        "identityNumber": "051070001234",
        "phoneNumber": "0905123456",
        "address": "Thôn An Hải",
        "village": {"label": "Đặc khu Lý Sơn", "value": None},
        "district": None,
        "province": {"label": "Quảng Ngãi", "value": "51"},
    }
    assert body["eForm"]["data"] == {
        "registrationNumber": "QNg-90567-TS", "vesselName": "Tâm Phúc 01", "ownerName": "Nguyễn Văn Tám",
        "lengthM": "16.50", "mainGear": "lưới vây", "licenceNumber": "QNg-2024-00123",
        "reason": "Giấy phép bị rách",
    }
    # No separate delivery address: the result goes to the applicant's home.
    assert body["resultDelivery"] == {
        "method": {"label": "Nhận kết quả qua bưu chính công ích", "value": "post"},
        "address": "Thôn An Hải, Đặc khu Lý Sơn, Quảng Ngãi",
    }
    assert body["externalCode"] == "472915"


def test_an_unverified_vessel_sends_only_the_number_the_caller_gave() -> None:
    application = build_application(complete_dossier(vessel_verified=False, fields={}), vessel())
    assert application.e_form.data == {"registrationNumber": "QNg-90567-TS"}


def test_an_incomplete_dossier_names_what_is_missing_by_our_api_paths() -> None:
    dossier = complete_dossier(
        variant=None, applicant_name=None, applicant_id_number="", applicant_address=None, delivery=None
    )
    with pytest.raises(IncompleteDossier) as caught:
        build_application(dossier, None)
    assert [path for path, _ in caught.value.errors] == [
        "variant", "applicant.name", "applicant.id_number", "delivery.address",
    ]


def test_pickup_at_the_counter_needs_no_address() -> None:
    dossier = complete_dossier(applicant_address=None, delivery={"method": "pickup"})
    application = build_application(dossier, vessel())
    assert application.result_delivery.method.value == "pickup"
    assert application.result_delivery.address is None
