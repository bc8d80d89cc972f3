"""The S3 store against a real S3 HTTP server (moto's, in this process: S3 faked at its
HTTP boundary, see conftest): the same answers as the folder store, a prefix of its
own, keys checked before anything is sent, and a store that is down answering at once."""

from __future__ import annotations

import socket
import time

import pytest
from mypy_boto3_s3 import S3Client

from callcenter.attachments.s3 import S3Store, parse_s3_url
from callcenter.attachments.storage import StoreError, check_store, open_store
from tests.callcenter.attachments.conftest import (
    MakeBucket,
    endpoint_of,
    keys_in,
    start_s3_server,
    store_url,
)

PHOTO = b"\xff\xd8\xff\xe0 a photo of a household business registration"


def test_put_get_delete_under_the_prefix(s3_endpoint: str, make_bucket: MakeBucket, s3: S3Client) -> None:
    bucket = make_bucket()
    store = check_store(store_url(s3_endpoint, bucket, "tongdai/attachments"))
    store.put("246810/3f2a.jpg", PHOTO)
    assert keys_in(s3, bucket) == ["tongdai/attachments/246810/3f2a.jpg"]
    assert store.get("246810/3f2a.jpg") == PHOTO
    store.put("246810/3f2a.jpg", b"again")  # a key written twice holds the last bytes
    assert store.get("246810/3f2a.jpg") == b"again"

    store.delete("246810/3f2a.jpg")
    assert keys_in(s3, bucket) == []
    with pytest.raises(StoreError, match=r"no attachment stored under '246810/3f2a\.jpg'"):
        store.get("246810/3f2a.jpg")
    store.delete("246810/3f2a.jpg")  # a key that holds nothing: nothing to do, no error


def test_prefixes_keep_stores_apart_in_one_bucket(
    s3_endpoint: str, make_bucket: MakeBucket, s3: S3Client
) -> None:
    bucket = make_bucket()
    bare, hotline = open_store(store_url(s3_endpoint, bucket)), open_store(store_url(s3_endpoint, bucket, "hotline"))
    bare.put("246810/a.pdf", b"%PDF-1.4 bare")
    hotline.put("246810/a.pdf", b"%PDF-1.4 hotline")
    assert keys_in(s3, bucket) == ["246810/a.pdf", "hotline/246810/a.pdf"]
    assert (bare.get("246810/a.pdf"), hotline.get("246810/a.pdf")) == (b"%PDF-1.4 bare", b"%PDF-1.4 hotline")
    hotline.delete("246810/a.pdf")
    assert keys_in(s3, bucket) == ["246810/a.pdf"]


@pytest.mark.parametrize("key", ["../246810/a.jpg", "246810/../../a.jpg", "/246810/a.jpg", "246810/A.JPG", ""])
def test_a_key_outside_the_rules_is_refused_before_anything_is_sent(
    s3_endpoint: str, make_bucket: MakeBucket, s3: S3Client, key: str
) -> None:
    bucket = make_bucket()
    store = open_store(store_url(s3_endpoint, bucket, "p"))
    for call in (lambda: store.put(key, PHOTO), lambda: store.get(key), lambda: store.delete(key)):
        with pytest.raises(StoreError, match="invalid storage key"):
            call()
    assert keys_in(s3, bucket) == []


@pytest.mark.parametrize(("url", "said"), [
    ("s3://AKIAEXAMPLE:wJalrXUtnFEMI@tongdai/x", "credentials do not go in the URL"),
    ("s3://tongdai?endpoint=http://minio:wJalrXUtnFEMI@minio:9000", "credentials do not go in the endpoint"),
    ("s3://Tong_Dai/x", "is not a bucket name"),
    ("s3://tongdai/a/../b", "is not a key prefix"),
    ("s3://tongdai?endpoint=minio:9000", "is not an http(s) URL"),
    ("s3://tongdai?endpiont=http://minio:9000", "unknown option endpiont (known: endpoint, region)"),
])
def test_a_wrong_url_is_refused_saying_what_is_wrong(url: str, said: str) -> None:
    with pytest.raises(StoreError) as refused:
        open_store(url)
    assert said in str(refused.value)
    assert "wJalrXUtnFEMI" not in str(refused.value)  # a secret put in the URL is not repeated


def test_the_url_s_parts() -> None:
    assert parse_s3_url("s3://tongdai/hotline/files/?endpoint=https://s3.example.vn&region=hn-1") == \
        parse_s3_url("s3://tongdai/hotline/files?region=hn-1&endpoint=https%3A%2F%2Fs3.example.vn")
    location = parse_s3_url("s3://tongdai/hotline/files/?endpoint=https://s3.example.vn&region=hn-1")
    assert (location.bucket, location.prefix, location.endpoint, location.region) == \
        ("tongdai", "hotline/files", "https://s3.example.vn", "hn-1")


def test_the_start_up_check_refuses_a_bucket_that_is_not_there(s3_endpoint: str) -> None:
    with pytest.raises(StoreError, match=r"there is no bucket 'tongdai-missing' at http://127\.0\.0\.1:\d+; create it first"):
        check_store(store_url(s3_endpoint, "tongdai-missing"))


def test_a_stopped_server_answers_store_error_at_once(make_bucket: MakeBucket) -> None:
    server = start_s3_server()
    endpoint = endpoint_of(server)
    store = check_store(store_url(endpoint, make_bucket(), "p"))  # the default timeouts and tries
    store.put("246810/a.jpg", PHOTO)
    server.stop()
    server._server.server_close()  # type: ignore[union-attr]  # stop() leaves the port listening
    for call in (lambda: store.get("246810/a.jpg"), lambda: store.put("246810/b.jpg", PHOTO),
                 lambda: store.delete("246810/a.jpg"), store.check):
        started = time.monotonic()
        with pytest.raises(StoreError, match=f"at {endpoint}: could not .*Could not connect to the endpoint"):
            call()
        assert time.monotonic() - started < 3  # two tries, a short wait between: never a hang


def test_a_store_that_takes_the_request_and_never_answers_times_out() -> None:
    """A socket that listens and never answers (a hung store): the read timeout ends the
    wait. Shortened here; the store's defaults are 3 s to connect, 5 s to read, 2 tries."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}"
        store = S3Store(parse_s3_url(store_url(endpoint, "tongdai-silent")), read_timeout=0.3, attempts=1)
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"could not read '246810/a\.jpg': Read timeout"):
            store.get("246810/a.jpg")
        assert time.monotonic() - started < 2
