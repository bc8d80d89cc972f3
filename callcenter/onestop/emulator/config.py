"""How the emulator behaves: its agency code, its pace, its post office."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EmulatorSettings(BaseSettings):
    """`ONESTOP_EMULATOR_*` environment variables (or `.env`)."""

    model_config = SettingsConfigDict(
        env_prefix="ONESTOP_EMULATOR_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # The receiving agency's part of every dossier code: `000.00.53.H48` is the
    # Public Administration Service Center of Quảng Ngãi (H48).
    agency_code: str = "000.00.53.H48"
    timezone: str = "Asia/Ho_Chi_Minh"
    # Emulated time per step (received → being processed → result ready → returned →
    # delivered). A minute lets a demo show every step; tests use a ManualClock.
    step_seconds: float = 60.0
    # UPU S10 service indicator of the results' parcels (E… = EMS).
    postal_service: str = "EB"
    # The token callers must present, read from ONESTOP_API_KEY like the hotline's side.
    # Only the standalone command uses it; mounted in-process, the app passes its own.
    api_key: str | None = Field(default=None, validation_alias="ONESTOP_API_KEY")
