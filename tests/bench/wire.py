"""A lean HTTP/1.1 keep-alive client for the load generator.

httpx costs the generator ~1 ms of CPU per request: on a 2-core machine the generator
then saturates its own core before the server does, and the bench measures the generator
(the bare endpoint stalled at the same ~500 req/s as the IVR). This client writes a
request with one `bytes` join and reads the answer with an asyncio `Protocol`, so a
request costs tens of microseconds and the server's core is what runs out.

It speaks only what the bench needs of the server under test: POST or GET with a
form body, `Content-Length` answers (uvicorn sends no chunked webhook answers),
persistent connections, and one request at a time per connection — as a Twilio edge
holds one webhook per call.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit


class WireError(OSError):
    """The connection failed or the answer could not be read."""


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


class _AnswerReader(asyncio.Protocol):
    def __init__(self) -> None:
        self._buffer = bytearray()
        self._waiter: asyncio.Future[Answer] | None = None
        self.transport: asyncio.Transport | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(WireError(f"connection closed: {exc or 'by the server'}"))

    def expect(self) -> asyncio.Future[Answer]:
        self._waiter = asyncio.get_running_loop().create_future()
        return self._waiter

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        head_end = self._buffer.find(b"\r\n\r\n")
        if head_end < 0 or self._waiter is None:
            return
        head = bytes(self._buffer[:head_end]).decode("latin-1").split("\r\n")
        try:
            status = int(head[0].split(" ", 2)[1])
        except (IndexError, ValueError):
            self._fail(f"not an HTTP status line: {head[0][:80]!r}")
            return
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" not in headers:
            self._fail("answer without Content-Length")
            return
        length = int(headers["content-length"])
        body_start = head_end + 4
        if len(self._buffer) < body_start + length:
            return
        body = bytes(self._buffer[body_start : body_start + length])
        del self._buffer[: body_start + length]
        waiter, self._waiter = self._waiter, None
        if not waiter.done():
            waiter.set_result(Answer(status, headers.get("content-type", ""), body))
        if headers.get("connection", "").lower() == "close" and self.transport is not None:
            self.transport.close()

    def _fail(self, message: str) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(WireError(message))
        if self.transport is not None:
            self.transport.close()


class Connection:
    """One keep-alive connection to one host, reopened when the server closes it."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._host_header = parts.netloc.encode()
        self._reader: _AnswerReader | None = None

    async def _open(self) -> _AnswerReader:
        if self._reader is None or self._reader.closed:
            loop = asyncio.get_running_loop()
            _, protocol = await loop.create_connection(_AnswerReader, self._host, self._port)
            self._reader = protocol
        return self._reader

    async def send(self, method: str, url: str, form: dict[str, str], headers: dict[str, str]) -> Answer:
        target = urlsplit(url)
        path = target.path + ("?" + target.query if target.query else "")
        body = urlencode(form).encode() if method == "POST" else b""
        lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + self._host_header]
        lines += [f"{name}: {value}".encode() for name, value in headers.items()]
        if method == "POST":
            lines.append(b"Content-Type: application/x-www-form-urlencoded")
        lines.append(b"Content-Length: " + str(len(body)).encode())
        payload = b"\r\n".join(lines) + b"\r\n\r\n" + body
        for attempt in (1, 2):
            reader = await self._open()
            answer = reader.expect()
            assert reader.transport is not None
            reader.transport.write(payload)
            try:
                return await answer
            except WireError:
                # A keep-alive connection the server closed while idle: once more on a new one.
                if attempt == 2 or not reader.closed:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._reader is not None and self._reader.transport is not None:
            self._reader.transport.close()
