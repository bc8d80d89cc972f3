"""`make bench`: the IVR's webhooks under load, on SQLite and on PostgreSQL.

The server runs as in production (uvicorn, one worker, signatures checked, no access
log); simulated callers — the same phone as `tongdai call` — drive complete calls through
it from a load-generator process. Two scenarios per database: saturation (callers press
keys as fast as answers come), measured in slices that alternate with the same load on
the bare endpoint so that both see the same minutes of the machine, and a caller's pace
(1,000 calls in progress, a key every ~3 s). Everything is loopback, bounded in time,
and stops by itself.

Environment: BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/bench;
the database is created if missing and its schema dropped each run), BENCH_STRICT=1 to
exit non-zero when a target fails. `--quick` runs short scenarios for a smoke check.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import importlib.util
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console

from ivr.simulator import CallIdentity, ScriptedKeypad, SimulatedCall, run_call
from tests.bench.load import (
    HOTLINE,
    KNOWN_OWNER,
    KNOWN_OWNER_SCRIPTS,
    UNKNOWN_CALLER_SCRIPTS,
    Kind,
    LoadResult,
    LoadSpec,
    run_load,
)
from tests.bench.report import BackendRun, render
from tests.bench.server import Backend, Server, postgres_backend, sqlite_backend

console = Console(highlight=False)


@dataclass(frozen=True)
class Plan:
    concurrency: int = 32
    saturation_s: float = 20.0
    bare_s: float = 15.0
    # The bare endpoint and the IVR take turns in this many slices of their time: this
    # machine's speed drifts by a quarter within minutes, and the IVR ÷ bare ratio is only
    # fair when both are measured in the same minutes.
    slices: int = 5
    pace_callers: int = 1000
    pace_s: float = 75.0


QUICK = Plan(concurrency=16, saturation_s=5.0, bare_s=4.0, slices=2, pace_callers=200, pace_s=15.0)


def probe(server: Server) -> tuple[bool, list[str]]:
    """One call per script before the load: a script the menu does not follow is a bench bug."""
    notes: list[str] = []
    ivr_ok = True
    scripts = [("+84987000001", s) for s in UNKNOWN_CALLER_SCRIPTS] + [
        (KNOWN_OWNER, s) for s in KNOWN_OWNER_SCRIPTS
    ]
    with httpx.Client(timeout=15.0) as client:
        for caller, script in scripts:
            heard: list[str] = []
            call = SimulatedCall(
                base_url=server.base_url,
                token=server.token,
                identity=CallIdentity(caller, HOTLINE),
                keypad=ScriptedKeypad.parse(script),
                listener=lambda h: heard.append(h.line),
            )
            run_call(client, call)
            if call.failed:
                ivr_ok = False
                notes.append(f"probe {script} from {caller}: {call.error}")
            elif call.ended_by != "hangup":
                notes.append(
                    f"probe {script} from {caller} ended '{call.ended_by}', not with a goodbye; heard: "
                    + " / ".join(heard[-4:])
                )
    return ivr_ok, notes


def bench_backend(backend: Backend, workdir: Path, generator: ProcessPoolExecutor, plan: Plan) -> BackendRun:
    run = BackendRun(backend.name)
    server = Server(backend, workdir)
    console.print(f"[bold]{backend.name}[/]: schema and demo data …")
    server.cli("db", "upgrade")
    server.cli("demo", "seed")
    with server:
        server.start()
        ivr_ok, notes = probe(server)
        run.notes.extend(notes)

        def load(kind: Kind, concurrency: int, duration_s: float, part: str = "") -> LoadResult:
            console.print(f"  {kind}{part}: {concurrency} callers for {duration_s:.0f} s …")
            spec = LoadSpec(server.base_url, server.token, kind, concurrency, duration_s)
            cpu_before = server.cpu_s()
            result = generator.submit(run_load, spec).result(timeout=duration_s + 120)
            cpu_after = server.cpu_s()
            if cpu_before is not None and cpu_after is not None:
                result.server_cpu_s = cpu_after - cpu_before
            return result

        for n in range(1, plan.slices + 1):
            part = f" (slice {n} of {plan.slices})"
            bare = load("bare", plan.concurrency, plan.bare_s / plan.slices, part)
            run.bare = run.bare.add(bare) if run.bare else bare
            if ivr_ok:
                ivr = load("ivr", plan.concurrency, plan.saturation_s / plan.slices, part)
                run.saturation = run.saturation.add(ivr) if run.saturation else ivr
        if ivr_ok:
            run.pace = load("pace", plan.pace_callers, plan.pace_s)
        else:
            run.notes.append("the IVR does not answer calls: only the bare endpoint was measured")
        run.peak_rss_mb = server.peak_rss_mb()
    errors = sum(r.errors for r in (run.saturation, run.bare, run.pace) if r)
    if errors or "Traceback" in server.log_tail(200_000):
        run.notes.append(f"errors or a traceback: the server's log is kept in {server.log_path}")
    return run


# Benchmarks of their own, run after the webhook load: (title, module with a main()).
SIDE_BENCHES = (
    ("What a caller hears before their reference", "tests.bench.speech"),
    ("Vessel registry import (100,000 rows)", "tests.bench.vessel_import"),
    ("Call log and reports over 1,000,000 call events", "tests.bench.call_log"),
)


def side_benches() -> None:
    for title, name in SIDE_BENCHES:
        console.print(f"[bold]{title}[/]")
        try:
            importlib.import_module(name).main()
        except Exception as exc:  # one part failing must not hide the figures of the others
            console.print(f"[red]{name} failed: {exc.__class__.__name__}: {exc}[/]")
        console.print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short scenarios, a smoke check of the bench")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--pace-callers", type=int, help="calls in progress in the paced scenario (1000)")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else Plan()
    if args.pace_callers:
        plan = dataclasses.replace(plan, pace_callers=args.pace_callers)
    started = time.monotonic()
    console.print(
        f"Load generator and server share this machine's {os.cpu_count()} cores: the generator runs in "
        "its own process, but its CPU use still lowers what the server can reach, so the figures are "
        "a floor, not a ceiling."
    )
    runs: list[BackendRun] = []
    spawn = multiprocessing.get_context("spawn")
    workdir = Path(tempfile.mkdtemp(prefix="tongdai-bench-"))
    with ProcessPoolExecutor(1, mp_context=spawn) as gen:
        backends = [sqlite_backend(workdir)]
        if not args.sqlite_only:
            postgres, why = postgres_backend()
            if postgres is None:
                console.print(f"[yellow]PostgreSQL skipped: {why}[/]")
            else:
                backends.append(postgres)
        for backend in backends:
            try:
                runs.append(bench_backend(backend, workdir, gen, plan))
            except (RuntimeError, TimeoutError, httpx.HTTPError) as exc:
                console.print(f"[red]{backend.name}: the bench could not run: {exc}[/]")
                runs.append(BackendRun(backend.name, notes=[f"not measured: {exc}"[:300]]))
        console.print()
        found = render(console, runs, concurrency=plan.concurrency, pace_callers=plan.pace_callers)
    if any("log is kept" in note for run in runs for note in run.notes):
        console.print(f"[yellow]work directory kept for the logs: {workdir}[/]")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    console.print()
    side_benches()
    console.print(f"\n[dim]bench finished in {time.monotonic() - started:.0f} s[/]")
    failed = any(t.passed is False for t in found)
    return 1 if failed and os.environ.get("BENCH_STRICT") == "1" else 0


if __name__ == "__main__":
    sys.exit(main())
