"""The console's https client and users (its cookie is Secure), for pages behind a login."""

from tests.callcenter.console.conftest import client, make_user

__all__ = ["client", "make_user"]
