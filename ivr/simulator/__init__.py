"""A phone in Twilio's role: signs webhooks, reads TwiML, follows actions and redirects.

Used by `tongdai call`, by tests and by the benchmark; see docs/phone-simulator.md.
"""

from ivr.simulator.call import (
    ENDING_LABELS,
    MAX_STEPS,
    QUEUE_ROUND_S,
    Heard,
    InvalidKeys,
    Keypad,
    ScriptedKeypad,
    SimulatedCall,
    Turn,
    check_keys,
    press,
)
from ivr.simulator.drivers import run_call, run_call_async
from ivr.simulator.signing import CallIdentity, WebhookRequest, new_sid, signed_request
from ivr.simulator.twiml import Gather, InvalidTwiML, parse_twiml

__all__ = [
    "ENDING_LABELS",
    "MAX_STEPS",
    "QUEUE_ROUND_S",
    "CallIdentity",
    "Gather",
    "Heard",
    "InvalidKeys",
    "InvalidTwiML",
    "Keypad",
    "ScriptedKeypad",
    "SimulatedCall",
    "Turn",
    "WebhookRequest",
    "check_keys",
    "new_sid",
    "parse_twiml",
    "press",
    "run_call",
    "run_call_async",
    "signed_request",
]
