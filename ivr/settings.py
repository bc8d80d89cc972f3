"""Settings the hotline itself needs (contract section 1); the console extends them."""

from __future__ import annotations

import warnings
from datetime import time
from functools import lru_cache

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class InsecureSettingWarning(UserWarning):
    pass


class HotlineSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite:///./var/tongdai.db"
    # Twilio signs the URL it was given, not the one a proxy forwards to us: signatures
    # are checked against this base, never against the Host header.
    public_base_url: str = "http://127.0.0.1:8000"
    twilio_auth_token: str | None = None
    twilio_validate: bool = True
    twilio_account_sid: str | None = None
    twilio_from_number: str | None = None
    # Twilio's REST API; overridable so tests can point it at a fake at the HTTP layer.
    twilio_api_base_url: str = "https://api.twilio.com"
    hotline_province: str = "QNg"
    hotline_number: str = "+842553818558"
    # How the number is printed for people (the guide, SMS replies); dialled as hotline_number.
    hotline_display: str = "(0255) 3 818 558"

    # Opening hours of the operators, in the centre's time zone. Holidays come from the
    # `holidays` package (VN); `hotline_force` is the emergency override (open/closed).
    timezone: str = "Asia/Ho_Chi_Minh"
    opening_days: str = "mon,tue,wed,thu,fri"
    opening_time: time = time(7, 30)
    closing_time: time = time(17, 0)
    hotline_force: str | None = Field(default=None, pattern="^(open|closed)$")
    operator_queue: str = "operators"
    # Twilio's own voices do not speak Vietnamese; Google's vi-VN voices do.
    tts_voice: str = "Google.vi-VN-Standard-A"

    # Caller pace: older callers on weak signals need time; three misses go to a person.
    gather_timeout_s: int = 8
    max_misses: int = 3
    max_steps: int = 60
    max_call_s: int = 1800

    # `POST /twilio/bench/bare` for `make bench` to compare against; off in production.
    bench_endpoint: bool = False

    @model_validator(mode="after")
    def _require_token(self) -> HotlineSettings:
        if self.twilio_validate and not self.twilio_auth_token:
            raise ValueError(
                "TWILIO_AUTH_TOKEN is required to check Twilio signatures. "
                "Set it, or set TWILIO_VALIDATE=false for a local demo only."
            )
        if not self.twilio_validate:
            warnings.warn(
                "TWILIO_VALIDATE=false: webhooks are NOT checked for Twilio's signature. "
                "Anyone who can reach this server can place fake calls. Never in production.",
                InsecureSettingWarning,
                stacklevel=2,
            )
        self.public_base_url = self.public_base_url.rstrip("/")
        return self

    @property
    def twilio_sending_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_from_number)


@lru_cache
def get_hotline_settings() -> HotlineSettings:
    return HotlineSettings()
