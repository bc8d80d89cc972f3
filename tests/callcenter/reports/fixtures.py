"""Users and logins, shared by the API and supervisor-side test folders (import into a conftest)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from callcenter.users.service import create_user
from models.user import User

PASSWORD = "mat-khau-du-dai-123"

MakeUser = Callable[..., User]
Login = Callable[[User], dict[str, str]]


@pytest.fixture
def make_user(db: Session) -> MakeUser:
    def make(username: str, role: str, **kwargs: object) -> User:
        user = create_user(db, username=username, password=PASSWORD, role=role, **kwargs)  # type: ignore[arg-type]
        db.commit()
        return user

    return make


@pytest.fixture
def login(client: TestClient) -> Login:
    def headers(user: User) -> dict[str, str]:
        response = client.post("/api/v1/auth/token", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return headers


@pytest.fixture
def operator(make_user: MakeUser) -> User:
    return make_user("vana", "operator", full_name="Nguyễn Văn A")


@pytest.fixture
def supervisor(make_user: MakeUser) -> User:
    return make_user("thib", "supervisor", full_name="Trần Thị B")


@pytest.fixture
def admin(make_user: MakeUser) -> User:
    return make_user("quantri", "admin", full_name="Lê Quản Trị")
