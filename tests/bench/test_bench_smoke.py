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


def test_rfid_benchmark_reports_decode_rates_and_the_stack_split():
    from tests.bench import rfid_bench

    rows = rfid_bench.run(decode_count=200, stack_runs=1)
    assert [r.name for r in rows] == [
        "decode 28560-2",
        "decode 28560-3",
        "10-tag stack, paced FEIG 38400 pty",
        "10 tags FEIG: last row / floor",
        "10 tags FEIG: first row painted",
        "10 tags 3M 810: last row / floor",
        "10 tags 3M 810: first row painted",
    ]
    assert "tags/s" in rows[0].figure and "% (target < 5%)" in rows[2].figure
    assert all("target" in row.figure and row.n == 1 for row in rows[3:])


def test_ui_benchmark_runs_in_its_own_process():
    from tests.bench import ui_bench

    rows = ui_bench.run(items=5)
    assert [r.name for r in rows] == [
        "cold start to first paint",
        "tag event -> row painted",
        "peak memory (RSS)",
    ]
    assert rows[1].n == 5


def test_cover_benchmark_borrows_stacks_with_and_without_covers():
    from tests.bench import cover_bench

    data = cover_bench.measure(rounds=1)
    assert [len(data[kind]) for kind in ("covers", "placeholders")] == [1, 1]
    covered = data["covers"][0]
    assert len(covered["row_ms"]) == 10  # every row of the stack painted
    assert covered["stack_covers_ms"] >= covered["stack_rows_ms"] > 0  # covers shown too


def test_sip2_stack_benchmark_borrows_through_the_ui_in_parallel():
    """The #12 point 8 row: a stack through the real UI against pysip2 with a delay."""
    from tests.bench import sip2_stack_bench

    parallel = sip2_stack_bench.measure(items=3, delay_s=0.3, sessions=3, runs=1)
    assert len(parallel) == 1 and parallel[0] < 3 * 0.3  # not one message after another


def test_fleet_benchmark_times_the_pages_on_postgresql():
    from tests.bench import fleet_bench

    rows = fleet_bench.run(kiosks=30, districts=3, days=10, repeats=3)
    assert [r.name.split(" (")[0] for r in rows] == [
        "overview, 30 kiosks",
        "overview, one district",
        "overview, search",
        "ranking, 30 days",
        "ranking, 10 days",
    ]
    assert all(r.n == 3 and "p95" in r.figure and "target p95 < 300 ms" in r.figure for r in rows)


def test_efficiency_benchmark_times_the_page_on_postgresql():
    from tests.bench import efficiency_bench

    rows = efficiency_bench.run(rooms=5, days=10, repeats=2)
    assert [r.name for r in rows] == [
        "efficiency page, 5 rooms, a year (PostgreSQL)",
        "efficiency page, 5 rooms, a month (PostgreSQL)",
    ]
    assert all(
        "target p95 < 1000 ms" in r.figure and "transactions seeded" in r.figure for r in rows
    )


def test_rotation_benchmark_times_proposing_a_plan_on_postgresql():
    from tests.bench import rotation_bench

    rows = rotation_bench.run(extra=20, repeats=2)
    assert [r.name for r in rows] == [
        "rotation suggestion, 30 rooms, 3,597 volumes (PostgreSQL)",
        "rotation proposal, one room (PostgreSQL)",
        "rotation plan of 320 items made (PostgreSQL)",
    ]
    assert all("target" in r.figure for r in rows) and rows[0].n == 2
