"""The network side of a simulated call: blocking for the terminal, asyncio for the bench.

Both loops are the same few lines around `SimulatedCall`; transport errors (server down,
timeouts) propagate as `httpx.HTTPError` for the caller to report. The asyncio driver also
holds each webhook to Twilio's 15 s in total (httpx's timeouts are per phase, so a request
could otherwise wait for a connection, then for the answer) and raises `TimeoutError`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx

from ivr.simulator.call import SimulatedCall
from ivr.simulator.signing import WebhookRequest

# Twilio gives a webhook 15 s before it gives up on the call.
TWILIO_TIMEOUT_S = 15.0


def _send(client: httpx.Client, request: WebhookRequest) -> httpx.Response:
    if request.method == "GET":
        return client.get(request.url, headers=request.headers)
    return client.post(request.url, data=request.form, headers=request.headers)


async def _send_async(client: httpx.AsyncClient, request: WebhookRequest) -> httpx.Response:
    if request.method == "GET":
        return await client.get(request.url, headers=request.headers)
    return await client.post(request.url, data=request.form, headers=request.headers)


def run_call(client: httpx.Client, call: SimulatedCall, *, status_callback: bool = True) -> SimulatedCall:
    """Plays the whole call, then reports it completed as Twilio does."""
    request: WebhookRequest | None = call.first_request()
    while request is not None:
        if call.hold_s:
            time.sleep(call.hold_s)  # hold music in the queue
        started = time.perf_counter()
        response = _send(client, request)
        latency = time.perf_counter() - started
        request = call.on_answer(
            response.status_code, response.headers.get("content-type", ""), response.content, latency
        )
    if status_callback:
        finish(call, _send(client, call.status_callback()).status_code)
    return call


# One webhook sent by an asyncio transport: (HTTP status, content type, body).
AsyncSend = Callable[[WebhookRequest], Awaitable[tuple[int, str, bytes]]]


async def play_async(
    send: AsyncSend,
    call: SimulatedCall,
    *,
    think: Callable[[], Awaitable[None]] | None = None,
    status_callback: bool = True,
    timeout_s: float = TWILIO_TIMEOUT_S,
) -> SimulatedCall:
    """The asyncio call loop over any transport (httpx here, the bench's lean client)."""
    request: WebhookRequest | None = call.first_request()
    while request is not None:
        if think is not None and call.next_is_input:
            await think()
        started = time.perf_counter()
        async with asyncio.timeout(timeout_s):
            status, content_type, body = await send(request)
        request = call.on_answer(status, content_type, body, time.perf_counter() - started)
    if status_callback:
        async with asyncio.timeout(timeout_s):
            status, _, _ = await send(call.status_callback())
        finish(call, status)
    return call


async def run_call_async(
    client: httpx.AsyncClient,
    call: SimulatedCall,
    *,
    think: Callable[[], Awaitable[None]] | None = None,
    status_callback: bool = True,
    timeout_s: float = TWILIO_TIMEOUT_S,
) -> SimulatedCall:
    """As `run_call`; `think` is awaited before each key press, to pace a caller."""

    async def send(request: WebhookRequest) -> tuple[int, str, bytes]:
        response = await _send_async(client, request)
        return response.status_code, response.headers.get("content-type", ""), response.content

    return await play_async(send, call, think=think, status_callback=status_callback, timeout_s=timeout_s)


def finish(call: SimulatedCall, status: int) -> None:
    """Twilio ignores the status callback's body, but a failing one is still a server bug."""
    if not 200 <= status < 300 and not call.failed:
        call.ended_by = "error"
        call.error = f"POST /twilio/voice/status trả lời HTTP {status}"
