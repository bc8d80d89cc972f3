"""Where attachment bytes are kept: a small interface and its folder implementation.

The database holds a row per attachment with its `storage_key`; the bytes live here, so
the database stays small and backups of it stay fast. `open_store(url)` picks the store
from the `ATTACHMENTS_STORE_URL` setting: a folder path or `file:///…` URL. An
S3-compatible store (`s3://bucket/prefix`, e.g. MinIO) is the intended second
implementation and is refused with a clear message until it exists.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

from fastapi import Request

_KEY = re.compile(r"[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*")


class StoreError(Exception):
    pass


class AttachmentStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...


class FolderStore:
    """Files under one folder, written whole or not at all (temp file, then rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()  # made with the first file kept in it

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key) or ".." in key:
            raise StoreError(f"invalid storage key {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise StoreError(f"no attachment stored under {key!r}") from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def open_store(url: str) -> AttachmentStore:
    parsed = urlparse(url)
    if parsed.scheme in ("", "file"):
        return FolderStore(Path(unquote(parsed.path) if parsed.scheme == "file" else url))
    if parsed.scheme == "s3":
        raise StoreError(
            "ATTACHMENTS_STORE_URL: an S3-compatible store is not available in this version; "
            "use a folder (the default var/attachments) on storage every worker shares"
        )
    raise StoreError(f"ATTACHMENTS_STORE_URL: unknown kind of store {parsed.scheme!r}")


def request_store(request: Request) -> AttachmentStore:
    """The store the app's settings name (checked once at start-up, by `open_store`)."""
    return open_store(request.app.state.settings.attachments.store_url)
