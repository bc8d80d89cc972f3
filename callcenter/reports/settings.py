"""Where the reports read their data tables from (environment, or `.env`)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_IMPACT_FILE = Path(__file__).resolve().parent / "impact.toml"


class ReportsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Per-commune cost and travel time of a trip to the provincial centre.
    reports_impact_file: Path = DEFAULT_IMPACT_FILE
