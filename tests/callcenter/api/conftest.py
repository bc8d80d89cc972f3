"""Users and logins for the API tests, from the shared supervisor-side fixtures.

Argon2 is slow on purpose: create few users. `PASSWORD`, `Login` and `MakeUser` are re-exported
for the test modules here that import them from this conftest.
"""

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

