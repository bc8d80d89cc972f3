"""`make soak`: what an attacker or a bad day tries first, against the app as `make run` starts it.

A fresh SQLite database in a temporary directory, `tongdai db upgrade` and `tongdai demo
seed`, then `uvicorn --factory callcenter.app:create_app` on a free loopback port with
its access log on and the outbox worker inside (so the built-in one-stop emulator is
started, as on a laptop demo). Then, each bounded in count and time, loopback only:
the one-stop emulator's old routes and its own port, unsigned and malformed webhooks,
browser headers, the access log, citizen IDs over the API, a submission end to end, a
flood of 2,000 wrong logins 50 at a time, and 50 MB bodies. Prints what it tried and
what held; exits 1 if anything did not.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from twilio.request_validator import RequestValidator

from tests.bench.server import free_port, stop_server, wait_until_healthy

VENV_BIN = Path(sys.executable).parent
FLOOD_TRIES = 2000
FLOOD_AT_ONCE = 50
BIG = 50 * 1024 * 1024
OPERATOR = ("vanhanh", "vanhanh-demo-2026")
SUPERVISOR = ("giamsat", "giamsat-demo-2026")
ADMIN = ("quantri", "quantri-demo-2026")


@dataclass
class Finding:
    name: str
    tried: str
    held: bool = False
    figures: list[str] = field(default_factory=list)


class Soak:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(16)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "ONESTOP_", "LOGIN_"))}
        self.env.update(
            DATABASE_URL=f"sqlite:///{workdir / 'tongdai.db'}", PUBLIC_BASE_URL=self.base,
            TWILIO_AUTH_TOKEN=self.token, SECRET_KEY=secrets.token_urlsafe(48), DEMO_MODE="true",
            PYTHONUNBUFFERED="1",
        )
        self.log_path = workdir / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.findings: list[Finding] = []

    # -- the server ------------------------------------------------------------------------

    def tongdai(self, *args: str) -> str:
        done = subprocess.run([str(VENV_BIN / "tongdai"), *args], env=self.env, cwd=self.workdir,
                              capture_output=True, text=True, timeout=120, check=False)
        if done.returncode:
            raise RuntimeError(f"tongdai {' '.join(args)}: {(done.stderr or done.stdout)[-800:]}")
        return done.stdout

    def start(self) -> None:
        self.tongdai("db", "upgrade")
        self.tongdai("demo", "seed")
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [str(VENV_BIN / "uvicorn"), "--factory", "callcenter.app:create_app",
                 "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        assert self.proc is not None
        wait_until_healthy(self.proc, self.base, lambda: self.log()[-2000:])

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        stop_server(proc)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def rss_mb(self) -> float:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def cpu_s(self) -> float:
        """CPU seconds the server has used (user + system)."""
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def watch_memory(self) -> tuple[Callable[[], float], Callable[[], None]]:
        """(peak so far, stop): the server's resident memory, sampled every 20 ms."""
        peak = [self.rss_mb()]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                peak[0] = max(peak[0], self.rss_mb())

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()

        def stop() -> None:
            done.set()
            thread.join()

        return (lambda: peak[0]), stop

    # -- helpers ---------------------------------------------------------------------------

    def check(self, name: str, tried: str) -> Finding:
        finding = Finding(name, tried)
        self.findings.append(finding)
        return finding

    def signed(self, path: str, params: dict[str, str]) -> httpx.Response:
        signature = RequestValidator(self.token).compute_signature(self.base + path, params)
        return httpx.post(self.base + path, data=params, headers={"X-Twilio-Signature": signature})

    def login(self, user: tuple[str, str]) -> dict[str, str]:
        response = httpx.post(self.base + "/api/v1/auth/token", data={"username": user[0], "password": user[1]})
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    # -- the scenarios ---------------------------------------------------------------------

    def started_like_make_run(self) -> None:
        f = self.check("start", "the app as `make run` starts it: fresh database, demo seed, uvicorn --factory")
        ready = httpx.get(self.base + "/readyz")
        loud = "BUILT-IN ONE-STOP EMULATOR" in self.log()
        f.figures.append(f"/readyz {ready.status_code}; emulator announced at start-up: {loud}")
        f.held = ready.status_code == 200 and loud

    def emulator_off_the_public_port(self) -> None:
        f = self.check("one-stop emulator", "its old routes on the service's port; its own port without the key")
        old = {
            ("GET", "/onestop-emulator/pa/dossier/search"), ("GET", "/onestop-emulator/pa/dossier/--by-code?code=x"),
            ("POST", "/onestop-emulator/pa/dossier/--apply-online"),
            ("POST", "/onestop-emulator/_emulator/dossiers/000.00.53.H48-270203-0001/--status"),
        }
        statuses = sorted({httpx.request(m, self.base + p, json={}).status_code for m, p in old})
        found = re.search(r"url\W+(http://127\.0\.0\.1:\d+)", self.log())
        own: list[int] = []
        if found:
            search = found.group(1) + "/pa/dossier/search"
            own = [httpx.get(search).status_code,
                   httpx.get(search, headers={"Authorization": "Bearer guessed"}).status_code]
        f.figures.append(f"old routes answered {statuses}; emulator at {found.group(1) if found else '?'} "
                         f"without / with a guessed key: {own}")
        f.held = statuses == [404] and own == [401, 401]

    def unsigned_webhooks(self) -> None:
        f = self.check("webhooks", "unsigned, wrongly signed, broken multipart, 1,500 fields; then a signed call")
        answers: dict[str, int] = {}
        for path in ("/twilio/voice", "/twilio/voice/step/1", "/twilio/voice/recorded", "/twilio/sms"):
            answers[f"unsigned {path}"] = httpx.post(self.base + path, data={"CallSid": "CA1"}).status_code
            answers[f"bad signature {path}"] = httpx.post(
                self.base + path, data={"CallSid": "CA1"}, headers={"X-Twilio-Signature": "AAAA"}).status_code
        answers["broken multipart"] = httpx.post(
            self.base + "/twilio/voice", content=b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1',
            headers={"Content-Type": "multipart/form-data; boundary=b", "X-Twilio-Signature": "x"}).status_code
        answers["1,500 fields"] = httpx.post(
            self.base + "/twilio/voice/step/1", content="&".join(f"f{i}=1" for i in range(1500)),
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"}).status_code
        signed = self.signed("/twilio/voice", {"CallSid": "CA" + secrets.token_hex(16), "From": "+84905123456",
                                               "To": "+842553818558", "CallStatus": "ringing"})
        refused = sorted(set(answers.values()))
        f.figures.append(f"{len(answers)} forged or broken posts answered {refused}; "
                         f"the signed call {signed.status_code} {signed.headers.get('content-type')}")
        f.held = refused == [403] and signed.status_code == 200 and "<Response>" in signed.text

    def browser_headers(self) -> None:
        f = self.check("headers", "the login page, the guide and an API answer")
        login = httpx.get(self.base + "/console/login").headers
        guide = httpx.get(self.base + "/huong-dan").headers
        api = httpx.get(self.base + "/api/v1/dossiers").headers
        csp = login.get("content-security-policy", "")
        ok = ("script-src 'self';" in csp and "frame-ancestors 'none'" in csp
              and login.get("x-content-type-options") == "nosniff" and login.get("cache-control") == "no-store"
              and login.get("referrer-policy") == "same-origin" and "content-security-policy" in guide
              and api.get("cache-control") == "no-store" and api.get("x-content-type-options") == "nosniff")
        f.figures.append(f"CSP: {csp[:80]}…")
        f.held = ok

    def access_log(self) -> None:
        f = self.check("access log", "GET /api/v1/calls?phone=%2B84905123456 and ?phone=0987654321")
        httpx.get(self.base + "/api/v1/calls", params={"phone": "+84905123456"})
        httpx.get(self.base + "/api/v1/dossiers?phone=0987654321")
        time.sleep(0.3)
        lines = [line for line in self.log().splitlines() if "/api/v1/calls" in line or "phone=" in line]
        leaked = [line for line in lines if "84905123456" in line or "0987654321" in line]
        f.figures.append(f"{len(lines)} access lines, {len(leaked)} with a whole number; e.g. {lines[-1][-70:]!r}"
                         if lines else "no access line found")
        f.held = bool(lines) and not leaked

    def id_numbers_and_a_submission(self) -> None:
        f = self.check("citizen IDs", "a call leaves a draft; an operator completes it with an ID and submits it")
        done = subprocess.run([str(VENV_BIN / "tongdai"), "call", "--keys", "2,90567#,1,1", "--url", self.base],
                              env=self.env, cwd=self.workdir, capture_output=True, text=True, timeout=120,
                              check=False)
        operator = self.login(OPERATOR)
        items = httpx.get(self.base + "/api/v1/dossiers", headers=operator).json()["items"]
        if done.returncode or not items:
            f.figures.append(f"no draft from the call: {done.stdout[-300:]}")
            return
        reference = items[0]["reference"]
        httpx.post(f"{self.base}/api/v1/dossiers/{reference}/claim", headers=operator).raise_for_status()
        patch = {"applicant": {"name": "Nguyễn Văn Tàu", "id_number": "051080123456", "phone": "0905123456",
                               "address": {"line": "Thôn Thanh Thủy", "commune": "Bình Châu", "province": "Quảng Ngãi"}},
                 "fields": {"inspection_kind": "định kỳ", "inspection_place": "Trung tâm tỉnh, 54 Hùng Vương",
                            "inspection_date": time.strftime("%Y-%m-%d", time.localtime(time.time() + 5 * 86400))},
                 "delivery": {"method": "post"}}
        patched = httpx.patch(f"{self.base}/api/v1/dossiers/{reference}", json=patch, headers=operator)
        if patched.status_code != 200:
            f.figures.append(f"patch refused: {patched.text[:400]}")
        shown = httpx.get(f"{self.base}/api/v1/dossiers", headers=operator).text
        whole = {who: httpx.get(f"{self.base}/api/v1/dossiers/{reference}/id-number",
                                headers=self.login(user)).status_code
                 for who, user in (("holder", OPERATOR), ("supervisor", SUPERVISOR), ("admin", ADMIN))}
        submitted = httpx.post(f"{self.base}/api/v1/dossiers/{reference}/submit", headers=operator)
        status, deadline = "", time.monotonic() + 20
        while time.monotonic() < deadline and status != "submitted":
            time.sleep(0.3)
            status = httpx.get(f"{self.base}/api/v1/dossiers/{reference}", headers=operator).json()["status"]
        masked = "051******456" in shown and "051080123456" not in shown
        f.figures.append(f"patch {patched.status_code}; list shows the ID masked: {masked}; whole ID to {whole}; "
                         f"submit {submitted.status_code} → {status} through the loopback emulator")
        f.held = (patched.status_code == 200 and masked and whole == {"holder": 200, "supervisor": 200, "admin": 403}
                  and submitted.status_code == 202 and status == "submitted")

    def login_flood(self) -> None:
        f = self.check("login flood", f"{FLOOD_TRIES:,} wrong logins, {FLOOD_AT_ONCE} at a time, half at a real user")
        peak, stop = self.watch_memory()
        before, cpu_before = self.rss_mb(), self.cpu_s()
        statuses: list[int] = []
        latencies: list[float] = []

        async def flood() -> None:
            gate = asyncio.Semaphore(FLOOD_AT_ONCE)
            limits = httpx.Limits(max_connections=FLOOD_AT_ONCE)
            async with httpx.AsyncClient(base_url=self.base, limits=limits, timeout=60) as http:
                async def one(n: int) -> None:
                    async with gate:
                        begun = time.perf_counter()
                        r = await http.post("/api/v1/auth/token", data={
                            "username": OPERATOR[0] if n % 2 else f"guess{n}", "password": f"wrong-{n}"})
                        latencies.append(time.perf_counter() - begun)
                        statuses.append(r.status_code)
                await asyncio.gather(*(one(n) for n in range(FLOOD_TRIES)))

        begun = time.perf_counter()
        asyncio.run(flood())
        elapsed = time.perf_counter() - begun
        cpu_ms = (self.cpu_s() - cpu_before) * 1000 / FLOOD_TRIES
        stop()
        sms_begun = time.perf_counter()
        sms = self.signed("/twilio/sms", {"MessageSid": "SM" + secrets.token_hex(16), "From": "+84905123456",
                                          "To": "+842553818558", "Body": "HD"})
        sms_ms = (time.perf_counter() - sms_begun) * 1000
        latencies.sort()
        p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
        counted = {s: statuses.count(s) for s in sorted(set(statuses))}
        f.figures.append(f"{elapsed:.1f} s ({FLOOD_TRIES / elapsed:.0f} answers/s), p50 {p50 * 1000:.0f} ms, "
                         f"p99 {p99 * 1000:.0f} ms, server CPU {cpu_ms:.1f} ms an answer; answers {counted}; server memory {before:.0f} → "
                         f"peak {peak():.0f} MB; an SMS webhook right after: {sms.status_code} in {sms_ms:.0f} ms")
        f.held = (counted.get(429, 0) >= FLOOD_TRIES - 30 and set(counted) <= {401, 429} and elapsed < 120
                  and peak() - before < 200 and sms.status_code == 200)

    def oversized_bodies(self) -> None:
        f = self.check("50 MB bodies", "eight at once, unsigned: four paths, with and without Content-Length")
        peak, stop = self.watch_memory()
        before = self.rss_mb()

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(BIG // (256 * 1024)):
                yield b"x" * (256 * 1024)

        async def one(path: str, declared: bool) -> str:
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            if declared:
                headers["Content-Length"] = str(BIG)
            try:
                async with httpx.AsyncClient(timeout=30) as http:
                    r = await http.post(self.base + path, content=chunks(), headers=headers)
                return str(r.status_code)
            except httpx.TransportError:
                return "closed"  # refused mid-upload: the server stopped reading

        async def all_of_them() -> list[str]:
            paths = ("/twilio/voice", "/twilio/sms", "/console/login", "/api/v1/auth/token")
            return list(await asyncio.gather(*(one(p, d) for d in (True, False) for p in paths)))

        begun = time.perf_counter()
        answers = asyncio.run(all_of_them())
        elapsed = time.perf_counter() - begun
        stop()
        f.figures.append(f"answers {answers} in {elapsed:.1f} s; server memory {before:.0f} → peak {peak():.0f} MB")
        f.held = set(answers) <= {"413", "closed"} and "413" in answers and peak() - before < 50

    def still_standing(self) -> None:
        f = self.check("after all that", "/readyz and the server process")
        ready = httpx.get(self.base + "/readyz").status_code
        f.figures.append(f"/readyz {ready}; server running: {self.proc is not None and self.proc.poll() is None}")
        f.held = ready == 200

    def run(self) -> bool:
        steps = [self.started_like_make_run, self.emulator_off_the_public_port, self.unsigned_webhooks,
                 self.browser_headers, self.access_log, self.id_numbers_and_a_submission, self.login_flood,
                 self.oversized_bodies, self.still_standing]
        for step in steps:
            begun = time.perf_counter()
            try:
                step()
            except Exception as exc:  # a scenario that broke did not hold; the rest still run
                self.check(step.__name__, "(raised)").figures.append(f"{type(exc).__name__}: {exc}")
            finding = self.findings[-1]
            mark = "held" if finding.held else "DID NOT HOLD"
            print(f"[{mark:>12}] {finding.name}: {finding.tried}  ({time.perf_counter() - begun:.1f} s)")
            for figure in finding.figures:
                print(f"{'':15}{figure}")
            sys.stdout.flush()
        return all(f.held for f in self.findings)


def _workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="tongdai-soak-") as name:
        yield Path(name)


def main() -> int:
    for workdir in _workdir():
        soak = Soak(workdir)
        print(f"make soak: the app on {soak.base} (loopback only), a fresh database in {workdir}")
        try:
            soak.start()
            ok = soak.run()
        finally:
            soak.stop()
        print("Everything held." if ok else "Something did not hold: see above.")
        return 0 if ok else 1
    return 1


if __name__ == "__main__":
    sys.exit(main())
