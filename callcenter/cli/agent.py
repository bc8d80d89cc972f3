"""`tongdai agent --user NAME`: an operator's softphone, played against a running server.

It logs in, asks for the softphone's token, goes ready and waits. When the service offers
it a caller (a `tongdai call` waiting in the queue), it does what the browser and Twilio
would: dials `/twilio/voice/operator` as the softphone's leg (signed as Twilio signs), then
plays Twilio's bridge — the Queue url on the caller's leg — and prints the caller's card.
When the operator ends the call, it posts the leg's Dial action and the caller's Enqueue
action (`bridged`), and files the wrap-up.
"""

from __future__ import annotations

import contextlib
import getpass
import sys
import time
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urljoin

import httpx
import typer

from ivr.settings import get_settings
from ivr.simulator import CallIdentity, signed_request

POLL_S = 1.0


class AgentError(RuntimeError):
    pass


class Agent:
    def __init__(self, client: httpx.Client, base: str, token: str | None) -> None:
        self.client, self.base, self.twilio_token = client, base, token
        self.headers: dict[str, str] = {}
        self.identity = ""

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        r = self.client.request(method, self.base + "/api/v1" + path, headers=self.headers, **kwargs)
        if r.status_code >= 400:
            is_json = r.headers.get("content-type", "").startswith("application/json")
            detail = r.json().get("detail") if is_json else r.text
            raise AgentError(f"{method} {path}: HTTP {r.status_code} {detail}")
        return r.json()

    def log_in(self, username: str, password: str) -> None:
        r = self.client.post(self.base + "/api/v1/auth/token",
                             data={"username": username, "password": password})
        if r.status_code != 200:
            raise AgentError(f"Không đăng nhập được: {r.json().get('detail', r.text)}")
        self.headers = {"Authorization": f"Bearer {r.json()['access_token']}"}

    def twilio(self, path_or_url: str, params: dict[str, str]) -> ET.Element:
        """A webhook as Twilio sends it (signed); its TwiML."""
        url = urljoin(self.base + "/", path_or_url)
        request = signed_request("POST", url, params, self.twilio_token)
        r = self.client.post(request.url, data=request.form, headers=request.headers)
        if r.status_code != 200:
            raise AgentError(f"POST {path_or_url}: HTTP {r.status_code}")
        return ET.fromstring(r.text)  # noqa: S314 (our own server's TwiML)


def _said(root: ET.Element) -> str:
    return " ".join((el.text or "").strip() for el in root.iter("Say"))


def _print_card(card: dict[str, Any]) -> None:
    typer.secho("  ┌ Thẻ người gọi", bold=True)
    typer.echo(f"  │ Số gọi đến: {card['from']}")
    vessel = card.get("vessel") or "chưa xác định"
    if card.get("vessel") and card.get("owner_name"):
        vessel += f" — chủ tàu {card['owner_name']}"
    typer.echo(f"  │ Tàu cá: {vessel}{'' if card.get('vessel_verified') else ' (chưa kiểm tra)'}")
    if card.get("procedure"):
        typer.echo(f"  │ Thủ tục: {card['procedure']} {card.get('variant') or ''}".rstrip())
    typer.echo(f"  │ Đi qua menu: {' → '.join(card.get('path_titles') or []) or '—'}")
    typer.echo(f"  │ Lý do: {card['reason_text']}")
    typer.echo(f"  │ Đã chờ: {card['waiting_s']} giây")
    for d in card.get("dossiers") or []:
        typer.echo(f"  │ Hồ sơ: {d['reference']} ({d['procedure']}, {d['status']})")
    typer.echo("  └")


