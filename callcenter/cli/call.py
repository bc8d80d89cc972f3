"""`tongdai call`: a phone in the terminal, playing Twilio's part against a running server.

What the caller would hear is printed turn by turn; keys come from the keyboard or, for
scripts, from `--keys`. The exit code says whether every webhook answered valid TwiML.
"""

from __future__ import annotations

import select
import sys

import httpx
import typer

from ivr.settings import get_settings
from ivr.simulator import (
    ENDING_LABELS,
    MAX_STEPS,
    QUEUE_ROUND_S,
    CallIdentity,
    Gather,
    Heard,
    InvalidKeys,
    Keypad,
    ScriptedKeypad,
    SimulatedCall,
    Turn,
    check_keys,
    run_call,
)
from models.domain.phone import InvalidPhone, normalize_phone

UNKNOWN_CALLER = "+84987654321"  # not in the demo registry: the caller types the vessel
QUEUE_ROUNDS = 120  # wait-URL rounds a call may take on top of its menu steps


class TerminalKeypad:
    """Keys typed at the keyboard: Enter alone is silence, `q` (or Ctrl-D/Ctrl-C) hangs up.

    In the operators' queue (`in_queue_s` set by the call) it waits that long for a key and
    then lets the wait go on, so a caller who types nothing simply keeps waiting."""

    in_queue_s: float | None = None

    def keys(self, gather: Gather) -> str | None:
        if self.in_queue_s is not None:
            return self._queue_keys(self.in_queue_s)
        hint = f"{gather.num_digits} phím" if gather.num_digits else "bấm số"
        if gather.finish_on_key:
            hint += f", kết thúc bằng {gather.finish_on_key}"
        while True:
            try:
                raw = input(f"  ☎ {hint} (Enter: im lặng, q: gác máy) > ").strip()
            except (EOFError, KeyboardInterrupt):
                typer.echo()
                return None
            if raw.lower() == "q":
                return None
            try:
                return check_keys(raw)
            except InvalidKeys as exc:
                typer.echo(f"  {exc}", err=True)


    def _queue_keys(self, wait_s: float) -> str | None:
        typer.echo("  ☎ đang chờ… (1 rồi Enter: xin gọi lại, q: gác máy)")
        ready, _, _ = select.select([sys.stdin], [], [], wait_s)
        if not ready:
            return ""
        raw = sys.stdin.readline()
        if not raw or raw.strip().lower() == "q":
            return None
        try:
            return check_keys(raw.strip())
        except InvalidKeys as exc:
            typer.echo(f"  {exc}", err=True)
            return ""


class EchoingKeypad:
    """Shows scripted keys as if they had been typed, so a transcript reads like a call."""

    def __init__(self, inner: Keypad, *, quiet: bool) -> None:
        self._inner = inner
        self._quiet = quiet
        self.scripted = getattr(inner, "scripted", False)

    def keys(self, gather: Gather) -> str | None:
        entry = self._inner.keys(gather)
        if not self._quiet and entry is not None:
            typer.echo(f"  ☎ bấm: {entry}" if entry else "  ☎ (im lặng)")
        return entry


class Transcript:
    """Prints what the caller hears, with a header for each webhook answered."""

    def __init__(self, call_turns: list[Turn], *, quiet: bool) -> None:
        self._turns = call_turns
        self._shown = 0
        self._quiet = quiet

    def __call__(self, heard: Heard) -> None:
        if self._quiet:
            return
        while self._shown < len(self._turns):
            turn = self._turns[self._shown]
            self._shown += 1
            typer.secho(f"── {turn.method} {turn.url}  ({turn.latency_s * 1000:.0f} ms)", dim=True)
        typer.echo(f"  {heard.line}")


def call(
    from_: str = typer.Option(UNKNOWN_CALLER, "--from", help="Caller's number (0905123456: the demo owner)."),
    to: str | None = typer.Option(None, "--to", help="The hotline number called (default HOTLINE_NUMBER)."),
    keys: str | None = typer.Option(
        None, "--keys", help="Scripted keys, comma-separated: `1,2,90567#,1,1`; an empty entry is silence."
    ),
    url: str | None = typer.Option(None, "--url", help="Server base URL (default PUBLIC_BASE_URL)."),
    token: str | None = typer.Option(None, "--token", help="Twilio auth token (default TWILIO_AUTH_TOKEN)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the summary."),
    hold_s: float = typer.Option(
        QUEUE_ROUND_S, "--hold-s", min=0.0,
        help="In the operators' queue: seconds of 'music' between two requests of the wait URL.",
    ),
) -> None:
    """Place a call to the hotline as Twilio would: hear the menus, press keys, wait in the
    operators' queue (Enter keeps waiting, 1 asks for a call-back) until `tongdai agent` answers."""
    settings = get_settings()
    try:
        caller = normalize_phone(from_)
        hotline = normalize_phone(to or settings.hotline_number)
    except InvalidPhone as exc:
        raise typer.BadParameter(str(exc)) from exc
    try:
        keypad: Keypad = (
            EchoingKeypad(ScriptedKeypad.parse(keys), quiet=quiet) if keys is not None else TerminalKeypad()
        )
    except InvalidKeys as exc:
        raise typer.BadParameter(str(exc), param_hint="--keys") from exc
    token = token or settings.twilio_auth_token
    if not token:
        typer.secho(
            "Cảnh báo: chưa có TWILIO_AUTH_TOKEN, gửi webhook không chữ ký — máy chủ sẽ trả 403 "
            "trừ khi chạy với TWILIO_VALIDATE=false.",
            fg="yellow",
            err=True,
        )
    base = (url or settings.public_base_url).rstrip("/")
    simulated = SimulatedCall(
        base_url=base, token=token, identity=CallIdentity(caller, hotline), keypad=keypad,
        follow_queue=True, queue_round_s=hold_s, max_steps=MAX_STEPS + QUEUE_ROUNDS,
    )
    simulated.listener = Transcript(simulated.turns, quiet=quiet)
    try:
        with httpx.Client(timeout=15.0) as client:
            run_call(client, simulated)
    except httpx.ConnectError:
        typer.secho(
            f"Không kết nối được tới {base}: máy chủ có đang chạy không? (make run)", fg="red", err=True
        )
        raise typer.Exit(2) from None
    except httpx.HTTPError as exc:
        typer.secho(f"Lỗi kết nối tới {base}: {exc.__class__.__name__} {exc}", fg="red", err=True)
        raise typer.Exit(2) from None
    summary = (
        f"CallSid {simulated.identity.call_sid}: {len(simulated.turns)} lượt, "
        f"kết thúc: {ENDING_LABELS[simulated.ended_by or 'error']}"
    )
    if simulated.failed:
        typer.secho(f"{summary} — {simulated.error}", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo(summary)


def register(app: typer.Typer) -> None:
    app.command("call")(call)
