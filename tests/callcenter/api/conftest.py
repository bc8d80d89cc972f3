"""Users and logins for the API tests, from the shared supervisor-side fixtures.

Argon2 is slow on purpose: create few users. `PASSWORD`, `Login` and `MakeUser` are re-exported
for the test modules here that import them from this conftest.
"""

from fastapi.testclient import TestClient

from tests.callcenter.reports.fixtures import (
    PASSWORD,
    Login,
    MakeUser,
    login,
    make_user,
    operator,
    supervisor,
)

__all__ = ["PASSWORD", "Login", "MakeUser", "login", "make_user", "operator", "supervisor"]


def listed(client: TestClient, path: str, key: str, headers: dict[str, str], /, **params: str) -> list[str]:
    """The `key` of each item on the first page a list endpoint returns, in its order."""
    response = client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item[key] for item in response.json()["items"]]
