"""The load generator: many simulated callers at once, run in a process of its own.

It reuses the phone simulator's sans-IO call (signing, TwiML, key presses), so a
benchmark call is exactly what `tongdai call` and Twilio do; the bytes travel over the
lean keep-alive client in `wire.py`, not httpx, so the generator's core is not what runs
out. The generator runs in a process of its own; on a 2-core machine the server's one
worker has the other core.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from ivr.simulator import CallIdentity, Gather, ScriptedKeypad, SimulatedCall, signed_request
from ivr.simulator.drivers import TWILIO_TIMEOUT_S, play_async
from ivr.simulator.signing import WebhookRequest
from tests.bench.wire import Connection, WireError

HOTLINE = "+842553818558"
KNOWN_OWNER = "+84905123456"  # QNg-90567-TS's owner in the demo registry
BARE_PATH = "/twilio/bench/bare"

# Complete calls that leave a draft dossier (contract section 3): main menu, procedure
# (and variant), the vessel by its digits or by the caller's number, read-back, confirm.
UNKNOWN_CALLER_SCRIPTS = ("1,1,90567#,1,1", "2,90567#,1,1")
KNOWN_OWNER_SCRIPTS = ("1,1,1,1", "2,1,1")

Kind = Literal["ivr", "bare", "pace"]


@dataclass(frozen=True)
class LoadSpec:
    base_url: str
    token: str
    kind: Kind
    concurrency: int
    duration_s: float
    think_s: float = 3.0  # pace: mean time between key presses
    jitter_s: float = 1.0
    known_share: float = 0.2
    seed: int = 2026


@dataclass
class LoadResult:
    kind: Kind
    elapsed_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)  # webhooks the caller waits on
    requests: int = 0  # every webhook sent, status callbacks included
    calls: int = 0
    endings: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    timeouts: int = 0
    error_kinds: Counter[str] = field(default_factory=Counter)
    peak_in_progress: int = 0
    server_cpu_s: float | None = None  # filled in by the runner, which can see the server

    @property
    def cpu_ms_per_request(self) -> float | None:
        return self.server_cpu_s * 1000 / self.requests if self.server_cpu_s and self.requests else None

    @property
    def failed_calls(self) -> int:
        return self.endings["error"] + self.endings["max-steps"]

    @property
    def completed_calls(self) -> int:
        """Calls the IVR brought to an end (a goodbye, a transfer), not ones the caller left."""
        return self.calls - self.failed_calls - self.endings["caller"]

    def note_error(self, message: str) -> None:
        self.errors += 1
        self.error_kinds[message[:120]] += 1

    def add(self, other: LoadResult) -> LoadResult:
        """This and `other` (the same scenario, another slice of time) as one result."""
        if other.kind != self.kind:
            raise ValueError(f"cannot add a {other.kind} run to a {self.kind} run")
        self.elapsed_s += other.elapsed_s
        self.latencies_ms.extend(other.latencies_ms)
        self.requests += other.requests
        self.calls += other.calls
        self.endings.update(other.endings)
        self.errors += other.errors
        self.timeouts += other.timeouts
        self.error_kinds.update(other.error_kinds)
        self.peak_in_progress = max(self.peak_in_progress, other.peak_in_progress)
        if other.server_cpu_s is not None:
            self.server_cpu_s = (self.server_cpu_s or 0.0) + other.server_cpu_s
        return self


def unknown_caller(rng: random.Random) -> str:
    return f"+84987{rng.randrange(1_000_000):06d}"  # 0987… is in no demo registry row


def choose_call(rng: random.Random, known_share: float) -> tuple[str, str]:
    if rng.random() < known_share:
        return KNOWN_OWNER, rng.choice(KNOWN_OWNER_SCRIPTS)
    return unknown_caller(rng), rng.choice(UNKNOWN_CALLER_SCRIPTS)


class _DeadlineKeypad(ScriptedKeypad):
    """A scripted caller who hangs up when the measurement window closes."""

    def __init__(self, entries: list[str], deadline: float) -> None:
        super().__init__(entries)
        self._deadline = deadline

    def keys(self, gather: Gather) -> str | None:
        if time.monotonic() >= self._deadline:
            return None
        return super().keys(gather)


async def _send(conn: Connection, request: WebhookRequest) -> tuple[int, str, bytes]:
    answer = await conn.send(request.method, request.url, request.form, request.headers)
    return answer.status, answer.content_type, answer.body


async def _place_call(
    conn: Connection, spec: LoadSpec, rng: random.Random, result: LoadResult, deadline: float | None
) -> None:
    caller, script = choose_call(rng, spec.known_share)
    entries = [entry.strip() for entry in script.split(",")]
    keypad = _DeadlineKeypad(entries, deadline) if deadline is not None else ScriptedKeypad(entries)
    call = SimulatedCall(
        base_url=spec.base_url, token=spec.token, identity=CallIdentity(caller, HOTLINE), keypad=keypad
    )

    async def think() -> None:
        await asyncio.sleep(rng.uniform(spec.think_s - spec.jitter_s, spec.think_s + spec.jitter_s))

    try:
        await play_async(lambda request: _send(conn, request), call, think=think if spec.kind == "pace" else None)
    except (WireError, OSError) as exc:
        result.note_error(f"{exc.__class__.__name__}: {exc}")
    except TimeoutError:
        result.timeouts += 1  # Twilio would have given up on this webhook and the call
        result.note_error(f"no answer within Twilio's {TWILIO_TIMEOUT_S:.0f} s")
    result.calls += 1
    result.requests += len(call.turns) + 1
    result.latencies_ms.extend(turn.latency_s * 1000 for turn in call.turns)
    result.endings[call.ended_by or "error"] += 1
    if call.failed:
        result.note_error(call.error or str(call.ended_by))


async def _ivr_caller(spec: LoadSpec, index: int, end: float, result: LoadResult) -> None:
    rng = random.Random(spec.seed * 100_003 + index)
    conn = Connection(spec.base_url)
    try:
        while time.monotonic() < end:
            await _place_call(conn, spec, rng, result, None)
    finally:
        conn.close()


async def _bare_caller(spec: LoadSpec, index: int, end: float, result: LoadResult) -> None:
    rng = random.Random(spec.seed * 100_003 + index)
    identity = CallIdentity(unknown_caller(rng), HOTLINE)
    conn = Connection(spec.base_url)
    try:
        while time.monotonic() < end:
            request = signed_request("POST", spec.base_url + BARE_PATH, identity.params(Digits="1"), spec.token)
            started = time.perf_counter()
            try:
                async with asyncio.timeout(TWILIO_TIMEOUT_S):
                    status, _, _ = await _send(conn, request)
            except (WireError, OSError) as exc:
                result.note_error(f"{exc.__class__.__name__}: {exc}")
                continue
            except TimeoutError:
                result.timeouts += 1
                result.note_error(f"no answer within Twilio's {TWILIO_TIMEOUT_S:.0f} s")
                continue
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
            result.requests += 1
            if status != 200:
                result.note_error(f"bare endpoint answered HTTP {status}")
    finally:
        conn.close()


async def _pace_caller(spec: LoadSpec, index: int, end: float, result: LoadResult, active: list[int]) -> None:
    rng = random.Random(spec.seed * 100_003 + index)
    # Spread the first calls over one key-press interval, as calls arrive through a day.
    await asyncio.sleep(rng.uniform(0, spec.think_s))
    # One connection per caller, as Twilio's edge opens its own.
    conn = Connection(spec.base_url)
    try:
        while time.monotonic() < end:
            active[0] += 1
            result.peak_in_progress = max(result.peak_in_progress, active[0])
            try:
                await _place_call(conn, spec, rng, result, end)
            finally:
                active[0] -= 1
    finally:
        conn.close()


async def _run(spec: LoadSpec) -> LoadResult:
    result = LoadResult(kind=spec.kind)
    started = time.monotonic()
    end = started + spec.duration_s
    active = [0]
    if spec.kind == "ivr":
        tasks = [_ivr_caller(spec, i, end, result) for i in range(spec.concurrency)]
    elif spec.kind == "bare":
        tasks = [_bare_caller(spec, i, end, result) for i in range(spec.concurrency)]
    else:
        tasks = [_pace_caller(spec, i, end, result, active) for i in range(spec.concurrency)]
    # Callers finish the call in hand; the hard cap stops a stuck server from stalling us.
    running = [asyncio.ensure_future(task) for task in tasks]
    _, stuck = await asyncio.wait(running, timeout=spec.duration_s + 3 * TWILIO_TIMEOUT_S)
    for task in stuck:
        task.cancel()
    if stuck:
        result.note_error(f"{len(stuck)} callers still waiting at the hard time limit")
    await asyncio.gather(*stuck, return_exceptions=True)
    result.elapsed_s = time.monotonic() - started
    return result


def run_load(spec: LoadSpec) -> LoadResult:
    """Entry point in the generator process: one scenario, start to finish."""
    try:
        import uvloop  # installed with uvicorn[standard]; a lighter loop for the generator
    except ImportError:
        return asyncio.run(_run(spec))
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(_run(spec))
