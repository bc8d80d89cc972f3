"""A caller for webhook tests: posts signed forms through the TestClient, reads TwiML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import twilio_post


@dataclass
class Answer:
    status: int
    text: str

    @property
    def root(self) -> ET.Element:
        return ET.fromstring(self.text)

    def verbs(self) -> list[str]:
        return [el.tag for el in self.root]

    def said(self) -> str:
        return " ".join((el.text or "") for el in self.root.iter("Say"))

    def gather(self) -> ET.Element | None:
        return self.root.find("Gather")

    def next_url(self) -> str:
        gather = self.gather()
        assert gather is not None, self.text
        return str(gather.get("action"))

    def timeout_url(self) -> str:
        redirect = self.root.find("Redirect")
        assert redirect is not None, self.text
        return str(redirect.text)


@dataclass
class VoiceCaller:
    client: TestClient
    caller: str = "+84987654321"
    sid: str = "CA" + "1" * 32
    answers: list[Answer] = field(default_factory=list)

    def post(self, path: str, **extra: str) -> Answer:
        params: dict[str, Any] = {
            "CallSid": self.sid, "AccountSid": "AC" + "0" * 32, "From": self.caller,
            "To": "+842553818558", "CallStatus": "in-progress", "Direction": "inbound", **extra,
        }
        r = twilio_post(self.client, path, params)
        answer = Answer(r.status_code, r.text)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith("text/xml")
        self.answers.append(answer)
        return answer

    def ring(self) -> Answer:
        return self.post("/twilio/voice")

    def press(self, digits: str) -> Answer:
        return self.post(self.answers[-1].next_url(), Digits=digits)

    def silence(self) -> Answer:
        return self.post(self.answers[-1].timeout_url())

    def keys(self, *presses: str) -> Answer:
        for p in presses:
            self.press(p)
        return self.answers[-1]

    def hang_up(self, duration: int = 60) -> Answer:
        return self.post("/twilio/voice/status", CallStatus="completed", CallDuration=str(duration))
