"""The service's one settings object (contract section 1), read from the environment or `.env`.

Every part of the service — the hotline, the console, the outbox worker, the one-stop
emulator, the command line — reads this one object. Sections group the settings of
one part; their environment names keep the section as a prefix (`OUTBOX_MAX_ATTEMPTS`
is `settings.outbox.max_attempts`). Reading the settings never fails for want of a
secret: what a server needs before it may start is checked by `check_can_serve`, so
`tongdai db upgrade` runs without Twilio credentials.
"""

from __future__ import annotations

import secrets
import warnings
from datetime import time
from functools import lru_cache
from pathlib import Path

from limits import parse_many
from pydantic import BaseModel, Field, PrivateAttr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

IMPACT_FILE = Path(__file__).resolve().parent.parent / "callcenter" / "reports" / "impact.toml"
MIN_SECRET_BYTES = 32


class InsecureSettingWarning(UserWarning):
    pass


class OneStopNotConfigured(RuntimeError):
    """No one-stop system to talk to: neither ONESTOP_BASE_URL nor a started emulator."""


class SettingsRefused(ValueError):
    """The settings do not allow a server to start; the message says what to set."""


class OutboxConfig(BaseModel):
    """`OUTBOX_*`: deliveries to the one-stop system and Twilio, retried with backoff."""

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


class DossierChoresConfig(BaseModel):
    """`DOSSIER_*`: how often idle claims are released (after `CLAIM_IDLE`, a rule of the
    dossiers service) and one-stop statuses polled."""

    status_poll_s: float = Field(default=60.0, gt=0)
    poll_batch: int = Field(default=200, ge=1)


class EmulatorConfig(BaseModel):
    """`ONESTOP_EMULATOR_*`: how the built-in one-stop emulator behaves."""

    # The receiving agency's part of every dossier code: `000.00.53.H48` is the
    # Public Administration Service Center of Quảng Ngãi (H48).
    agency_code: str = "000.00.53.H48"
    timezone: str = "Asia/Ho_Chi_Minh"
    # Emulated time per step (received → being processed → result ready → returned →
    # delivered). A minute lets a demo show every step; tests use a ManualClock.
    step_seconds: float = 60.0
    # UPU S10 service indicator of the results' parcels (E… = EMS).
    postal_service: str = "EB"


class RetentionPolicy(BaseModel):
    """`RETENTION_*`: the personal-data retention policy; the province sets the days."""

    # Call recordings (call-back messages) are removed this many days after the call: the
    # links here, and the audio at Twilio through the outbox.
    recording_days: int = Field(default=90, ge=1)
    # Caller numbers of old calls, and the applicant's data on dossiers closed this long
    # ago, are masked. Closed: the result delivered, the dossier cancelled or rejected.
    personal_days: int = Field(default=365, ge=1)


class ReportsConfig(BaseModel):
    """`REPORTS_*`: the data tables the reports read."""

    # Per-commune cost and travel time of a trip to the provincial centre.
    impact_file: Path = IMPACT_FILE


class LoginConfig(BaseModel):
    """`LOGIN_*`: what stands before a password check (console and API alike).

    Rates are in the `limits` notation (`30/minute;300/hour`), counted in the shared
    rate-limit storage and answered `429` before any password is hashed.
    """

    # Every try from one client address (an office behind one address logs in together
    # in the morning: leave room for that).
    per_address: str = "30/minute;300/hour"
    # Every try at one username from anywhere: a spread-out guesser is slowed too.
    per_username: str = "10/minute"
    # Wrong passwords in a row from one address at one username before it must wait;
    # then 1 s, doubling with each further failure, up to the cap. Other addresses are
    # never slowed by it, so nobody can lock another person out.
    free_failures: int = Field(default=3, ge=0)
    delay_base_s: float = Field(default=1.0, gt=0)
    delay_cap_s: float = Field(default=300.0, gt=0)
    # A run of failures with no new one for this long is forgotten.
    forget_after_h: float = Field(default=24.0, gt=0)
    # Password hashes computed at once (each takes a core and 64 MB for ~50 ms), and
    # how many logins may wait for one before the rest are told to come back (429).
    concurrent_hashes: int = Field(default=2, ge=1)
    max_waiting: int = Field(default=32, ge=0)

    # Tries at an operator's phone PIN (the registered phone's number is the key: a forged
    # caller ID calling again does not start over); refused before any hash once over it.
    pin_per_phone: str = "5/15 minutes;20/day"

    @field_validator("per_address", "per_username", "pin_per_phone")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        parse_many(value)  # ValueError names the text
        return value


