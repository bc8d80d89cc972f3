"""One inbound call as Twilio plays it, without any I/O (sans-IO).

The call hands out the next webhook request, takes the server's answer, acts the TwiML
out (tells a listener what the caller hears, asks a keypad for keys) and hands out the
request that follows — so the same logic drives the blocking terminal phone, the tests and
the asyncio load generator.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol
from urllib.parse import urljoin

from ivr.simulator.signing import CallIdentity, WebhookRequest, new_sid, signed_request
from ivr.simulator.twiml import (
    ALL_KEYS,
    Dial,
    Enqueue,
    Gather,
    Hangup,
    InvalidTwiML,
    Leave,
    Pause,
    Play,
    Record,
    Redirect,
    Reject,
    Say,
    Unsupported,
    Verb,
    parse_twiml,
)

VOICE_PATH = "/twilio/voice"
# Between two requests of the wait URL a real caller hears ~35 s of music; the simulator
# waits this long instead (a demo does not want to sit through the music).
QUEUE_ROUND_S = 5.0
STATUS_PATH = "/twilio/voice/status"
MAX_STEPS = 60

# How a call ended. "error" and "max-steps" are the server's fault; the rest are normal.
Ending = Literal["hangup", "reject", "operator", "record", "end", "caller", "error", "max-steps"]

ENDING_LABELS: dict[str, str] = {
    "hangup": "tổng đài gác máy",
    "reject": "tổng đài từ chối cuộc gọi",
    "operator": "chuyển tới điện thoại viên",
    "record": "để lại lời nhắn",
    "end": "hết lời thoại, Twilio gác máy",
    "caller": "người gọi gác máy",
    "error": "lỗi",
    "max-steps": "quá nhiều bước (vòng lặp?)",
}


class InvalidKeys(ValueError):
    """An entry holds something a phone keypad cannot press."""


@dataclass(frozen=True)
class Heard:
    """One thing the caller hears; `line` is how a terminal shows it."""

    kind: Literal["say", "play", "pause", "ring", "record", "hangup", "other"]
    text: str
    language: str | None = None

    @property
    def line(self) -> str:
        return self.text if self.kind == "say" else f"[{self.text}]"


class Keypad(Protocol):
    def keys(self, gather: Gather) -> str | None:
        """The caller's entry for this gather: keys, `#` last to finish; '' is silence; None hangs up."""


Listener = Callable[[Heard], None]


class ScriptedKeypad:
    """Entries from a script such as `1,2,90567#,1,1`; hangs up when the script runs out
    (in the operators' queue it keeps waiting instead)."""

    scripted = True

    def __init__(self, entries: list[str]) -> None:
        for entry in entries:
            check_keys(entry)
        self._entries = list(entries)

    @classmethod
    def parse(cls, script: str) -> ScriptedKeypad:
        return cls([entry.strip() for entry in script.split(",")] if script.strip() else [])

    @property
    def remaining(self) -> int:
        return len(self._entries)

    def keys(self, gather: Gather) -> str | None:
        return self._entries.pop(0) if self._entries else None


def check_keys(entry: str) -> str:
    bad = sorted({ch for ch in entry if ch not in ALL_KEYS})
    if bad:
        raise InvalidKeys(f"không bấm được {''.join(bad)!r}: chỉ có 0–9, * và #")
    return entry


def press(entry: str, gather: Gather) -> str | None:
    """The Digits Twilio sends for an entry, or None when the gather heard nothing.

    The finish key ends the entry and is not sent; numDigits ends it too, and anything
    pressed after that is lost. Only the finish key, alone, sends an empty Digits.
    """
    digits = ""
    for key in check_keys(entry):
        if gather.finish_on_key and key == gather.finish_on_key:
            return digits
        digits += key
        if gather.num_digits and len(digits) >= gather.num_digits:
            return digits
    return digits or None


@dataclass(frozen=True)
class Turn:
    """One webhook answered: what was asked, what came back, how fast."""

    method: str
    url: str
    digits: str | None
    status: int
    latency_s: float


@dataclass
class _Pending:
    method: str
    url: str  # the document URL, before a GET's query: relative URLs resolve against it
    params: dict[str, str]
    is_input: bool = False


@dataclass
class _Queue:
    """The caller is in Twilio's queue: the wait URL is requested until they leave or are bridged."""

    wait_url: str
    wait_method: str
    action: str | None
    method: str
    joined: float

    def waited_s(self) -> str:
        return str(int(time.monotonic() - self.joined))


