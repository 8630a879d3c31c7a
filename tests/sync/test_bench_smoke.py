"""The sync benchmark runs end to end at tiny sizes (figures come from make bench)."""

from __future__ import annotations

import pytest

from tests.bench import sync_bench


@pytest.mark.slow
def test_sync_benchmark_measures_push_pull_and_ingest(tmp_path, capsys):
    rows = sync_bench.run(
        push_txns=200,
        pull_rows=300,
        ingest_kiosks=20,
        ingest_rate=40,
        ingest_seconds=1,
        postgres=False,
        folder=tmp_path,
    )
    names = [row[0] for row in rows]
    assert names[:5] == [
        "push, batch 100, SQLite",
        "push, batch 1000, SQLite",
        "pull, pages of 2000, SQLite",
        "push, kiosk side only",
        "pull, kiosk side only",
    ]
    assert [row[1] for row in rows[:5]] == [200, 200, 300, 200, 300]
    ingest = rows[5:]
    kinds = [name.split(" (")[0] for name, *_ in ingest]
    assert kinds == [
        "SQLite, 1 proc, 40 beats/s, heartbeat",
        "SQLite, 1 proc, max, beats",
        "SQLite, 1 proc, max, 1 in 5 a push",
        "SQLite, 1 proc, max, 1 in 5 a push",
    ]
    assert ingest[0][1] == 40  # every scheduled beat answered
    assert ingest[3][0].endswith("push 5 rows") and ingest[3][1] > 0
    assert all(row[2] > 0 and row[3] > 0 for row in rows)
    assert all(row[5] >= row[4] > 0 for row in ingest)
    sync_bench.print_rows(rows)
    assert "push, batch 100" in capsys.readouterr().out
