"""Outbox tuning, from the environment (`OUTBOX_…`), apart from the service settings."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class OutboxSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="OUTBOX_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # 12 attempts at 10 s doubling, capped at 10 min, wait at least 3,630 s in all: an
    # outage of the one-stop system or of Twilio for over an hour loses nothing.
    max_attempts: int = Field(default=12, ge=1)
    retry_base_s: float = Field(default=10.0, gt=0)
    retry_cap_s: float = Field(default=600.0, gt=0)
    # Up to this share is added at random, so entries that failed together do not all
    # come back in the same second.
    retry_jitter: float = Field(default=0.2, ge=0)
    # Longer than any delivery can take (the HTTP timeout is 15 s): a live worker never
    # loses its entry, a crashed one's entries are taken over after this.
    lease_s: float = Field(default=120.0, gt=0)
    batch_size: int = Field(default=20, ge=1)
    poll_s: float = Field(default=1.0, gt=0)
