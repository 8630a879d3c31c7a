"""Book covers on the borrow screen (issue #13): a 10-book stack with covers against the same
stack drawing placeholders, in one run of one process, so the ratio is the cost of covers."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

from tests.bench.rows import Row

ROOT = Path(__file__).resolve().parents[2]


def measure(rounds: int = 5) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.cover_child", str(rounds)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"cover benchmark child failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(rounds: int = 8) -> list[Row]:
    data = measure(rounds)
    with_covers, without = data["covers"], data["placeholders"]
    first_with = [r["first_row_ms"] for r in with_covers]
    first_without = [r["first_row_ms"] for r in without]
    stack_with = statistics.median(r["stack_rows_ms"] for r in with_covers)
    stack_without = statistics.median(r["stack_rows_ms"] for r in without)
    covers_in = statistics.median(r["stack_covers_ms"] for r in with_covers)
    ui_with = statistics.median(r["ui_ms"] for r in with_covers)
    ui_without = statistics.median(r["ui_ms"] for r in without)
    return [
        Row(
            "10-book stack: first row painted",
            len(first_with),
            f"covers p50 {statistics.median(first_with):.1f} ms, max {max(first_with):.1f} ms; "
            f"placeholders p50 {statistics.median(first_without):.1f} ms "
            f"(the core decides the stack first; no target of its own)",
        ),
        Row(
            "10-book stack: all 10 rows painted",
            len(with_covers),
            f"covers {stack_with:.0f} ms / placeholders {stack_without:.0f} ms = "
            f"{stack_with / stack_without:.2f}x (medians, stacks alternating in one process)",
        ),
        Row(
            "10-book stack: outcomes -> rows painted",
            len(with_covers),
            f"covers {ui_with:.1f} ms / placeholders {ui_without:.1f} ms = "
            f"{ui_with / ui_without:.2f}x (the UI thread's share; target < 100 ms, as a row)",
        ),
        Row(
            "10-book stack: every cover shown",
            len(with_covers),
            f"{covers_in:.0f} ms after the first tag (600x860 JPEGs decoded off the UI thread)",
        ),
    ]
