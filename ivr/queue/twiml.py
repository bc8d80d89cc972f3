"""The queue's TwiML, built with the official `twilio` library: what a waiting caller hears,
the hand-over to an operator, and the operator's own leg."""

from __future__ import annotations

from datetime import datetime

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from ivr.hours import callback_promise
from ivr.prompts import Catalogue
from ivr.queue.music import MUSIC_PATH, recorded_music
from ivr.settings import Settings

WAIT_PATH = "/twilio/voice/queue/wait"
DONE_PATH = "/twilio/voice/queue/done"
KEY_PATH = "/twilio/voice/queue/key"
BRIDGE_PATH = "/twilio/voice/queue/bridge"
OPERATOR_PATH = "/twilio/voice/operator"
OPERATOR_DONE_PATH = "/twilio/voice/operator/done"
OPERATOR_PIN_PATH = "/twilio/voice/operator/pin"
# The hotline's own first webhook, told the caller is not taking calls as an operator.
CITIZEN_PATH = "/twilio/voice?caller=1"
# How long an operator's leg waits on Twilio's queue for the caller it was given.
DIAL_TIMEOUT_S = 20
# How long an operator's leg with no caller for it is held (in 5 s steps) before hanging up.
OPERATOR_HOLD_S = 60
OPERATOR_HOLD_STEP_S = 5


def _say(parent: VoiceResponse | Gather, text: str, settings: Settings, catalogue: Catalogue) -> None:
    parent.say(text, language=catalogue.language, voice=settings.tts_voice)


def _prompt(parent: VoiceResponse | Gather, name: str, catalogue: Catalogue, settings: Settings,
            **values: str) -> None:
    url = catalogue.audio_url(name, settings.public_base_url)
    if url:  # a recorded prompt has no placeholders (the catalogue's loader refuses them)
        parent.play(url)
    else:
        _say(parent, catalogue.text(name).format(**values), settings, catalogue)


# The caller goes to the operators' queue with our wait URL and action (contract section 8).
ENQUEUE_ATTRIBUTES = {"action": DONE_PATH, "method": "POST", "wait_url": WAIT_PATH, "wait_url_method": "POST"}


def enqueue(response: VoiceResponse, settings: Settings) -> None:
    response.enqueue(settings.operator_queue, **ENQUEUE_ATTRIBUTES)


def music_url(settings: Settings, catalogue: Catalogue) -> str:
    recorded = recorded_music(catalogue.language[:2])
    if recorded:
        return f"{settings.public_base_url}/voice-prompts/{catalogue.language[:2]}/audio/{recorded}"
    return settings.public_base_url + MUSIC_PATH


def waiting(
    *, position: int | None, expected_s: int | None, first: bool, catalogue: Catalogue, settings: Settings,
) -> str:
    """One round of the wait: where the caller stands, the wait when it can be told, the
    offer of a call-back (key 1) — then music, during which a key still works."""
    response = VoiceResponse()
    gather = Gather(input="dtmf", num_digits=1, timeout=2, action=KEY_PATH, method="POST",
                    action_on_empty_result=False)
    if first:
        _prompt(gather, "queue_welcome", catalogue, settings)
    if position:
        _prompt(gather, "queue_position", catalogue, settings, position=str(position))
    if expected_s:
        minutes = str(max(1, round(expected_s / 60)))
        _prompt(gather, "queue_expected", catalogue, settings, wait_minutes=minutes)
    _prompt(gather, "queue_callback_offer", catalogue, settings)
    gather.play(music_url(settings, catalogue))
    response.append(gather)
    return str(response)


def wrong_key(catalogue: Catalogue, settings: Settings) -> str:
    response = VoiceResponse()
    _prompt(response, "queue_invalid_key", catalogue, settings)
    response.redirect(WAIT_PATH, method="POST")
    return str(response)


def leave() -> str:
    """Out of the queue: Twilio then requests the Enqueue action, which confirms the call-back."""
    response = VoiceResponse()
    response.leave()
    return str(response)


_NOTICES = {"queue_timeout": "queue_timeout_notice", "no_operator": "queue_no_operator_notice",
            "queue_full": "queue_full_notice", "fault": "apology"}


def callback_confirmed(*, reason: str, now: datetime, catalogue: Catalogue, settings: Settings) -> str:
    response = VoiceResponse()
    notice = _NOTICES.get(reason)
    if notice:
        _prompt(response, notice, catalogue, settings)
    # The same promise as at the end of a call and in the SMS (ivr.hours).
    when = callback_promise(now, settings).spoken
    _prompt(response, "queue_callback_confirm", catalogue, settings, callback_when_spoken=when)
    response.hangup()
    return str(response)


def goodbye() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)


def connecting(operator_name: str, catalogue: Catalogue, settings: Settings) -> str:
    """The Queue url on the caller's leg: who is about to answer (Play/Say/Pause/Redirect only)."""
    response = VoiceResponse()
    if operator_name:
        _prompt(response, "queue_connecting_named", catalogue, settings, operator_name=operator_name)
    else:
        _prompt(response, "queue_connecting", catalogue, settings)
    return str(response)


def dial_queue(settings: Settings) -> str:
    """The operator's leg takes the caller at the front of Twilio's queue."""
    response = VoiceResponse()
    dial = Dial(timeout=DIAL_TIMEOUT_S, action=OPERATOR_DONE_PATH, method="POST")
    dial.queue(settings.operator_queue, url=BRIDGE_PATH, method="POST")
    response.append(dial)
    return str(response)


def operator_hold(*, waited_s: int, catalogue: Catalogue, settings: Settings) -> str:
    """No caller for this operator yet: hold the leg a bounded time, asking again every few seconds."""
    response = VoiceResponse()
    if waited_s == 0:
        _prompt(response, "operator_waiting", catalogue, settings)
    response.pause(length=OPERATOR_HOLD_STEP_S)
    response.redirect(f"{OPERATOR_PATH}?waited={waited_s + OPERATOR_HOLD_STEP_S}", method="POST")
    return str(response)


def operator_says(prompts: tuple[str, ...], catalogue: Catalogue, settings: Settings) -> str:
    response = VoiceResponse()
    for name in prompts:
        _prompt(response, name, catalogue, settings)
    response.hangup()
    return str(response)


def operator_pin(catalogue: Catalogue, settings: Settings, *, wrong: bool = False, tries: int = 0) -> str:
    """The registered phone's PIN prompt; silence on the first try is a citizen: the IVR."""
    response = VoiceResponse()
    if wrong:
        _prompt(response, "operator_pin_wrong", catalogue, settings)
    gather = Gather(input="dtmf", finish_on_key="#", num_digits=9, timeout=6,
                    action=f"{OPERATOR_PIN_PATH}?tries={tries}", method="POST")
    _prompt(gather, "operator_pin", catalogue, settings)
    response.append(gather)
    response.redirect(f"{CITIZEN_PATH}" if tries == 0 else f"{OPERATOR_PIN_PATH}?tries={tries}&timeout=1",
                      method="POST")
    return str(response)
