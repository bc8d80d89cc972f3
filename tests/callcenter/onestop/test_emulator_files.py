"""The emulated desk takes documents as iGate does: uploaded first, named by id after."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.callcenter.onestop.conftest import application_body

UPLOAD = "/pa/file/--upload"


def _upload(emulator: TestClient, key: str, content: bytes):  # type: ignore[no-untyped-def]
    return emulator.post(UPLOAD, headers={"Idempotency-Key": key},
                         files={"file": ("gcn.jpg", content, "image/jpeg")})


def test_an_upload_retried_with_its_key_is_the_same_file(emulator: TestClient) -> None:
    first = _upload(emulator, "onestop:472915:1:file:7", b"\xff\xd8 photo")
    assert first.status_code == 201
    again = _upload(emulator, "onestop:472915:1:file:7", b"\xff\xd8 photo")
    assert again.status_code == 200 and again.json()["fileId"] == first.json()["fileId"]
    other = _upload(emulator, "onestop:472915:1:file:7", b"\xff\xd8 another photo")
    assert (other.status_code, other.json()["error"]) == (422, "idempotency_key_reused")
    assert emulator.post(UPLOAD, files={"file": ("a.jpg", b"x", "image/jpeg")}).status_code == 400


def test_the_dossier_names_its_files_and_lists_them(emulator: TestClient) -> None:
    file_id = _upload(emulator, "k1", b"%PDF-1.4 scan").json()["fileId"]
    body = application_body()
    body["attachments"] = [{"fileId": file_id, "name": "safety_certificate", "label": "Giấy chứng nhận"}]
    applied = emulator.post("/pa/dossier/--apply-online", json=body, headers={"Idempotency-Key": "a1"})
    assert applied.status_code == 201
    code = applied.json()["code"]
    assert applied.json()["attachments"][0]["fileId"] == file_id
    listed = emulator.get("/pa/dossier/--files", params={"code": code}).json()
    assert [f["fileId"] for f in listed] == [file_id]
    assert emulator.get(f"/pa/file/{file_id}").content == b"%PDF-1.4 scan"


def test_an_application_naming_an_unknown_file_is_refused(emulator: TestClient) -> None:
    body = application_body()
    body["attachments"] = [{"fileId": "nope", "name": "safety_certificate"}]
    refused = emulator.post("/pa/dossier/--apply-online", json=body, headers={"Idempotency-Key": "a2"})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "attachments.0.fileId", "message": "tệp đính kèm chưa được tải lên"}]