class CallbacksConfig(BaseModel):
    """`CALLBACKS_*`: the promise "an operator will call you back", and keeping it."""

    # Unanswered call-backs after which a caller's request may leave the operators' list
    # as unreachable (it does so by itself when the last of them goes unanswered).
    max_attempts: int = Field(default=3, ge=1)
    # Told to a caller inside opening hours: "trong vòng N giờ làm việc". Outside them the
    # caller hears the next working day's opening hour instead.
    promise_hours: int = Field(default=4, ge=1)


class MobileConfig(BaseModel):
    """`MOBILE_*`: one-time codes and citizens' sessions of the mobile site (/m) and its
    public API (/api/v1/public)."""

    otp_ttl_s: int = Field(default=300, ge=30)  # a code is good for 5 minutes
    otp_max_tries: int = Field(default=5, ge=1)  # wrong guesses before a code is dead
    # Limits in the `limits` notation, shared by every worker: codes sent to one phone,
    # code requests from one client address, code checks from one address.
    otp_per_phone: str = "3/15 minutes"
    otp_per_address: str = "20/hour"
    session_tries_per_address: str = "30/hour"
    dossiers_per_phone: str = "10/hour"  # dossiers one verified phone may file
    session_minutes: int = Field(default=120, ge=5)  # how long a verified phone stays signed in


