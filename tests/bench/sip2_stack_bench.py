"""A 5-item stack through the real UI (offscreen) against a SIP2 ACS taking 500 ms a message:
from the stack placed on the pad to its last row painted, with ``sip2.sessions`` = 5 and,
for comparison, one session (issue #12 point 8: target <= 1.0 s, one at a time took 2.6 s)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.bench.rows import Row
from tests.bench.ui_bench import ROOT

TARGET_S = 1.0


def measure(items: int, delay_s: float, sessions: int, runs: int) -> list[float]:
    """Seconds per stack, measured in a fresh process (see sip2_stack_child)."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.sip2_stack_child"]
        + [str(v) for v in (items, delay_s, sessions, runs)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"SIP2 stack benchmark failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def run(items: int = 5, delay_s: float = 0.5, runs: int = 5) -> list[Row]:
    parallel = measure(items, delay_s, items, runs)
    single = measure(items, delay_s, 1, 1)
    return [
        Row(
            f"{items}-item stack, SIP2 {delay_s * 1000:.0f} ms/msg",
            len(parallel),
            f"placed -> last row painted: worst {max(parallel):.2f} s, best "
            f"{min(parallel):.2f} s with {items} sessions; {single[0]:.2f} s with 1 "
            f"(target <= {TARGET_S:.1f} s)",
        )
    ]
