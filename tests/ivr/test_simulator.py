"""The Twilio-role phone against a small fake IVR that checks signatures as Twilio's peers do."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator
from typer.testing import CliRunner

from callcenter.cli.main import app as cli
from ivr.simulator import (
    CallIdentity,
    Gather,
    Heard,
    InvalidKeys,
    InvalidTwiML,
    ScriptedKeypad,
    SimulatedCall,
    parse_twiml,
    press,
    run_call,
    run_call_async,
)
from tests.live_server import free_port, serve

TOKEN = "fake-ivr-token"
TWILIO_PARAMS = {
    "CallSid", "AccountSid", "From", "To", "Caller", "Called", "CallStatus",
    "Direction", "ApiVersion", "FromCountry", "ToCountry",
}  # fmt: skip


def twiml(body: str) -> Response:
    return Response(
        f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>', media_type="text/xml"
    )


@dataclass
class Seen:
    method: str
    path: str
    params: dict[str, str]


@dataclass
class FakeIvr:
    """A tiny menu: greeting → key 1 → vessel digits (GET) → confirm; 9 records a message."""

    public_base: str = "http://testserver"
    seen: list[Seen] = field(default_factory=list)
    broken: dict[str, Response] = field(default_factory=dict)
    delay_s: float = 0.0
    app: FastAPI = field(default_factory=FastAPI)

    def __post_init__(self) -> None:
        @self.app.api_route("/{path:path}", methods=["GET", "POST"])
        async def webhook(path: str, request: Request) -> Response:
            form = await request.form()
            params = {k: str(v) for k, v in form.items()}
            url = self.public_base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
            signed = {} if request.method == "GET" else params  # a GET signs its full URL alone
            signature = request.headers.get("X-Twilio-Signature", "")
            if not RequestValidator(TOKEN).validate(url, signed, signature):
                return Response("bad signature", status_code=403)
            await asyncio.sleep(self.delay_s)
            all_params = {**dict(request.query_params), **params}
            self.seen.append(Seen(request.method, "/" + path, all_params))
            if "/" + path in self.broken:
                return self.broken["/" + path]
            return self.answer("/" + path, all_params)

    def answer(self, path: str, params: dict[str, str]) -> Response:
        digits = params.get("Digits")
        if path == "/twilio/voice":
            return twiml(
                '<Say language="vi-VN">Xin chào quý bà con.</Say>'
                '<Gather action="menu" numDigits="1"><Say language="vi-VN">Bấm phím 1.</Say></Gather>'
                '<Say language="vi-VN">Không nghe thấy.</Say><Hangup/>'
            )
        if path == "/twilio/menu" and digits == "9":
            return twiml('<Record action="/twilio/recorded" maxLength="60"/>')
        if path == "/twilio/menu":
            return twiml(
                '<Gather action="/twilio/vessel" method="GET">'
                '<Say language="vi-VN">Nhập số tàu rồi bấm thăng.</Say></Gather>'
                '<Redirect method="POST">/twilio/menu?miss=1</Redirect>'
            )
        if path == "/twilio/vessel":
            return twiml(
                '<Pause length="1"/><Gather action="confirm" numDigits="1" actionOnEmptyResult="true">'
                "<Play>https://cdn.example.vn/prompts/xac-nhan.mp3</Play></Gather>"
            )
        if path == "/twilio/confirm" and digits is None:
            return twiml("<Enqueue>operators</Enqueue>")
        if path == "/twilio/confirm":
            return twiml('<Say language="vi-VN">Cảm ơn.</Say><Hangup/>')
        if path == "/twilio/recorded":
            return twiml('<Say language="vi-VN">Đã ghi lời nhắn.</Say><Hangup/>')
        if path == "/twilio/loop":
            return twiml("<Redirect>/twilio/loop</Redirect>")
        return Response(status_code=204)


@pytest.fixture
def ivr() -> FakeIvr:
    return FakeIvr()


@pytest.fixture
def http(ivr: FakeIvr) -> Iterator[TestClient]:
    with TestClient(ivr.app, base_url="http://testserver") as client:
        yield client


def place(
    http: httpx.Client, keys: str, *, token: str = TOKEN, caller: str = "+84987654321"
) -> tuple[SimulatedCall, list[Heard]]:
    heard: list[Heard] = []
    call = SimulatedCall(
        base_url="http://testserver",
        token=token,
        identity=CallIdentity(caller, "+842553818558"),
        keypad=ScriptedKeypad.parse(keys),
        listener=heard.append,
    )
    return run_call(http, call), heard


def test_a_whole_call_follows_actions_and_sends_what_twilio_sends(ivr: FakeIvr, http: TestClient) -> None:
    call, heard = place(http, "1,90567#,1")

    assert call.ended_by == "hangup" and not call.failed
    assert [h.line for h in heard] == [
        "Xin chào quý bà con.", "Bấm phím 1.", "Nhập số tàu rồi bấm thăng.",
        "[im lặng 1 giây]", "[♪ xac-nhan.mp3]", "Cảm ơn.", "[gác máy]",
    ]  # fmt: skip
    assert [(s.method, s.path, s.params.get("Digits")) for s in ivr.seen] == [
        ("POST", "/twilio/voice", None),
        ("POST", "/twilio/menu", "1"),  # relative action resolved against /twilio/voice
        ("GET", "/twilio/vessel", "90567"),  # the finish key is not sent; GET signs the full URL
        ("POST", "/twilio/confirm", "1"),
        ("POST", "/twilio/voice/status", None),
    ]
    assert all(s.params.keys() >= TWILIO_PARAMS for s in ivr.seen)
    assert {s.params["CallSid"] for s in ivr.seen} == {call.identity.call_sid}
    status = ivr.seen[-1].params
    assert status["CallStatus"] == "completed" and int(status["CallDuration"]) >= 1
    assert len(call.turns) == 4


def test_silence_falls_through_to_the_next_verb(ivr: FakeIvr, http: TestClient) -> None:
    call, heard = place(http, ",")

    assert "Không nghe thấy." in [h.line for h in heard]
    assert call.ended_by == "hangup"
    assert [s.path for s in ivr.seen] == ["/twilio/voice", "/twilio/voice/status"]


def test_silence_with_action_on_empty_result_posts_without_digits(ivr: FakeIvr, http: TestClient) -> None:
    call, heard = place(http, "1,90567#,")

    assert call.ended_by == "operator"
    assert heard[-1].line == "[đổ chuông tới điện thoại viên]"
    confirm = ivr.seen[-2]
    assert confirm.path == "/twilio/confirm" and "Digits" not in confirm.params


def test_redirect_keeps_its_query_and_method(ivr: FakeIvr, http: TestClient) -> None:
    call, _ = place(http, "1,,")  # silence at the vessel entry: the redirect re-asks

    assert [(s.method, s.path) for s in ivr.seen[2:4]] == [("POST", "/twilio/menu"), ("POST", "/twilio/menu")]
    assert ivr.seen[2].params.get("miss") == "1"
    assert call.ended_by == "caller"  # the script ran out: the caller hung up


def test_record_reports_the_recording_to_its_action(ivr: FakeIvr, http: TestClient) -> None:
    call, heard = place(http, "9")

    assert call.ended_by == "record"
    assert "[ghi âm lời nhắn]" in [h.line for h in heard]
    assert "Đã ghi lời nhắn." not in [h.line for h in heard]  # the caller already hung up
    recorded = ivr.seen[-2]
    assert recorded.path == "/twilio/recorded"
    assert recorded.params["RecordingUrl"].startswith("https://") and recorded.params["Digits"] == "hangup"


def test_a_wrong_token_is_refused_and_the_call_fails(ivr: FakeIvr, http: TestClient) -> None:
    call, _ = place(http, "1", token="not-the-token")

    assert call.failed and "403" in (call.error or "")
    assert ivr.seen == []


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Response("boom", status_code=500), "HTTP 500"),
        (Response("<Response><Say>", media_type="text/xml"), "TwiML không hợp lệ"),
        (Response("<Response><Speak>hi</Speak></Response>", media_type="text/xml"), "unknown verb"),
        (Response("<Response/>", media_type="application/json"), "không phải TwiML"),
    ],
)
def test_a_bad_answer_fails_the_call(ivr: FakeIvr, http: TestClient, answer: Response, message: str) -> None:
    ivr.broken["/twilio/menu"] = answer

    call, _ = place(http, "1,90567#,1")

    assert call.failed and message in (call.error or "")
    assert ivr.seen[-1].path == "/twilio/voice/status"  # Twilio still reports the call's end


def test_a_redirect_loop_stops_at_the_step_limit(ivr: FakeIvr, http: TestClient) -> None:
    ivr.broken["/twilio/voice"] = twiml("<Redirect>/twilio/loop</Redirect>")

    call, _ = place(http, "")

    assert call.ended_by == "max-steps" and call.failed
    assert len(call.turns) == call.max_steps


def test_a_failing_status_callback_fails_the_call(ivr: FakeIvr, http: TestClient) -> None:
    ivr.broken["/twilio/voice/status"] = Response(status_code=500)

    call, _ = place(http, "1,90567#,1")

    assert call.failed and "status" in (call.error or "")


@pytest.mark.parametrize(
    ("entry", "gather", "digits"),
    [
        ("90567#", Gather(), "90567"),
        ("12", Gather(num_digits=1), "1"),
        ("#", Gather(), ""),  # only the finish key: an empty Digits, still sent
        ("", Gather(), None),  # silence
        ("12#", Gather(finish_on_key=""), "12#"),  # no finish key: # is an ordinary key
        ("*1", Gather(finish_on_key="*"), ""),
        ("90567", Gather(), "90567"),  # the gather times out and sends what it has
    ],
)
def test_keys_become_the_digits_twilio_sends(entry: str, gather: Gather, digits: str | None) -> None:
    assert press(entry, gather) == digits


def test_a_keypad_has_no_letters() -> None:
    with pytest.raises(InvalidKeys):
        ScriptedKeypad.parse("1,a")


def test_twiml_defaults_are_twilios() -> None:
    (gather,) = parse_twiml("<Response><Gather/></Response>")
    assert gather == Gather(action=None, method="POST", timeout_s=5, num_digits=None, finish_on_key="#")
    with pytest.raises(InvalidTwiML):
        parse_twiml("<Gather/>")
    with pytest.raises(InvalidTwiML):
        parse_twiml('<Response><Redirect method="PUT">/x</Redirect></Response>')


def test_the_async_driver_paces_only_key_presses(ivr: FakeIvr) -> None:
    pauses: list[int] = []

    async def think() -> None:
        pauses.append(1)

    async def go() -> SimulatedCall:
        transport = httpx.ASGITransport(app=ivr.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            call = SimulatedCall(
                base_url="http://testserver",
                token=TOKEN,
                identity=CallIdentity("+84987654321", "+842553818558"),
                keypad=ScriptedKeypad.parse("1,90567#,1"),
            )
            return await run_call_async(client, call, think=think)

    call = asyncio.run(go())

    assert call.ended_by == "hangup"
    assert len(pauses) == 3  # one per key press, none for the first request or the status
    assert ivr.seen[-1].path == "/twilio/voice/status"


# -- tongdai call, against the fake IVR served over real HTTP ---------------------------------


@pytest.fixture
def served() -> Iterator[FakeIvr]:
    port = free_port()
    ivr = FakeIvr(public_base=f"http://127.0.0.1:{port}")
    with serve(ivr.app, port=port):
        yield ivr


def tongdai_call(ivr: FakeIvr, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["call", "--url", ivr.public_base, "--token", TOKEN, *args], input=stdin)
    return result.exit_code, result.output


def test_cli_scripted_call_prints_what_the_caller_hears(served: FakeIvr) -> None:
    code, out = tongdai_call(served, "--from", "0905123456", "--keys", "1,90567#,1")

    assert code == 0, out
    for line in ("Xin chào quý bà con.", "☎ bấm: 90567#", "[♪ xac-nhan.mp3]", "Cảm ơn.", "[gác máy]"):
        assert line in out
    assert "4 lượt" in out and "tổng đài gác máy" in out
    assert served.seen[0].params["From"] == "+84905123456"  # national form normalised to E.164


def test_cli_interactive_call_reads_the_keyboard(served: FakeIvr) -> None:
    code, out = tongdai_call(served, stdin="1\nx\n90567#\nq\n")

    assert code == 0, out
    assert "không bấm được 'x'" in out  # a typo is refused and asked again
    assert [s.params.get("Digits") for s in served.seen[1:3]] == ["1", "90567"]
    assert "người gọi gác máy" in out


def test_cli_exits_non_zero_on_a_bad_answer(served: FakeIvr) -> None:
    served.broken["/twilio/menu"] = Response("boom", status_code=500)

    code, out = tongdai_call(served, "--keys", "1,90567#,1", "--quiet")

    assert code == 1
    assert "HTTP 500" in out and "Traceback" not in out


def test_cli_says_when_the_server_is_not_there() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = CliRunner().invoke(cli, ["call", "--url", f"http://127.0.0.1:{port}", "--keys", "1"])

    assert result.exit_code == 2
    assert "Không kết nối được" in result.output and "Traceback" not in result.output


def test_the_async_driver_gives_up_like_twilio_after_its_timeout(ivr: FakeIvr) -> None:
    ivr.delay_s = 0.5

    async def go() -> None:
        transport = httpx.ASGITransport(app=ivr.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            call = SimulatedCall(
                base_url="http://testserver",
                token=TOKEN,
                identity=CallIdentity("+84987654321", "+842553818558"),
                keypad=ScriptedKeypad.parse("1"),
            )
            await run_call_async(client, call, timeout_s=0.05)

    with pytest.raises(TimeoutError):
        asyncio.run(go())
