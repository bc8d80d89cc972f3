"""TwiML as Twilio reads it: the verbs of a `<Response>`, in order, with Twilio's defaults.

Only what a voice call in this hotline can meet is modelled; a verb Twilio knows but the
phone cannot play (`<Connect>`, `<Pay>` …) is kept as `Unsupported`, while an element
Twilio does not know at all makes the document invalid, as it does for Twilio (error 12100).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

ALL_KEYS = "0123456789*#"


class InvalidTwiML(ValueError):
    """The answer is not a TwiML document Twilio would execute."""


@dataclass(frozen=True)
class Say:
    text: str
    language: str | None = None
    loop: int = 1


@dataclass(frozen=True)
class Play:
    url: str
    loop: int = 1
    digits: str | None = None


@dataclass(frozen=True)
class Pause:
    length_s: int = 1


@dataclass(frozen=True)
class Gather:
    action: str | None = None
    method: str = "POST"
    timeout_s: int = 5
    num_digits: int | None = None
    finish_on_key: str = "#"
    action_on_empty_result: bool = False
    prompts: tuple[Say | Play | Pause, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Redirect:
    url: str
    method: str = "POST"


@dataclass(frozen=True)
class Record:
    action: str | None = None
    method: str = "POST"
    max_length_s: int = 3600


@dataclass(frozen=True)
class Enqueue:
    queue: str
    wait_url: str | None = None
    action: str | None = None
    method: str = "POST"
    wait_url_method: str = "POST"


@dataclass(frozen=True)
class Leave:
    """Out of the queue (in a wait URL's answer): Twilio then requests the Enqueue action."""


@dataclass(frozen=True)
class Dial:
    number: str
    action: str | None = None


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass(frozen=True)
class Reject:
    reason: str = "rejected"


@dataclass(frozen=True)
class Unsupported:
    tag: str


Verb = (Say | Play | Pause | Gather | Redirect | Record | Enqueue | Leave | Dial | Hangup | Reject
        | Unsupported)

# Voice verbs Twilio accepts that this phone does not act out; they are skipped, not errors.
_KNOWN_UNSUPPORTED = {"Connect", "Pay", "Prompt", "Refer", "Start", "Stop", "Sms", "Message", "Echo"}


def parse_twiml(body: bytes | str) -> list[Verb]:
    """The top-level verbs of a TwiML document; raises InvalidTwiML as Twilio would refuse it."""
    try:
        # The answer comes from the server under test, and expat neither fetches external
        # entities nor expands entity bombs (2.4.1+), so the stdlib parser is safe here.
        root = ET.fromstring(body)  # noqa: S314
    except ET.ParseError as exc:
        raise InvalidTwiML(f"not XML: {exc}") from exc
    if root.tag != "Response":
        raise InvalidTwiML(f"root element is <{root.tag}>, not <Response>")
    return [_verb(el) for el in root]


def _verb(el: ET.Element) -> Verb:
    tag = el.tag
    if tag in ("Say", "Play", "Pause"):
        return _prompt(el)
    if tag == "Gather":
        prompts = tuple(_prompt(child) for child in el)
        finish = el.get("finishOnKey", "#")
        if finish and finish not in ALL_KEYS:
            raise InvalidTwiML(f"<Gather finishOnKey={finish!r}> is not a key")
        return Gather(
            action=el.get("action"),
            method=_method(el),
            timeout_s=_int(el, "timeout", 5),
            num_digits=_int(el, "numDigits", 0) or None,
            finish_on_key=finish,
            action_on_empty_result=el.get("actionOnEmptyResult", "false").lower() == "true",
            prompts=prompts,
        )
    if tag == "Redirect":
        url = (el.text or "").strip()
        if not url:
            raise InvalidTwiML("<Redirect> without a URL")
        return Redirect(url=url, method=_method(el))
    if tag == "Record":
        return Record(action=el.get("action"), method=_method(el), max_length_s=_int(el, "maxLength", 3600))
    if tag == "Enqueue":
        return Enqueue(queue=(el.text or "").strip(), wait_url=el.get("waitUrl"), action=el.get("action"),
                       method=_method(el), wait_url_method=el.get("waitUrlMethod", "POST").upper())
    if tag == "Leave":
        return Leave()
    if tag == "Dial":
        number = (el.text or "").strip() or " ".join((child.text or "").strip() for child in el)
        return Dial(number=number, action=el.get("action"))
    if tag == "Hangup":
        return Hangup()
    if tag == "Reject":
        return Reject(reason=el.get("reason", "rejected"))
    if tag in _KNOWN_UNSUPPORTED:
        return Unsupported(tag=tag)
    raise InvalidTwiML(f"unknown verb <{tag}>")


def _prompt(el: ET.Element) -> Say | Play | Pause:
    if el.tag == "Say":
        return Say(text=(el.text or "").strip(), language=el.get("language"), loop=_int(el, "loop", 1))
    if el.tag == "Play":
        return Play(url=(el.text or "").strip(), loop=_int(el, "loop", 1), digits=el.get("digits"))
    if el.tag == "Pause":
        return Pause(length_s=_int(el, "length", 1))
    raise InvalidTwiML(f"<{el.tag}> cannot be nested in <Gather>")


def _method(el: ET.Element) -> str:
    method = el.get("method", "POST").upper()
    if method not in ("GET", "POST"):
        raise InvalidTwiML(f"<{el.tag} method={method!r}> must be GET or POST")
    return method


def _int(el: ET.Element, name: str, default: int) -> int:
    raw = el.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise InvalidTwiML(f"<{el.tag} {name}={raw!r}> is not a whole number") from exc
