"""The kiosk endpoint for rows its library system (SIP2) refused: they become conflicts here."""

from __future__ import annotations

from fastapi import APIRouter

from sync import wire
from sync.central import conflict_records
from sync.central.batch_checks import refuse_bad_batch, row_problem
from sync.central.database import write_with_retry
from sync.central.deps import Kiosk, RuntimeDep

router = APIRouter(tags=["kiosk"])

#: Longest reason code and library-system message kept; the kiosk already trims both.
MAX_REASON = 64
MAX_MESSAGE = 500


@router.post("/upstream-conflicts", response_model=wire.UpstreamConflictReply)
def report_upstream_conflicts(
    batch: wire.UpstreamConflictBatch, kiosk: Kiosk, rt: RuntimeDep
) -> wire.UpstreamConflictReply:
    """Record rows the library system refused when the kiosk replayed them, once each.

    On a SIP2 site the central never sees the kiosk's transactions; a refused one is sent
    here so staff find it under ``GET /conflicts`` (``source`` = ``sip2``) and settle it.
    A resend answers ``duplicate`` with the same conflict id; loans and statistics are not
    touched. The whole batch is refused (422) when one row is malformed.
    """
    refuse_bad_batch(batch.conflicts, rt.settings.max_batch, "conflict", _problem)
    results = write_with_retry(
        rt.engine,
        lambda conn: conflict_records.record_upstream_conflicts(
            conn, kiosk, batch.conflicts, rt.clock.now(), rt.settings.timezone
        ),
    )
    return wire.UpstreamConflictReply(results=results)


def _problem(row: wire.UpstreamConflictIn) -> str | None:
    """What the type checks cannot say."""
    problem = row_problem(row)
    if problem is not None:
        return problem
    if not row.reason.strip():
        return "a refusal needs its reason"
    if len(row.reason) > MAX_REASON:
        return f"reason longer than {MAX_REASON} characters"
    if len(row.message) > MAX_MESSAGE:
        return f"message longer than {MAX_MESSAGE} characters"
    if row.seq < 1:
        return "seq must be positive"
    return None
