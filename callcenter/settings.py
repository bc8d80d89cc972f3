"""All settings of the service: the hotline's plus the console's and the one-stop link."""

from __future__ import annotations

import secrets

from pydantic import model_validator

from ivr.settings import HotlineSettings


class Settings(HotlineSettings):
    # Unset: the built-in one-stop emulator is mounted in-process and used instead.
    onestop_base_url: str | None = None
    onestop_api_key: str | None = None
    # Signs console sessions and CSRF tokens. A random one per start is safe but logs
    # everybody out at restart, so production sets it.
    secret_key: str = ""
    access_token_minutes: int = 8 * 60
    run_worker_in_app: bool = True
    log_json: bool = True

    @model_validator(mode="after")
    def _secret(self) -> Settings:
        if self.secret_key in ("changethis", "secret"):
            raise ValueError("SECRET_KEY must not be a well-known default")
        if not self.secret_key:
            self.secret_key = secrets.token_urlsafe(32)
        return self

    @property
    def onestop_url(self) -> str:
        return (self.onestop_base_url or f"{self.public_base_url}/onestop-emulator").rstrip("/")
