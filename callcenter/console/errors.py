"""What the console raises to show a page instead of JSON: an error page or the login."""

from __future__ import annotations


class ConsoleError(Exception):
    """Rendered as a Vietnamese error page with this status."""

    def __init__(self, status_code: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.title = title
        self.message = message


class LoginRequired(Exception):
    """Redirect to the login page, coming back to `next_path` afterwards."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path
