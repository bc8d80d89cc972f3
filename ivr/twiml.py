"""Turning a step into TwiML with the official `twilio` library."""

from __future__ import annotations

from twilio.twiml.voice_response import Gather, VoiceResponse

from ivr.flow.state import Say, Step
from ivr.prompts import Catalogue
from ivr.settings import HotlineSettings
from ivr.speech import prompt_values

STEP_PATH = "/twilio/voice/step/{turn}"
RECORDED_PATH = "/twilio/voice/recorded"


def _say(parent: VoiceResponse | Gather, prompt: str, values: dict[str, str], catalogue: Catalogue,
         settings: HotlineSettings) -> None:
    audio = catalogue.audio.get(prompt)
    if audio:
        parent.play(f"{settings.public_base_url}/voice-prompts/{catalogue.language[:2]}/{audio}")
        return
    text = catalogue.text(prompt).format(**values)
    parent.say(text, language=catalogue.language, voice=settings.tts_voice)


def render_step(step: Step, *, turn: int, catalogue: Catalogue, settings: HotlineSettings) -> str:
    """`turn` is the number the next webhook of this call will carry in its URL."""
    values = prompt_values(step.state.to_json(), catalogue)
    response = VoiceResponse()
    says = list(step.says)
    # The legal notice (barge_in = false) is heard in full; everything after it can be
    # interrupted by a key, so regular callers are not held up.
    while says and not says[0].barge_in:
        _say(response, says.pop(0).prompt, values, catalogue, settings)
    action = STEP_PATH.format(turn=turn)
    if step.wait is not None:
        gather_args: dict[str, object] = {
            "input": "dtmf",
            "action": action,
            "method": "POST",
            "timeout": settings.gather_timeout_s,
            "action_on_empty_result": False,
        }
        if step.wait.kind == "menu":
            gather_args["num_digits"] = 1
        else:
            gather_args["finish_on_key"] = "#"
            gather_args["num_digits"] = step.wait.max_digits + 1  # room for a stray key, judged by us
        gather = Gather(**gather_args)
        for say in says:
            _say(gather, say.prompt, values, catalogue, settings)
        response.append(gather)
        # Twilio falls through to the next verb when the caller presses nothing.
        response.redirect(action + "?timeout=1", method="POST")
        return str(response)
    for say in says:
        _say(response, say.prompt, values, catalogue, settings)
    if step.end is not None and step.end.kind == "enqueue":
        response.enqueue(settings.operator_queue)
    elif step.end is not None and step.end.kind == "record":
        response.record(action=RECORDED_PATH, method="POST", max_length=90, play_beep=True,
                        finish_on_key="#", timeout=5)
        _say(response, "callback_thanks", values, catalogue, settings)
        response.hangup()
    else:
        response.hangup()
    return str(response)


def render_fault(catalogue: Catalogue, settings: HotlineSettings, *, open_now: bool) -> str:
    """An apology and a person, whatever went wrong inside."""
    response = VoiceResponse()
    _say(response, "apology", {}, catalogue, settings)
    if open_now:
        _say(response, "operator_connecting", {}, catalogue, settings)
        response.enqueue(settings.operator_queue)
    else:
        _say(response, "callback_offer", {}, catalogue, settings)
        response.record(action=RECORDED_PATH, method="POST", max_length=90, play_beep=True,
                        finish_on_key="#", timeout=5)
        _say(response, "callback_thanks", {}, catalogue, settings)
        response.hangup()
    return str(response)


def render_says(prompts: list[Say], catalogue: Catalogue, settings: HotlineSettings, *, hangup: bool) -> str:
    response = VoiceResponse()
    for say in prompts:
        _say(response, say.prompt, {}, catalogue, settings)
    if hangup:
        response.hangup()
    return str(response)