class AttachmentsConfig(BaseModel):
    """`ATTACHMENTS_*`: documents citizens attach (photos, PDFs), kept outside the database."""

    # A folder every worker shares (relative to the working directory, or absolute, or
    # `file:///…`), or an S3-compatible bucket:
    # `s3://BUCKET[/PREFIX][?endpoint=http://minio:9000][&region=NAME]`, its credentials
    # from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (never in the URL). Start-up checks the
    # bucket answers (callcenter/attachments/s3.py).
    store_url: str = "var/attachments"
    # One upload, before re-encoding; the upload route lets no body past 64 MB whatever this says.
    max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=63 * 1024 * 1024)
    max_per_dossier: int = Field(default=12, ge=1)
    # Photos are scaled down to this many pixels on their long side when re-encoded.
    max_side_px: int = Field(default=2400, ge=320)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore",
        env_nested_delimiter="_", env_nested_max_split=1,
    )

    database_url: str = "sqlite:///./var/tongdai.db"
    # The longest a request waits for the database (a connection, a lock, a statement):
    # Twilio gives a webhook 15 s, so a frozen database ends in an apology, not silence.
    database_timeout_s: float = Field(default=10.0, gt=0)
    # Twilio signs the URL it was given, not the one a proxy forwards to us: signatures
    # are checked against this base, never against the Host header.
    public_base_url: str = "http://127.0.0.1:8000"
    # A laptop demo (`make run`): a missing SECRET_KEY is replaced by a random one, and
    # one-time codes that cannot be texted are written to the log. Never in production.
    demo_mode: bool = False
    # Signs console sessions, API tokens and CSRF tokens; the same on every worker.
    secret_key: str = ""
    access_token_minutes: int = 8 * 60
    log_json: bool = True
    run_worker_in_app: bool = True

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

    # Unset: each process that talks to the one-stop system starts the built-in emulator
    # on a loopback port of its own, behind ONESTOP_API_KEY or a random key.
    onestop_base_url: str | None = None
    onestop_api_key: str | None = None
    _emulator: tuple[str, str] | None = PrivateAttr(default=None)  # (url, key) once started

    # --- Shared rate limits ---------------------------------------------------------------
    # Where the rate-limit counters live, shared by every worker: `database://` (this
    # service's database) or Redis (`redis://127.0.0.1:6379/0`). Never in-process.
    rate_limit_storage_url: str = "database://"
    login: LoginConfig = LoginConfig()

    # --- Live calls: callers waiting, operators answering (contract section 8) -----------
    # The queue's name is `operator_queue` above. A caller waits at most MAX_QUEUE_WAIT_S
    # before being offered a call-back instead; SERVICE_LEVEL_S is the supervisors' yardstick
    # (answered within it ÷ offered); an operator stays in wrap-up at most WRAP_UP_S after a
    # call. The browser softphone needs an API key and secret (Twilio console → API keys)
    # and the SID of the TwiML App whose voice URL is /twilio/voice/operator.
    max_queue_wait_s: int = Field(default=300, ge=30)
    service_level_s: int = Field(default=20, ge=1)
    wrap_up_s: int = Field(default=60, ge=0)
    twilio_api_key: str | None = None
    twilio_api_secret: str | None = None
    twilio_twiml_app_sid: str | None = None
    # --- end of live calls -------------------------------------------------------------

    outbox: OutboxConfig = OutboxConfig()
    dossier: DossierChoresConfig = DossierChoresConfig()
    onestop_emulator: EmulatorConfig = EmulatorConfig()
    retention: RetentionPolicy = RetentionPolicy()
    reports: ReportsConfig = ReportsConfig()
    # The smartphone channel: MOBILE_*, ATTACHMENTS_*.
    mobile: MobileConfig = MobileConfig()
    attachments: AttachmentsConfig = AttachmentsConfig()
    callbacks: CallbacksConfig = CallbacksConfig()

    @model_validator(mode="after")
    def _normalise(self) -> Settings:
        self.public_base_url = self.public_base_url.rstrip("/")
        if self.secret_key in ("changethis", "secret"):
            raise ValueError("SECRET_KEY must not be a well-known default")
        return self

    def check_can_serve(self) -> None:
        """Raise `SettingsRefused`, saying what to set, when a server must not start on
        these settings; warn loudly about what only a demo may do."""
        if self.twilio_validate and not self.twilio_auth_token:
            raise SettingsRefused(
                "TWILIO_AUTH_TOKEN is required to check Twilio signatures. "
                "Set it, or set TWILIO_VALIDATE=false for a local demo only."
            )
        if not self.twilio_validate:
            warnings.warn(
                "TWILIO_VALIDATE=false: webhooks are NOT checked for Twilio's signature. "
                "Anyone who can reach this server can place fake calls. Never in production.",
                InsecureSettingWarning, stacklevel=2,
            )
        if len(self.secret_key.encode()) < MIN_SECRET_BYTES:
            if not self.demo_mode:
                raise SettingsRefused(
                    f"SECRET_KEY must be set to at least {MIN_SECRET_BYTES} random bytes, the same on every "
                    "worker and host (it signs sessions and tokens). `make run` writes one to .env; "
                    "for a throwaway demo set DEMO_MODE=true instead."
                )
            warnings.warn(
                "DEMO_MODE: SECRET_KEY is missing or short, so this process signs with a random key of "
                "its own; sessions end at restart and other workers will not accept them.",
                InsecureSettingWarning, stacklevel=2,
            )
            self.secret_key = secrets.token_urlsafe(MIN_SECRET_BYTES)

    def use_emulator(self, url: str, api_key: str) -> None:
        """Point this process's one-stop client at the built-in emulator it started
        (callcenter/onestop/emulator/loopback.py); only while ONESTOP_BASE_URL is unset."""
        self._emulator = (url.rstrip("/"), api_key)

    @property
    def onestop_url(self) -> str:
        """Where the one-stop system answers: ONESTOP_BASE_URL, or this process's emulator."""
        if self.onestop_base_url:
            return self.onestop_base_url.rstrip("/")
        if self._emulator is None:
            raise OneStopNotConfigured(
                "ONESTOP_BASE_URL is not set and this process has not started the built-in emulator"
            )
        return self._emulator[0]

    @property
    def onestop_key(self) -> str | None:
        """The bearer key for `onestop_url`: ONESTOP_API_KEY, or the emulator's."""
        if self.onestop_base_url or self._emulator is None:
            return self.onestop_api_key
        return self._emulator[1]

    @property
    def twilio_sending_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_from_number)

    @property
    def twilio_api_enabled(self) -> bool:
        """Twilio's REST API answers us (deleting recordings); sending SMS also needs a number."""
        return bool(self.twilio_account_sid and self.twilio_auth_token)


@lru_cache
def get_settings() -> Settings:
    """The settings of this process, read once (the command line's; the app is given its own)."""
    return Settings()
