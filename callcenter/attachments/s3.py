"""Attachments in an S3-compatible object store (Amazon S3, MinIO, Ceph…), through boto3.

    ATTACHMENTS_STORE_URL=s3://BUCKET[/PREFIX][?endpoint=URL][&region=NAME]

- BUCKET must exist (start-up checks it is there and answers); PREFIX, if any, is put
  before every key (`s3://tongdai/attachments` keeps `246810/3f2a….jpg` as
  `attachments/246810/3f2a….jpg`), so one bucket can serve several things.
- `endpoint`: the store's base URL, for anything but Amazon itself
  (`?endpoint=http://minio:9000`); objects are then addressed by path, as MinIO expects.
- `region`: where the bucket is, if boto3's own settings (`AWS_REGION`) do not say.
- Credentials are never in the URL (it is shown in messages and logs): boto3 reads them
  from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, a shared credentials file or an
  instance role. A URL carrying any is refused.

Every call waits a few seconds at most and is tried twice at most: a store that is down
makes an upload fail with a message, never hang. Checksums are sent only where S3
requires one, as stores other than Amazon's refuse the headers newer boto3 adds.

This module is imported only by a process whose store is one of these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import parse_qsl, urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from callcenter.attachments.storage import StoreError, checked_key

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 5.0
ATTEMPTS = 2  # the first try and one more: a store that is down is not asked again and again

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PREFIX = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
_OPTIONS = ("endpoint", "region")
_MISSING = ("NoSuchKey", "404", "NotFound")


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str = ""
    endpoint: str | None = None
    region: str | None = None


def parse_s3_url(url: str) -> S3Location:
    """The parts of an `s3://` URL, or StoreError saying which one is wrong."""
    parsed = urlparse(url)
    where = "ATTACHMENTS_STORE_URL"
    if "@" in parsed.netloc:  # said without repeating the URL: it holds a secret
        raise StoreError(f"{where}: credentials do not go in the URL; set AWS_ACCESS_KEY_ID and "
                         "AWS_SECRET_ACCESS_KEY (or another source boto3 reads) instead")
    if not _BUCKET.fullmatch(parsed.netloc):
        raise StoreError(f"{where}: {parsed.netloc!r} is not a bucket name (s3://BUCKET/PREFIX)")
    prefix = parsed.path.strip("/")
    if prefix and not _PREFIX.fullmatch(prefix):
        raise StoreError(f"{where}: {prefix!r} is not a key prefix (letters, digits, . _ - and /)")
    options = dict(parse_qsl(parsed.query, keep_blank_values=True))
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise StoreError(f"{where}: unknown option {', '.join(unknown)} (known: {', '.join(_OPTIONS)})")
    endpoint = options.get("endpoint") or None
    if endpoint is not None:
        target = urlparse(endpoint)
        if "@" in target.netloc:
            raise StoreError(f"{where}: credentials do not go in the endpoint; set AWS_ACCESS_KEY_ID "
                             "and AWS_SECRET_ACCESS_KEY instead")
        if target.scheme not in ("http", "https") or not target.hostname:
            raise StoreError(f"{where}: endpoint {endpoint!r} is not an http(s) URL")
    return S3Location(bucket=parsed.netloc, prefix=prefix, endpoint=endpoint,
                      region=options.get("region") or None)


class S3Store:
    """Objects in one bucket under one prefix; put, get and delete as FolderStore does."""

    def __init__(self, location: S3Location, *, connect_timeout: float = CONNECT_TIMEOUT_S,
                 read_timeout: float = READ_TIMEOUT_S, attempts: int = ATTEMPTS) -> None:
        self.location = location
        config = Config(
            connect_timeout=connect_timeout, read_timeout=read_timeout,
            retries={"mode": "standard", "total_max_attempts": attempts},
            s3={"addressing_style": "path"} if location.endpoint else None,
            request_checksum_calculation="when_required", response_checksum_validation="when_required",
        )
        # A session of its own: boto3's default one is shared and not safe across threads;
        # the client made from it is.
        self._client: S3Client = boto3.session.Session().client(
            "s3", endpoint_url=location.endpoint, region_name=location.region, config=config,
        )

    @classmethod
    def from_url(cls, url: str) -> S3Store:
        return cls(parse_s3_url(url))

    def _key(self, key: str) -> str:
        checked_key(key)
        return f"{self.location.prefix}/{key}" if self.location.prefix else key

    def _fail(self, doing: str, exc: Exception) -> NoReturn:
        where = f"S3 bucket {self.location.bucket!r}" + (
            f" at {self.location.endpoint}" if self.location.endpoint else "")
        if isinstance(exc, NoCredentialsError):
            reason = "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        elif isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            reason = f"{error.get('Code', '?')} {error.get('Message', '')}".strip()
        else:
            reason = str(exc)
        raise StoreError(f"{where}: could not {doing}: {reason}") from exc

    def put(self, key: str, data: bytes) -> None:
        name = self._key(key)
        try:
            self._client.put_object(Bucket=self.location.bucket, Key=name, Body=data)
        except (BotoCoreError, ClientError) as exc:
            self._fail(f"store {key!r}", exc)

    def get(self, key: str) -> bytes:
        name = self._key(key)
        try:
            answer = self._client.get_object(Bucket=self.location.bucket, Key=name)
            return answer["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                raise StoreError(f"no attachment stored under {key!r}") from None
            self._fail(f"read {key!r}", exc)
        except BotoCoreError as exc:
            self._fail(f"read {key!r}", exc)

    def delete(self, key: str) -> None:
        name = self._key(key)
        try:  # S3 answers 204 for a key that holds nothing; some stores 404
            self._client.delete_object(Bucket=self.location.bucket, Key=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in _MISSING:
                self._fail(f"delete {key!r}", exc)
        except BotoCoreError as exc:
            self._fail(f"delete {key!r}", exc)

    def check(self) -> None:
        """The bucket is there and these credentials may use it."""
        try:
            self._client.head_bucket(Bucket=self.location.bucket)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("404", "NoSuchBucket", "NotFound"):
                raise StoreError(f"ATTACHMENTS_STORE_URL: there is no bucket {self.location.bucket!r}"
                                 + (f" at {self.location.endpoint}" if self.location.endpoint else "")
                                 + "; create it first") from exc
            if code in ("403", "AccessDenied", "Forbidden"):
                raise StoreError(f"ATTACHMENTS_STORE_URL: access to bucket {self.location.bucket!r} is "
                                 "denied; check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and the "
                                 "bucket's policy") from exc
            self._fail("reach the bucket", exc)
        except BotoCoreError as exc:
            self._fail("reach the bucket", exc)
