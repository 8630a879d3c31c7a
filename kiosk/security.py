"""The tag-security rule: journal first, then write the tag, retry, then roll the loan back.

A loan and its tag's AFI must never disagree silently (DESIGN.md). The circulation use case
has already journaled the transaction with ``security = pending``; this writes the tag through
whatever the pad offers, and either completes the row or cancels the transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk.circulation import Circulation
from kiosk.outcomes import Outcome
from kiosk.ports import DeviceError, FaultSink


@dataclass(frozen=True)
class SecurityResult:
    ok: bool
    attempts: int
    error: str = ""
    cancelled: Outcome | None = None


def secure_tag(
    circulation: Circulation,
    txn_id: str,
    write: Callable[[], None],
    *,
    attempts: int = 3,
    faults: FaultSink | None = None,
    device: str = "rfid",
) -> SecurityResult:
    """Run ``write`` (set AFI/EAS on the tag) up to ``attempts`` times.

    Success marks the journal row done. If every attempt fails, the transaction is undone
    (a checkout cancelled, a return reinstated) and the failure recorded as a fault, so the
    reader is asked to place the item again and nothing diverges.
    """
    last = ""
    for attempt in range(1, attempts + 1):
        try:
            write()
        except DeviceError as error:
            last = f"{error.code}: {error}"
            continue
        circulation.security_done(txn_id)
        return SecurityResult(True, attempt)
    if faults is not None:
        faults.record_fault(
            device,
            "security_write_failed",
            "warning",
            f"tag security write failed {attempts} times ({last})",
        )
    cancelled = circulation.security_failed(txn_id)
    return SecurityResult(False, attempts, last, cancelled)
