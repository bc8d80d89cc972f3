"""A phone that texts the hotline: signed SMS webhooks, replies read from the TwiML."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from tests.conftest import twilio_post

_sids = itertools.count(1)


@dataclass
class Texter:
    client: TestClient
    number: str = "+84987654321"
    sent: list[str] = field(default_factory=list)

    def send(self, body: str, *, sid: str | None = None) -> str | None:
        """The reply text, or None when the hotline chose not to answer."""
        sid = sid or f"SM{next(_sids):032d}"
        params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "0" * 32, "From": self.number,
                  "To": "+842553818558", "Body": body, "NumMedia": "0"}
        r = twilio_post(self.client, "/twilio/sms", params)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/xml")
        messages = ET.fromstring(r.text).findall("Message")
        assert len(messages) <= 1, r.text
        self.sent.append(sid)
        return messages[0].text if messages else None


@pytest.fixture
def texter(client: TestClient) -> Texter:
    return Texter(client)
