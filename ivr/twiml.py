"""Turning a step into TwiML with the official `twilio` library."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from twilio.twiml.voice_response import Gather, VoiceResponse

from ivr.flow.state import Say, Step
from ivr.prompts import Catalogue
from ivr.settings import HotlineSettings
from ivr.speech import prompt_values

STEP_PATH = "/twilio/voice/step/{turn}"
RECORDED_PATH = "/twilio/voice/recorded"


@dataclass(frozen=True)
class _Voice:
    """What a rendering depends on besides the step: fixed for a running server."""

    base_url: str
    language: str
    tts_voice: str
    gather_timeout_s: int
    operator_queue: str


# ("play", url) or ("say", text): one thing the caller hears, its words already filled in.
_Utterance = tuple[str, str]


@dataclass(frozen=True)
class _Plan:
    """A step's TwiML without its turn number: what the cache is keyed on."""

    voice: _Voice
    before: tuple[_Utterance, ...]  # heard in full (the legal notice), outside any gather
    menu_digits: int | None  # a gather: 1 for a menu, max digits + 1 for an entry
    menu_kind: str | None
    inside: tuple[_Utterance, ...]
    end: str | None  # hangup, enqueue, record (no gather)
    closing: tuple[_Utterance, ...] = ()  # after a recording


def _utterance(prompt: str, values: dict[str, str], catalogue: Catalogue, voice: _Voice) -> _Utterance:
    audio = catalogue.audio.get(prompt)
    if audio:
        return ("play", f"{voice.base_url}/voice-prompts/{voice.language[:2]}/{audio}")
    return ("say", catalogue.text(prompt).format(**values))


def _speak(parent: VoiceResponse | Gather, utterance: _Utterance, voice: _Voice) -> None:
    kind, content = utterance
    if kind == "play":
        parent.play(content)
    else:
        parent.say(content, language=voice.language, voice=voice.tts_voice)


def _voice(catalogue: Catalogue, settings: HotlineSettings) -> _Voice:
    return _Voice(settings.public_base_url, catalogue.language, settings.tts_voice, settings.gather_timeout_s,
                  settings.operator_queue)


def _say(parent: VoiceResponse | Gather, prompt: str, values: dict[str, str], catalogue: Catalogue,
         settings: HotlineSettings) -> None:
    voice = _voice(catalogue, settings)
    _speak(parent, _utterance(prompt, values, catalogue, voice), voice)


def render_step(step: Step, *, turn: int, catalogue: Catalogue, settings: HotlineSettings) -> str:
    """`turn` is the number the next webhook of this call will carry in its URL."""
    voice = _voice(catalogue, settings)
    values = prompt_values(step.state.to_json(), catalogue)
    says = list(step.says)
    # The legal notice (barge_in = false) is heard in full; everything after it can be
    # interrupted by a key, so regular callers are not held up.
    before: list[_Utterance] = []
    while says and not says[0].barge_in:
        before.append(_utterance(says.pop(0).prompt, values, catalogue, voice))
    inside = tuple(_utterance(say.prompt, values, catalogue, voice) for say in says)
    if step.wait is not None:
        digits = 1 if step.wait.kind == "menu" else step.wait.max_digits + 1  # room for a stray key
        plan = _Plan(voice, tuple(before), digits, step.wait.kind, inside, None)
    else:
        end = step.end.kind if step.end is not None else "hangup"
        closing = (_utterance("callback_thanks", values, catalogue, voice),) if end == "record" else ()
        plan = _Plan(voice, tuple(before), None, None, inside, end, closing)
    return _render_plan(plan).replace(_MARKED_ACTION, STEP_PATH.format(turn=turn))


# The turn number differs on every step, the rest repeats: the cached TwiML carries this
# step URL, whose turn is filled in per call.
_MARKED_ACTION = STEP_PATH.format(turn="turn-mark")


@lru_cache(maxsize=4096)
def _render_plan(plan: _Plan) -> str:
    """The library's TwiML for a plan. Cached: serialising the XML tree was a fifth of a step's cost."""
    voice = plan.voice
    response = VoiceResponse()
    for utterance in plan.before:
        _speak(response, utterance, voice)
    action = _MARKED_ACTION
    if plan.menu_digits is not None:
        gather_args: dict[str, object] = {
            "input": "dtmf",
            "action": action,
            "method": "POST",
            "timeout": voice.gather_timeout_s,
            "action_on_empty_result": False,
            "num_digits": plan.menu_digits,
        }
        if plan.menu_kind != "menu":
            gather_args["finish_on_key"] = "#"
        gather = Gather(**gather_args)
        for utterance in plan.inside:
            _speak(gather, utterance, voice)
        response.append(gather)
        # Twilio falls through to the next verb when the caller presses nothing.
        response.redirect(action + "?timeout=1", method="POST")
        return str(response)
    for utterance in plan.inside:
        _speak(response, utterance, voice)
    if plan.end == "enqueue":
        response.enqueue(voice.operator_queue)
    elif plan.end == "record":
        response.record(action=RECORDED_PATH, method="POST", max_length=90, play_beep=True,
                        finish_on_key="#", timeout=5)
        for utterance in plan.closing:
            _speak(response, utterance, voice)
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
