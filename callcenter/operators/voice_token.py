"""The browser softphone's Twilio Access Token (a VoiceGrant), minted for one operator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from ivr.queue.presence import identity_of
from ivr.settings import Settings
from models.user import User

# Short-lived: the console asks for a new one before this runs out.
TOKEN_TTL_S = 15 * 60
_NEEDED = (("TWILIO_ACCOUNT_SID", "twilio_account_sid"), ("TWILIO_API_KEY", "twilio_api_key"),
           ("TWILIO_API_SECRET", "twilio_api_secret"), ("TWILIO_TWIML_APP_SID", "twilio_twiml_app_sid"))


class SoftphoneNotConfigured(RuntimeError):
    """Its message is for the operator: the settings their administrator must set."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"Chưa cấu hình điện thoại trên trình duyệt: thiếu {', '.join(missing)}.")


@dataclass(frozen=True)
class VoiceToken:
    token: str
    identity: str
    expires_at: datetime


def missing_settings(settings: Settings) -> list[str]:
    return [env for env, attr in _NEEDED if not getattr(settings, attr)]


def mint_voice_token(*, settings: Settings, user: User, now: datetime) -> VoiceToken:
    missing = missing_settings(settings)
    if missing:
        raise SoftphoneNotConfigured(missing)
    identity = identity_of(user)
    token = AccessToken(settings.twilio_account_sid, settings.twilio_api_key, settings.twilio_api_secret,
                        identity=identity, ttl=TOKEN_TTL_S)
    token.add_grant(VoiceGrant(outgoing_application_sid=settings.twilio_twiml_app_sid, incoming_allow=True))
    jwt = token.to_jwt()
    return VoiceToken(token=jwt if isinstance(jwt, str) else jwt.decode(), identity=identity,
                      expires_at=now + timedelta(seconds=TOKEN_TTL_S))