def _talk(agent: Agent, *, offer: dict[str, Any], talk_s: float | None, wrap_up: str | None) -> None:
    call_sid = offer["call_sid"]
    client = f"client:{agent.identity}"
    softphone = CallIdentity(caller=client, hotline="")  # the softphone's leg, placed by the TwiML app
    leg = softphone.call_sid
    leg_params = softphone.params("ringing", ApplicationSid="AP" + "0" * 32)
    typer.echo(f"☎ Nghe máy: gọi /twilio/voice/operator như điện thoại trình duyệt ({client})")
    root = agent.twilio("/twilio/voice/operator", leg_params)
    while root.find("Dial") is None:
        redirect = root.find("Redirect")
        if redirect is None:
            typer.echo(f"  Tổng đài: {_said(root) or '(gác máy)'}")
            return
        pause = root.find("Pause")
        time.sleep(float(pause.get("length", "1")) if pause is not None else 1)
        root = agent.twilio(redirect.text or "", leg_params)
    queue = root.find("Dial/Queue")
    dial = root.find("Dial")
    assert queue is not None and dial is not None
    # Twilio's bridge: first the Queue url on the caller's leg, then the two are connected.
    waited = str(offer.get("waiting_s", 0))
    caller_params = CallIdentity(caller=offer["from"], hotline="", call_sid=call_sid).params(
        QueueSid="QU" + "0" * 32, QueueTime=waited, DequeingCallSid=leg)
    heard = agent.twilio(queue.get("url") or "/twilio/voice/queue/bridge", caller_params)
    typer.echo(f"  Người gọi nghe: {_said(heard)}")
    started = time.monotonic()
    me = agent.api("GET", "/operators/me")
    if me.get("card"):
        _print_card(me["card"])
    if talk_s is None:
        typer.prompt("  Đang nói chuyện — Enter để kết thúc cuộc gọi", default="", show_default=False)
    else:
        time.sleep(talk_s)
    duration = str(int(time.monotonic() - started))
    agent.twilio(dial.get("action") or "/twilio/voice/operator/done",
                 {**leg_params, "CallStatus": "completed", "DialCallStatus": "completed",
                  "DialCallSid": call_sid, "DialCallDuration": duration})
    agent.twilio("/twilio/voice/queue/done", {**caller_params, "QueueResult": "bridged"})
    typer.echo(f"  Cuộc gọi kết thúc sau {duration} giây.")
    codes = agent.api("GET", "/wrap-up-codes")
    code = wrap_up
    if code is None:
        typer.echo("  Kết quả cuộc gọi: " + ", ".join(f"{c['code']} ({c['label']})" for c in codes))
        code = typer.prompt("  Mã kết quả", default=codes[0]["code"])
    filed = agent.api("POST", f"/calls/{call_sid}/wrap-up", json={"code": code, "note": ""})
    typer.echo(f"  Đã ghi kết quả: {filed['code']}.")


def agent(
    user: str = typer.Option(..., "--user", help="The operator's username (password read from stdin)."),
    url: str | None = typer.Option(None, "--url", help="Server base URL (default PUBLIC_BASE_URL)."),
    token: str | None = typer.Option(None, "--token", help="Twilio auth token (default TWILIO_AUTH_TOKEN)."),
    once: bool = typer.Option(False, "--once", help="Stop after one call."),
    talk_s: float | None = typer.Option(None, "--talk-s", help="End each call after this many seconds."),
    wrap_up: str | None = typer.Option(None, "--wrap-up", help="File this wrap-up code without asking."),
) -> None:
    """Play an operator's softphone against a running server: go ready, answer callers."""
    settings = get_settings()
    base = (url or settings.public_base_url).rstrip("/")
    interactive = sys.stdin.isatty()
    password = getpass.getpass(f"Mật khẩu của {user}: ") if interactive else sys.stdin.readline().strip()
    with httpx.Client(timeout=15.0) as client:
        agent = Agent(client, base, token or settings.twilio_auth_token)
        try:
            agent.log_in(user, password)
            try:
                minted = agent.api("POST", "/voice/token")
                agent.identity = minted["identity"]
                typer.echo(f"Đã có mã điện thoại trình duyệt cho {agent.identity}.")
            except AgentError as exc:  # no Twilio API key here: this agent is the softphone itself
                typer.echo(f"({exc}; tác nhân tự đóng vai điện thoại trình duyệt.)")
            me = agent.api("PUT", "/operators/me/state", json={"state": "ready"})
            agent.identity = agent.identity or agent.api("GET", "/operators/me")["identity"]
            typer.secho(f"{me['name'] or user}: sẵn sàng nhận cuộc gọi. Ctrl-C để dừng.", fg="green")
            while True:
                me = agent.api("GET", "/operators/me")
                if me.get("offer"):
                    typer.secho("☎ Có người gọi đang chờ ông/bà nghe máy:", bold=True)
                    _print_card(me["offer"])
                    _talk(agent, offer=me["offer"], talk_s=talk_s, wrap_up=wrap_up)
                    if once:
                        break
                    agent.api("PUT", "/operators/me/state", json={"state": "ready"})
                time.sleep(POLL_S)
        except KeyboardInterrupt:
            typer.echo()
        except AgentError as exc:
            typer.secho(str(exc), fg="red", err=True)
            raise typer.Exit(1) from None
        except httpx.ConnectError:
            typer.secho(f"Không kết nối được tới {base}: máy chủ có đang chạy không? (make run)", fg="red",
                        err=True)
            raise typer.Exit(2) from None
        finally:
            with contextlib.suppress(AgentError, httpx.HTTPError):
                agent.api("PUT", "/operators/me/state", json={"state": "away"})


def register(app: typer.Typer) -> None:
    app.command(name="agent")(agent)
