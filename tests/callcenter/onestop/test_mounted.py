"""The hotline serves the emulator itself until a real one-stop system is configured."""

from __future__ import annotations

from fastapi.testclient import TestClient

from callcenter.app import create_app
from ivr.settings import Settings
from tests.callcenter.onestop.conftest import application_body


def test_without_onestop_base_url_the_emulator_answers_under_the_hotline(
    client: TestClient, settings: Settings
) -> None:
    assert settings.onestop_url == "https://hotline.example.vn/onestop-emulator"
    response = client.post(
        "/onestop-emulator/pa/dossier/--apply-online", json=application_body(), headers={"Idempotency-Key": "k"}
    )
    assert response.status_code == 201, response.text
    code = response.json()["code"]
    found = client.get("/onestop-emulator/pa/dossier/--by-code", params={"code": code})
    assert found.json()["dossierStatus"]["code"] == "received"


def test_with_a_real_onestop_system_no_emulator_is_served(settings: Settings) -> None:
    real = settings.model_copy(update={"onestop_base_url": "https://dvc.quangngai.example.vn/api"})
    with TestClient(create_app(real)) as client:
        response = client.post("/onestop-emulator/pa/dossier/--apply-online", json=application_body())
        assert response.status_code == 404
