"""The benchmark runs and measures what it says (small sizes; figures come from make bench)."""

from __future__ import annotations

from tests.bench import circulation_bench


def test_benchmark_runs_every_operation_through_the_core(tmp_path):
    result = circulation_bench.run(items=3_000, patrons=500, operations=200, folder=tmp_path)
    names = [t.name for t in result["timings"]]
    assert names == ["durable commit (1 row)", "checkout", "renew", "checkin"]
    assert all(len(t.samples_ms) == 200 for t in result["timings"])
    # every checkout, renewal and checkin made a journal row unless a limit refused it
    assert 400 <= result["journal_rows"] <= 600
    assert all(t.p99 >= t.p50 > 0 for t in result["timings"])
