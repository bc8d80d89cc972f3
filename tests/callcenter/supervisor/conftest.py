"""Supervisor pages: an https client (the console cookie is Secure) and logging in through the form."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from models.user import User
from tests.callcenter.reports.fixtures import PASSWORD, admin, make_user, operator, supervisor

__all__ = ["admin", "make_user", "operator", "supervisor"]

ConsoleLogin = Callable[[User], None]


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as c:
        yield c


@pytest.fixture
def console_login(client: TestClient) -> ConsoleLogin:
    def log_in(user: User) -> None:
        page = client.get("/console/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf, page.text
        response = client.post("/console/login", data={
            "username": user.username, "password": PASSWORD, "csrf_token": csrf.group(1), "next": "/console/queue",
        }, follow_redirects=False)
        assert response.status_code == 303, response.text

    return log_in
