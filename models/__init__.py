"""Database models, one module per aggregate. Imports neither `ivr` nor `callcenter`."""

from models.attachment import Attachment as Attachment
from models.audit import AuditEntry
from models.base import Base
from models.call import Call, CallEvent, WebhookClaim
from models.callback import CallbackAttempt as CallbackAttempt
from models.callback import CallbackRequest as CallbackRequest
from models.dossier import Dossier, DossierEvent
from models.login_throttle import LoginThrottle as LoginThrottle
from models.message import Message
from models.onestop_emulator import OneStopEmuDossier as OneStopEmuDossier
from models.onestop_emulator import OneStopEmuFile as OneStopEmuFile
from models.operator import OperatorPresence as OperatorPresence
from models.otp import OneTimeCode as OneTimeCode
from models.outbox import OutboxEntry
from models.queue import QueueEntry as QueueEntry
from models.rate_limit import RateLimitCounter as RateLimitCounter
from models.user import User
from models.vessel import Vessel

__all__ = [
    "AuditEntry", "Base", "Call", "CallEvent", "Dossier", "DossierEvent", "Message", "OutboxEntry",
    "User", "Vessel", "WebhookClaim",
]
