"""An upload received as a stream, with a cap, straight to a temporary file.

FastAPI's `UploadFile` would have the whole body spooled before the endpoint runs; a
citizen on 3G (or someone hostile) sending 500 MB would cost that much first. Here a
declared `Content-Length` above the cap is refused before one byte of the body is
read, and a body without one is read only up to the cap.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header

# Room for the multipart framing and the small text fields beside the file.
FORM_OVERHEAD = 64 * 1024
MAX_FIELD = 1024


class UploadRefused(Exception):
    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def too_large(max_bytes: int) -> UploadRefused:
    megabytes = max_bytes / (1024 * 1024)
    return UploadRefused(413, f"Tệp quá lớn: tối đa {megabytes:g} MB một tệp.")


@dataclass
class Upload:
    fields: dict[str, str] = field(default_factory=dict)
    path: Path | None = None  # the file part, when one was sent
    filename: str | None = None
    size: int = 0


class _Parts:
    """Callbacks of python-multipart's streaming parser, writing the file part to disk."""

    def __init__(self, upload: Upload, spool: Path, max_bytes: int) -> None:
        self.upload, self.spool, self.max_bytes = upload, spool, max_bytes
        self.header_field = b""
        self.header_value = b""
        self.name: str | None = None
        self.is_file = False
        self.buffer = bytearray()
        self.out = spool.open("wb")
        self.error: UploadRefused | None = None

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.part_begin, "on_part_data": self.part_data, "on_part_end": self.part_end,
            "on_header_field": self.header_field_data, "on_header_value": self.header_value_data,
            "on_header_end": self.header_end,
        }

    def part_begin(self) -> None:
        self.name, self.is_file, self.buffer = None, False, bytearray()

    def header_field_data(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def header_value_data(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def header_end(self) -> None:
        if self.header_field.lower() == b"content-disposition":
            _, options = parse_options_header(self.header_value)
            self.name = options.get(b"name", b"").decode("utf-8", "replace")
            if b"filename" in options:
                self.is_file = True
                filename = options[b"filename"].decode("utf-8", "replace")[:200]
                if not filename:  # a file input left empty (a form offers camera and gallery)
                    self.name = None
                else:
                    self.upload.filename = filename
        self.header_field = self.header_value = b""

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.error is not None or (self.is_file and self.name is None):
            return
        chunk = data[start:end]
        if self.is_file:
            if self.upload.path is not None:
                self.error = UploadRefused(422, "Mỗi lần chỉ gửi một tệp.")
                return
            self.upload.size += len(chunk)
            if self.upload.size > self.max_bytes:
                self.error = too_large(self.max_bytes)
                return
            self.out.write(chunk)
        else:
            self.buffer += chunk
            if len(self.buffer) > MAX_FIELD:
                self.error = UploadRefused(422, "Biểu mẫu gửi kèm quá dài.")

    def part_end(self) -> None:
        if self.error is not None or self.name is None:
            return
        if self.is_file:
            if self.upload.path is None:
                self.upload.path = self.spool
        else:
            self.upload.fields[self.name] = self.buffer.decode("utf-8", "replace")


@contextmanager
def spool_file() -> Iterator[Path]:
    fd, name = tempfile.mkstemp(prefix="tongdai-upload-")
    os.close(fd)
    path = Path(name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


async def read_upload(request: Request, *, max_bytes: int, spool: Path) -> Upload:
    """Parse a multipart/form-data body into small text fields and one file, written to
    `spool`; UploadRefused (413, 415, 422) with a Vietnamese message otherwise."""
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRefused(415, "Hãy gửi tệp dạng multipart/form-data (trường file và name).")
    limit = max_bytes + FORM_OVERHEAD
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(max_bytes)  # nothing of the body has been read
    upload = Upload()
    parts = _Parts(upload, spool, max_bytes)
    parser = MultipartParser(boundary, parts.callbacks())  # type: ignore[arg-type]
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise too_large(max_bytes)
            parser.write(chunk)
            if parts.error is not None:
                raise parts.error
        parser.finalize()
    finally:
        parts.out.close()
    if parts.error is not None:
        raise parts.error
    return upload
