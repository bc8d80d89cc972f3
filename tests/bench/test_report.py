"""The bench's verdicts: a figure on the wrong side of a target must read FAIL."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.bench.load import LoadResult
from tests.bench.report import BackendRun, percentile, targets


def result(kind: str, requests: int, elapsed_s: float, latencies: list[float]) -> LoadResult:
    return LoadResult(kind=kind, elapsed_s=elapsed_s, latencies_ms=latencies, requests=requests)  # type: ignore[arg-type]


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (50.0, 99.0, 100.0)
    assert percentile([7.0], 99) == 7.0


def verdicts(runs: list[BackendRun]) -> dict[str, bool | None]:
    return {t.label: t.passed for t in targets(runs)}


def test_targets_pass_and_fail_on_the_right_side() -> None:
    sqlite = BackendRun(
        "SQLite",
        saturation=result("ivr", 9000, 10.0, [5.0] * 100),  # 900 req/s
        bare=result("bare", 15000, 10.0, [1.0]),  # IVR is 60% of bare
        pace=result("pace", 3000, 10.0, [10.0] * 98 + [60.0, 70.0]),  # p99 60 ms
        peak_rss_mb=150.0,
    )
    postgres = BackendRun("PostgreSQL", saturation=result("ivr", 6000, 10.0, [5.0]), peak_rss_mb=250.0)
    postgres.saturation.endings = Counter({"hangup": 10, "error": 1})  # type: ignore[union-attr]

    got = verdicts([sqlite, postgres])

    assert got["SQLite saturation ≥ 800 webhook req/s"] is True
    assert got["SQLite: paced calls p99 ≤ 50 ms"] is False
    assert got["SQLite: peak server memory < 200 MB"] is True
    assert got["PostgreSQL: peak server memory < 200 MB"] is False
    assert got["PostgreSQL: paced calls p99 ≤ 50 ms"] is None  # not measured is not a pass
    assert got["PostgreSQL: no failed webhook or call"] is False
    assert not any("bare" in label or "within" in label for label in got)  # information, not targets


def test_slices_of_one_scenario_add_up_to_one_result() -> None:
    # The bench alternates bare and IVR slices; the figures are those of all slices together.
    first = result("bare", 3000, 3.0, [1.0, 2.0])
    first.server_cpu_s, first.endings = 0.6, Counter({"hangup": 2})
    second = result("bare", 5000, 2.0, [3.0])
    second.server_cpu_s, second.peak_in_progress, second.errors = 0.4, 7, 1
    total = first.add(second)
    assert (total.requests, total.elapsed_s, total.latencies_ms) == (8000, 5.0, [1.0, 2.0, 3.0])
    assert (total.server_cpu_s, total.peak_in_progress, total.errors) == (1.0, 7, 1)
    assert total.cpu_ms_per_request == 0.125 and total.endings == Counter({"hangup": 2})
    with pytest.raises(ValueError):
        total.add(result("ivr", 1, 1.0, []))
