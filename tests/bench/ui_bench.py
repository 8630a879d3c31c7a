"""The touch UI, offscreen: cold start to the first painted home screen, the time from a
tag event to its item row painted, and peak memory — each run in a fresh process."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.rows import Row

ROOT = Path(__file__).resolve().parents[2]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(items: int = 200) -> list[Row]:
    launched = time.perf_counter()
    lines, cold = [], None
    with subprocess.Popen(  # the with closes the child's stdout pipe and waits for it
        [sys.executable, "-m", "tests.bench.ui_child", str(items)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == "first-paint" and cold is None:
                cold = time.perf_counter() - launched
            lines.append(line)
        returncode = child.wait(timeout=600)
    if returncode != 0 or cold is None:
        raise RuntimeError(f"UI benchmark child failed: {''.join(lines)[-2000:]}")
    data = json.loads(lines[-1])
    lat = data["latencies_ms"]
    return [
        Row(
            "cold start to first paint",
            1,
            f"{cold:.2f} s from process launch ({data['first_paint_s']:.2f} s after imports "
            f"began) (target < 2 s)",
        ),
        Row(
            "tag event -> row painted",
            len(lat),
            f"p50 {statistics.median(lat):.1f} ms, p99 {percentile(lat, 0.99):.1f} ms "
            f"(target p99 < 100 ms)",
        ),
        Row("peak memory (RSS)", 1, f"{data['max_rss_mb']:.0f} MB (target < 250 MB)"),
    ]
