"""Database models, one module per aggregate. Imports neither `ivr` nor `callcenter`."""

from models.audit import AuditEntry
from models.base import Base
from models.call import Call, CallEvent, WebhookClaim
from models.callback import CallbackAttempt as CallbackAttempt
from models.callback import CallbackRequest as CallbackRequest
from models.dossier import Dossier, DossierEvent
from models.message import Message
from models.onestop_emulator import OneStopEmuDossier as OneStopEmuDossier
from models.operator import OperatorPresence as OperatorPresence
from models.outbox import OutboxEntry
from models.queue import QueueEntry as QueueEntry
from models.user import User
from models.vessel import Vessel

__all__ = [
    "AuditEntry", "Base", "Call", "CallEvent", "Dossier", "DossierEvent", "Message", "OutboxEntry",
    "User", "Vessel", "WebhookClaim",
]
