"""The sync benchmark runs end to end at tiny sizes (figures come from make bench)."""

from __future__ import annotations

import pytest

from tests.bench import sync_bench


@pytest.mark.slow
def test_sync_benchmark_measures_push_pull_and_ingest(tmp_path, capsys):
    rows = sync_bench.run(
        push_txns=200,
        pull_rows=300,
        ingest_threads=2,
        ingest_requests=6,
        postgres=False,
        folder=tmp_path,
    )
    names = [row[0] for row in rows]
    assert names == [
        "push, batch 100, SQLite",
        "push, batch 1000, SQLite",
        "pull, pages of 1000, SQLite",
        "push, kiosk side only",
        "pull, kiosk side only",
        "heartbeat, 2 threads, SQLite",
        "push 10 rows, 2 threads, SQLite",
    ]
    assert [row[1] for row in rows] == [200, 200, 300, 200, 300, 6, 6]
    assert all(row[2] > 0 and row[3] > 0 for row in rows)
    assert all(row[5] >= row[4] > 0 for row in rows[5:])
    sync_bench.print_rows(rows)
    assert "push, batch 100" in capsys.readouterr().out
