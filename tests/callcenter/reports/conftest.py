from tests.callcenter.reports.fixtures import admin, login, make_user, operator, supervisor

__all__ = ["admin", "login", "make_user", "operator", "supervisor"]
