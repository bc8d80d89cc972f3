"""The bench's table: figures per database, the bare floor, and the targets beside them."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

from tests.bench.load import LoadResult

# The targets. The IVR ÷ bare ratio and PostgreSQL ÷ SQLite are printed as information.
SATURATION_MIN_RPS = 800.0
PACE_MAX_P99_MS = 50.0
MAX_RSS_MB = 200.0


@dataclass
class BackendRun:
    name: str
    saturation: LoadResult | None = None
    bare: LoadResult | None = None
    pace: LoadResult | None = None
    peak_rss_mb: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    label: str
    passed: bool | None  # None: not measured
    figure: str


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: the value q% of the webhooks did not exceed."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def rps(result: LoadResult | None) -> float | None:
    return result.requests / result.elapsed_s if result and result.elapsed_s else None


def _latencies(result: LoadResult | None) -> str:
    if result is None or not result.latencies_ms:
        return "—"
    return " / ".join(f"{percentile(result.latencies_ms, q):.1f}" for q in (50, 95, 99))


def _num(value: float | None, fmt: str = "{:.0f}") -> str:
    return "—" if value is None else fmt.format(value)


def _cpu(result: LoadResult | None) -> str:
    """CPU ms per request, and the req/s one free core would give: robust to other load."""
    per = result.cpu_ms_per_request if result else None
    return "—" if per is None else f"{per:.2f} (≈{1000 / per:.0f}/s per core)"


def _cpu_share(run: BackendRun) -> float | None:
    ivr = run.saturation.cpu_ms_per_request if run.saturation else None
    bare = run.bare.cpu_ms_per_request if run.bare else None
    return bare / ivr if ivr and bare else None


def _share(run: BackendRun) -> float | None:
    ivr, bare = rps(run.saturation), rps(run.bare)
    return ivr / bare if ivr and bare else None


def targets(runs: list[BackendRun]) -> list[Target]:
    found: list[Target] = []
    sqlite = next((r for r in runs if r.name == "SQLite"), None)
    if sqlite:
        value = rps(sqlite.saturation)
        found.append(
            Target(
                f"SQLite saturation ≥ {SATURATION_MIN_RPS:.0f} webhook req/s",
                None if value is None else value >= SATURATION_MIN_RPS,
                _num(value),
            )
        )
    for run in runs:
        p99 = percentile(run.pace.latencies_ms, 99) if run.pace and run.pace.latencies_ms else None
        found.append(
            Target(
                f"{run.name}: paced calls p99 ≤ {PACE_MAX_P99_MS:.0f} ms",
                None if p99 is None else p99 <= PACE_MAX_P99_MS,
                _num(p99, "{:.1f} ms"),
            )
        )
        found.append(
            Target(
                f"{run.name}: peak server memory < {MAX_RSS_MB:.0f} MB",
                None if run.peak_rss_mb is None else run.peak_rss_mb < MAX_RSS_MB,
                _num(run.peak_rss_mb, "{:.0f} MB"),
            )
        )
        # A call that hit an error is one failure, however many webhooks it had left.
        failed = sum(r.failed_calls for r in (run.saturation, run.pace) if r) + (
            run.bare.errors if run.bare else 0
        )
        found.append(Target(f"{run.name}: no failed webhook or call", failed == 0, str(failed)))
    return found


def render(
    console: Console, runs: list[BackendRun], *, concurrency: int, pace_callers: int, think_s: float = 3.0
) -> list[Target]:
    table = Table(title="tongdai — webhook benchmark (one uvicorn worker, loopback)")
    table.add_column("")
    for run in runs:
        table.add_column(run.name, justify="right")

    def row(label: str, cells: list[str]) -> None:
        table.add_row(label, *cells)

    row(f"saturation ({concurrency} callers): webhook req/s", [_num(rps(r.saturation)) for r in runs])
    row("  latency p50 / p95 / p99 (ms)", [_latencies(r.saturation) for r in runs])
    row(
        "  completed calls/s",
        [
            _num(r.saturation.completed_calls / r.saturation.elapsed_s if r.saturation else None, "{:.1f}")
            for r in runs
        ],
    )
    row("  server CPU per webhook (ms)", [_cpu(r.saturation) for r in runs])
    row("bare endpoint, same load: req/s", [_num(rps(r.bare)) for r in runs])
    row("  latency p50 / p95 / p99 (ms)", [_latencies(r.bare) for r in runs])
    row("  server CPU per request (ms)", [_cpu(r.bare) for r in runs])
    row("  IVR ÷ bare, req/s (information)", [_num(_share(r), "{:.0%}") for r in runs])
    row("  IVR ÷ bare, server CPU per request (information)", [_num(_cpu_share(r), "{:.0%}") for r in runs])
    row(
        f"paced ({pace_callers} callers): calls in progress, peak",
        [_num(r.pace.peak_in_progress if r.pace else None) for r in runs],
    )
    row("  webhook req/s", [_num(rps(r.pace)) for r in runs])
    row("  latency p50 / p95 / p99 (ms)", [_latencies(r.pace) for r in runs])
    row("  server CPU per webhook (ms)", [_cpu(r.pace) for r in runs])
    row("  completed calls", [_num(r.pace.completed_calls if r.pace else None) for r in runs])
    row("peak server memory, VmHWM (MB)", [_num(r.peak_rss_mb) for r in runs])
    row(
        "failed calls / errors / of which 15 s timeouts",
        [
            f"{sum(x.failed_calls for x in (r.saturation, r.pace) if x)} / "
            f"{sum(x.errors for x in (r.saturation, r.bare, r.pace) if x)} / "
            f"{sum(x.timeouts for x in (r.saturation, r.bare, r.pace) if x)}"
            for r in runs
        ],
    )
    console.print(table)

    for run in runs:
        for note in run.notes:
            console.print(f"[yellow]{run.name}:[/] {note}")
        for result in (run.saturation, run.bare, run.pace):
            if result and result.error_kinds:
                kinds = " | ".join(f"{n}× {kind}" for kind, n in result.error_kinds.most_common(3))
                console.print(f"[red]{run.name} {result.kind} errors:[/] {kinds}")
        endings = run.saturation.endings if run.saturation else None
        if endings:
            console.print(f"{run.name} saturation call endings: {dict(endings)}", style="dim")

    console.print(
        f"{pace_callers} paced callers pressing a key every ~{think_s:.0f} s press ≈{pace_callers / think_s:.0f} "
        "keys/s; with each call's first webhook and status callback that is ≈1.5× as many webhooks/s. "
        "Answers queue as that nears the saturation figure, and p99 grows.",
        style="dim",
    )
    found = targets(runs)
    console.print()
    for target in found:
        verdict = (
            "[dim]n/a[/]" if target.passed is None else "[green]PASS[/]" if target.passed else "[red]FAIL[/]"
        )
        console.print(f"  {verdict}  {target.label}: {target.figure}")
    return found
