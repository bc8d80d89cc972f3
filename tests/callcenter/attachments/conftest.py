"""An S3 server for the S3 store's tests: moto's, run in this process on a loopback port.

moto answers S3's HTTP API as Amazon documents it (PutObject, GetObject, HeadBucket…),
so the store under test talks real HTTP through real boto3 and botocore: S3 is faked at
its HTTP boundary only. Credentials are the dummy ones moto takes, set in the environment
as a deployment sets real ones; nothing here reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer
from mypy_boto3_s3 import S3Client

# The mobile site's fixtures (Twilio faked at HTTP, a signed-in citizen's client) and the
# console's users, for the test that goes through the app end to end.
from tests.callcenter.console.conftest import make_user
from tests.callcenter.mobile.conftest import client
from tests.callcenter.public.conftest import app, settings, twilio, vessel, worker

__all__ = ["app", "client", "make_user", "settings", "twilio", "vessel", "worker"]

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The environment boto3 reads, and nothing of this machine's own AWS set-up."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask a cloud's metadata address
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


def start_s3_server() -> ThreadedMotoServer:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    return server


def endpoint_of(server: ThreadedMotoServer) -> str:
    host, port = server.get_host_and_port()
    return f"http://{host}:{port}"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = start_s3_server()
    yield endpoint_of(server)
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, aws_credentials: None) -> S3Client:
    """A client of the test's own, to look into the buckets behind the store's back."""
    return boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)


MakeBucket = Callable[[], str]


@pytest.fixture
def make_bucket(s3: S3Client) -> MakeBucket:
    """A new, empty bucket each time: tests share the server, never a bucket."""

    def make() -> str:
        name = f"tongdai-{uuid.uuid4().hex[:12]}"
        s3.create_bucket(Bucket=name)
        return name

    return make


def store_url(endpoint: str, bucket: str, prefix: str = "") -> str:
    path = f"/{prefix}" if prefix else ""
    return f"s3://{bucket}{path}?endpoint={endpoint}&region={REGION}"


def keys_in(s3: S3Client, bucket: str) -> list[str]:
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []))
