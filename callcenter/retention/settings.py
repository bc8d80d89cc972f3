"""The retention policy, from the environment (or `.env`); the province sets the days."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RetentionPolicy(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Call recordings (call-back messages) are removed this many days after the call.
    retention_recording_days: int = Field(default=90, ge=1)
    # Caller numbers of old calls, and the applicant's data on dossiers closed this long
    # ago, are masked. Closed: the result delivered, the dossier cancelled or rejected.
    retention_personal_days: int = Field(default=365, ge=1)
