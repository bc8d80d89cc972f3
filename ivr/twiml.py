"""Turning a step into TwiML with the official `twilio` library.

Barge-in: every prompt of a step is inside its `<Gather>`, so the caller's key stops it;
only a prompt the flow marks `barge_in = false` (the personal-data notice of a first
call) is played in full before the gather.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple
from xml.sax.saxutils import escape as xml_escape

from twilio.twiml.voice_response import Gather, VoiceResponse

from ivr.flow.state import Say, Step
from ivr.hours import callback_promise, opening_hours_text
from ivr.prompts import Catalogue
from ivr.queue import twiml as queue_twiml
from ivr.settings import Settings
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


class _Shape(NamedTuple):
    """What a step's TwiML depends on besides this call's words and turn."""

    says: tuple[tuple[str, bool], ...]  # (prompt, barge_in)
    wait_kind: str | None  # menu / digits; None: the step ends the call's IVR part
    max_digits: int
    end: str | None


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
    url = catalogue.audio_url(prompt, voice.base_url)
    if url:
        return ("play", url)
    return ("say", catalogue.text(prompt).format(**values))


def _speak(parent: VoiceResponse | Gather, utterance: _Utterance, voice: _Voice) -> None:
    kind, content = utterance
    if kind == "play":
        parent.play(content)
    else:
        parent.say(content, language=voice.language, voice=voice.tts_voice)


def _voice(catalogue: Catalogue, settings: Settings) -> _Voice:
    return _Voice(settings.public_base_url, catalogue.language, settings.tts_voice, settings.gather_timeout_s,
                  settings.operator_queue)


# Placeholders filled from the settings and the clock, not from the call's state.
_FROM_SETTINGS = frozenset({"opening_hours_spoken", "callback_when_spoken"})


def _setting_values(
    names: set[str] | tuple[str, ...], settings: Settings, now: datetime | None
) -> dict[str, str]:
    """The opening hours and the call-back promise, computed only when a prompt asks."""
    values: dict[str, str] = {}
    if "opening_hours_spoken" in names:
        values["opening_hours_spoken"] = opening_hours_text(settings)
    if "callback_when_spoken" in names:
        values["callback_when_spoken"] = callback_promise(now or datetime.now(UTC), settings).spoken
    return values


def _say(parent: VoiceResponse | Gather, prompt: str, values: dict[str, str], catalogue: Catalogue,
         settings: Settings, now: datetime | None = None) -> None:
    voice = _voice(catalogue, settings)
    wanted = catalogue.placeholders(prompt) & _FROM_SETTINGS
    full = {**values, **_setting_values(wanted, settings, now)} if wanted else values
    _speak(parent, _utterance(prompt, full, catalogue, voice), voice)


def spoken_text(prompt: str, step: Step, catalogue: Catalogue, settings: Settings, *,
                now: datetime | None = None) -> str:
    """What a caller hears of `prompt` in this step, its placeholders filled as the TwiML
    fills them (for measuring speech time; a recording is told by its text)."""
    names = catalogue.placeholders(prompt)
    values = prompt_values(step.state.to_json(), catalogue) if names - _FROM_SETTINGS else {}
    values.update(_setting_values(names, settings, now))
    return catalogue.text(prompt).format(**values)


def render_step(step: Step, *, turn: int, catalogue: Catalogue, settings: Settings,
                now: datetime | None = None) -> str:
    """`turn` is the number the next webhook of this call will carry in its URL; `now`
    (default: the clock) decides what the caller is told about the opening hours."""
    end = None if step.wait is not None else (step.end.kind if step.end is not None else "hangup")
    shape = _Shape(
        tuple((say.prompt, say.barge_in) for say in step.says),
        step.wait.kind if step.wait is not None else None,
        step.wait.max_digits if step.wait is not None else 0,
        end,
    )
    template, fields = _template(_voice(catalogue, settings), shape, catalogue)
    twiml = template.replace(_MARKED_ACTION, STEP_PATH.format(turn=turn))
    if fields:
        values = prompt_values(step.state.to_json(), catalogue)
        values.update(_setting_values(fields, settings, now))
        for name in fields:
            twiml = twiml.replace(_marker(name), xml_escape(values[name]))
    return twiml


# A step's TwiML depends on the menu it is at, which repeats on every call, and on a few
# words of this call (a vessel, an owner, a reference) and its turn number. The TwiML is
# built once per shape with markers where those go, and they are filled in per call.
_MARKED_ACTION = STEP_PATH.format(turn="turn-mark")
_TEMPLATES: dict[tuple[int, _Voice, _Shape], tuple[Catalogue, str, tuple[str, ...]]] = {}


def _marker(name: str) -> str:
    return f"\u27e6{name}\u27e7"


def _template(voice: _Voice, shape: _Shape, catalogue: Catalogue) -> tuple[str, tuple[str, ...]]:
    key = (id(catalogue), voice, shape)
    cached = _TEMPLATES.get(key)
    if cached is not None and cached[0] is catalogue:  # an id is only unique while its object lives
        return cached[1], cached[2]
    prompts = [prompt for prompt, _ in shape.says] + (["callback_thanks"] if shape.end == "record" else [])
    fields = tuple(sorted({name for prompt in prompts for name in catalogue.placeholders(prompt)}))
    markers = {name: _marker(name) for name in fields}
    before: list[_Utterance] = []
    rest = list(shape.says)
    # The legal notice (barge_in = false) is heard in full; everything after it can be
    # interrupted by a key, so regular callers are not held up.
    while rest and not rest[0][1]:
        before.append(_utterance(rest.pop(0)[0], markers, catalogue, voice))
    inside = tuple(_utterance(prompt, markers, catalogue, voice) for prompt, _ in rest)
    if shape.wait_kind is not None:
        digits = 1 if shape.wait_kind == "menu" else shape.max_digits + 1  # room for a stray key
        plan = _Plan(voice, tuple(before), digits, shape.wait_kind, inside, None)
    else:
        closing = (_utterance("callback_thanks", markers, catalogue, voice),) if shape.end == "record" else ()
        plan = _Plan(voice, tuple(before), None, None, inside, shape.end, closing)
    if len(_TEMPLATES) > 4096:  # shapes are few; this only bounds a misbehaving flow
        _TEMPLATES.clear()
    _TEMPLATES[key] = (catalogue, _render_plan(plan), fields)
    return _TEMPLATES[key][1], fields


def _render_plan(plan: _Plan) -> str:
    """The library's TwiML for a plan (built once per shape: serialising was a fifth of a step)."""
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
        response.enqueue(voice.operator_queue, **queue_twiml.ENQUEUE_ATTRIBUTES)
    elif plan.end == "record":
        response.record(action=RECORDED_PATH, method="POST", max_length=90, play_beep=True,
                        finish_on_key="#", timeout=5)
        for utterance in plan.closing:
            _speak(response, utterance, voice)
        response.hangup()
    else:
        response.hangup()
    return str(response)


def render_fault(catalogue: Catalogue, settings: Settings, *, open_now: bool,
                 now: datetime | None = None) -> str:
    """An apology and a person, whatever went wrong inside."""
    response = VoiceResponse()
    _say(response, "apology", {}, catalogue, settings, now)
    if open_now:
        _say(response, "operator_connecting", {}, catalogue, settings, now)
        queue_twiml.enqueue(response, settings)
    else:
        _say(response, "callback_offer", {}, catalogue, settings, now)
        response.record(action=RECORDED_PATH, method="POST", max_length=90, play_beep=True,
                        finish_on_key="#", timeout=5)
        _say(response, "callback_thanks", {}, catalogue, settings, now)
        response.hangup()
    return str(response)


def render_says(prompts: list[Say], catalogue: Catalogue, settings: Settings, *, hangup: bool,
                now: datetime | None = None) -> str:
    response = VoiceResponse()
    for say in prompts:
        _say(response, say.prompt, {}, catalogue, settings, now)
    if hangup:
        response.hangup()
    return str(response)
