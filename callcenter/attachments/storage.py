"""Where attachment bytes are kept: a small interface, a folder store and an S3 one.

The database holds a row per attachment with its `storage_key`; the bytes live here, so
the database stays small and backups of it stay fast. `open_store(url)` picks the store
from the `ATTACHMENTS_STORE_URL` setting:

- a folder path or `file:///…` URL (the default `var/attachments`): every worker must
  see the same folder;
- `s3://BUCKET[/PREFIX][?endpoint=URL][&region=NAME]`: an S3-compatible object store
  (Amazon S3, MinIO, Ceph…), see `callcenter/attachments/s3.py`. Its credentials come
  from boto3's usual chain (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, a shared
  credentials file, an instance role), never from the URL.

Every store answers alike: `get` of a key that holds nothing and any failure to reach
the store raise `StoreError` with the reason; `delete` of such a key does nothing.
`check_store` is what start-up calls: it also makes sure the store can be reached.
"""

from __future__ import annotations

import os
import re
import tempfile
from functools import lru_cache
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

    def check(self) -> None:
        """Raise StoreError, saying why, when the store cannot be used (at start-up)."""


def checked_key(key: str) -> str:
    """A key is lower-case path segments (`246810/3f2a….jpg`): never `..`, never absolute."""
    if not _KEY.fullmatch(key) or ".." in key:
        raise StoreError(f"invalid storage key {key!r}")
    return key


class FolderStore:
    """Files under one folder, written whole or not at all (temp file, then rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()  # made with the first file kept in it

    def _path(self, key: str) -> Path:
        return self.root / checked_key(key)

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

    def check(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"ATTACHMENTS_STORE_URL: {self.root} is not a folder")


@lru_cache(maxsize=4)
def _s3_store(url: str) -> AttachmentStore:
    """One client per URL and process: boto3 is imported here, only where it is used
    (it costs a process tens of MB), and a client is worth keeping (connection pool)."""
    from callcenter.attachments.s3 import S3Store

    return S3Store.from_url(url)


def open_store(url: str) -> AttachmentStore:
    """The store `url` names; StoreError for a URL that names none. Reaches nothing."""
    parsed = urlparse(url)
    if parsed.scheme in ("", "file"):
        return FolderStore(Path(unquote(parsed.path) if parsed.scheme == "file" else url))
    if parsed.scheme == "s3":
        return _s3_store(url)
    raise StoreError(f"ATTACHMENTS_STORE_URL: unknown kind of store {parsed.scheme!r}")


def check_store(url: str) -> AttachmentStore:
    """The store `url` names, once it is known to answer: what a process checks at start."""
    store = open_store(url)
    store.check()
    return store


def request_store(request: Request) -> AttachmentStore:
    """The store the app's settings name (checked once at start-up, by `check_store`)."""
    return open_store(request.app.state.settings.attachments.store_url)
