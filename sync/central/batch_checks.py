"""What a kiosk's batch of journal rows must pass before anything in it is applied.

Shared by pushed transactions (``routes_kiosk``) and refusals reported from a library system
(``routes_upstream``): a batch over the size limit is 413, and the first malformed row makes
the whole batch 422, so nothing is ever half applied.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from fastapi import HTTPException, status

from sync import wire

#: Longest transaction id, item PII or card id accepted (a UUID is 36, an ISO 28560 PII 16).
MAX_KEY = 64

Row = TypeVar("Row", wire.TransactionIn, wire.UpstreamConflictIn)


def refuse_bad_batch(
    rows: Sequence[Row], max_batch: int, noun: str, problem: Callable[[Row], str | None]
) -> None:
    """Raise 413 for more than ``max_batch`` rows, or 422 naming the first row ``problem``
    finds fault with (``noun`` names the rows in both answers)."""
    if len(rows) > max_batch:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, f"at most {max_batch} {noun}s per batch"
        )
    for row in rows:
        found = problem(row)
        if found:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, f"{noun} {row.id[:64]!r}: {found}"
            )


def row_problem(row: wire.TransactionIn | wire.UpstreamConflictIn) -> str | None:
    """What the type checks cannot say about any journal row: its keys and its times."""
    for name in ("id", "item_pii", "patron_card"):
        if len(getattr(row, name)) > MAX_KEY:
            return f"{name} longer than {MAX_KEY} characters"
    if not row.id:
        return "empty id"
    if row.at.tzinfo is None or (row.due_at is not None and row.due_at.tzinfo is None):
        return "times must carry a UTC offset"
    if row.kind == "cancel" and not row.cancels:
        return "a cancel must name what it cancels"
    return None