@dataclass
class SimulatedCall:
    base_url: str
    token: str | None
    identity: CallIdentity
    keypad: Keypad
    listener: Listener | None = None
    max_steps: int = MAX_STEPS
    turns: list[Turn] = field(default_factory=list)
    ended_by: Ending | None = None
    error: str | None = None
    _pending: _Pending | None = None
    _after_record: bool = False
    _started: float = 0.0
    # Follow <Enqueue waitUrl=…> as Twilio does (the terminal phone); off: the call ends there.
    follow_queue: bool = False
    queue_round_s: float = QUEUE_ROUND_S
    # How long the driver should let pass before sending the next request (hold music).
    hold_s: float = 0.0
    _queue: _Queue | None = None
    _in_wait: bool = False

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")

    # -- the requests -------------------------------------------------------------------

    def first_request(self) -> WebhookRequest:
        self._started = time.monotonic()
        self._pending = _Pending("POST", self.base_url + VOICE_PATH, self.identity.params())
        return self._sign(self._pending)

    @property
    def next_is_input(self) -> bool:
        """Whether the request about to go carries the caller's keys (a pacing point)."""
        return self._pending is not None and self._pending.is_input

    def status_callback(self, duration_s: int | None = None) -> WebhookRequest:
        """`POST /twilio/voice/status` as Twilio sends it when the call is over."""
        if duration_s is None:
            duration_s = max(1, math.ceil(time.monotonic() - self._started)) if self._started else 0
        params = self.identity.params("completed", CallDuration=str(duration_s))
        return signed_request("POST", self.base_url + STATUS_PATH, params, self.token)

    @property
    def failed(self) -> bool:
        return self.ended_by in ("error", "max-steps")

    # -- the answers --------------------------------------------------------------------

    def on_answer(
        self, status: int, content_type: str, body: bytes, latency_s: float = 0.0
    ) -> WebhookRequest | None:
        """Acts out the answer to the pending request; the next request, or None: call over."""
        pending = self._pending
        if pending is None or self.ended_by is not None:
            raise RuntimeError("no webhook request is waiting for an answer")
        self._pending = None
        self.turns.append(Turn(pending.method, pending.url, pending.params.get("Digits"), status, latency_s))
        if status != 200:
            self._fail(f"{pending.method} {pending.url} trả lời HTTP {status}")
            return None
        media_type = content_type.split(";")[0].strip().lower()
        if media_type not in ("text/xml", "application/xml"):
            self._fail(f"{pending.url} trả lời {media_type or 'không có Content-Type'}, không phải TwiML")
            return None
        try:
            verbs = parse_twiml(body)
        except InvalidTwiML as exc:
            self._fail(f"{pending.url}: TwiML không hợp lệ: {exc}")
            return None
        if self._after_record:
            # The caller hung up to end the recording: Twilio only reports it to `action`.
            self._end("record")
            return None
        nxt = self._act_out(verbs, pending.url)
        if nxt is None:
            return None
        if len(self.turns) >= self.max_steps:
            self._fail(f"quá {self.max_steps} bước trong một cuộc gọi", "max-steps")
            return None
        self._pending = nxt
        return self._sign(nxt)

    def _act_out(self, verbs: list[Verb], document_url: str) -> _Pending | None:
        in_wait, self._in_wait = self._in_wait, False
        self.hold_s = 0.0
        for verb in verbs:
            if isinstance(verb, Say | Play | Pause):
                self._hear_prompt(verb)
            elif isinstance(verb, Gather):
                for prompt in verb.prompts:
                    self._hear_prompt(prompt)
                if self._queue is not None and hasattr(self.keypad, "in_queue_s"):
                    # A keypad that can wait with a timeout paces the queue itself.
                    self.keypad.in_queue_s = self.queue_round_s
                entry = self.keypad.keys(verb)
                if hasattr(self.keypad, "in_queue_s"):
                    self.keypad.in_queue_s = None
                if entry is None and self._queue is not None and getattr(self.keypad, "scripted", False):
                    entry = ""  # a script that ran out in the queue keeps waiting
                if entry is None:
                    self._hear(Heard("hangup", "người gọi gác máy"))
                    self._end("caller")
                    return None
                digits = press(entry, verb)
                action = urljoin(document_url, verb.action or document_url)
                if digits is not None:
                    return self._next(verb.method, action, is_input=True, Digits=digits)
                if verb.action_on_empty_result:
                    return self._next(verb.method, action, is_input=True)
                # No input and no actionOnEmptyResult: Twilio goes on with the next verb.
            elif isinstance(verb, Redirect):
                return self._next(verb.method, urljoin(document_url, verb.url))
            elif isinstance(verb, Record):
                self._hear(Heard("record", "ghi âm lời nhắn"))
                self._after_record = True
                recording_sid = new_sid("RE")
                return self._next(
                    verb.method,
                    urljoin(document_url, verb.action or document_url),
                    RecordingSid=recording_sid,
                    RecordingUrl=f"https://api.twilio.com/2010-04-01/Accounts/"
                    f"{self.identity.account_sid}/Recordings/{recording_sid}",
                    RecordingDuration="7",
                    Digits="hangup",
                )
            elif isinstance(verb, Enqueue) and self.follow_queue and verb.wait_url:
                self._queue = _Queue(urljoin(document_url, verb.wait_url), verb.wait_url_method,
                                     urljoin(document_url, verb.action) if verb.action else None, verb.method,
                                     time.monotonic())
                self._hear(Heard("ring", f"vào hàng chờ «{verb.queue}», chờ điện thoại viên"))
                return self._wait_request()
            elif isinstance(verb, Leave) and self._queue is not None:
                self._hear(Heard("other", "rời hàng chờ"))
                return self._left("leave")
            elif isinstance(verb, Enqueue | Dial):
                self._hear(Heard("ring", "đổ chuông tới điện thoại viên"))
                self._end("operator")
                return None
            elif isinstance(verb, Hangup | Reject):
                self._hear(Heard("hangup", "gác máy"))
                self._end("hangup" if isinstance(verb, Hangup) else "reject")
                return None
            elif isinstance(verb, Unsupported):
                self._hear(Heard("other", f"<{verb.tag}> bỏ qua"))
        if self._queue is not None:
            if in_wait and not any(isinstance(v, Gather) for v in verbs):
                # Twilio stops asking the wait URL once an operator takes the caller; this
                # phone cannot see the bridge `tongdai agent` played, asks once more and is
                # told who answered.
                self._hear(Heard("ring", "đã nối máy với điện thoại viên"))
                self._end("operator")
                return None
            # The music plays, then Twilio asks again (a keypad that waited has paced it).
            self.hold_s = 0.0 if hasattr(self.keypad, "in_queue_s") else self.queue_round_s
            return self._wait_request()
        # Twilio hangs up when the document runs out.
        self._hear(Heard("hangup", "gác máy"))
        self._end("end")
        return None

    def _wait_request(self) -> _Pending:
        assert self._queue is not None
        self._in_wait = True
        # Twilio also sends QueuePosition and CurrentQueueSize; this phone cannot know them
        # and leaves them out (the server then counts the place itself).
        return self._next(self._queue.wait_method, self._queue.wait_url, QueueTime=self._queue.waited_s(),
                          AvgQueueTime="0", QueueSid="QU" + "0" * 32)

    def _left(self, result: str) -> _Pending | None:
        queue, self._queue = self._queue, None
        assert queue is not None
        if queue.action is None:
            self._end("end")
            return None
        return self._next(queue.method, queue.action, QueueResult=result, QueueTime=queue.waited_s(),
                          QueueSid="QU" + "0" * 32)

    # -- helpers ------------------------------------------------------------------------

    def _hear_prompt(self, prompt: Say | Play | Pause) -> None:
        if isinstance(prompt, Say):
            text = prompt.text + (f" (×{prompt.loop})" if prompt.loop > 1 else "")
            self._hear(Heard("say", text, prompt.language))
        elif isinstance(prompt, Play):
            self._hear(Heard("play", f"♪ {prompt.digits or prompt.url.rsplit('/', 1)[-1]}"))
        else:
            self._hear(Heard("pause", f"im lặng {prompt.length_s} giây"))

    def _hear(self, heard: Heard) -> None:
        if self.listener is not None:
            self.listener(heard)

    def _next(self, method: str, url: str, *, is_input: bool = False, **extra: str) -> _Pending:
        return _Pending(method, url, self.identity.params(**extra), is_input)

    def _sign(self, pending: _Pending) -> WebhookRequest:
        return signed_request(pending.method, pending.url, pending.params, self.token)

    def _end(self, how: Ending) -> None:
        self.ended_by = how

    def _fail(self, message: str, how: Ending = "error") -> None:
        self.error = message
        self.ended_by = how
