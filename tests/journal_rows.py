"""A checkout journal row as the kiosk writes one, for tests that need rows in the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.models import Decision, Security, Transaction, TxnKind


def checkout_row(
    n: int,
    at: datetime,
    *,
    decision: Decision = Decision.OFFLINE,
    security: Security = Security.DONE,
    txn_id: str | None = None,
) -> Transaction:
    """Item ``I{n}`` lent to ``P1`` at ``at`` for 28 days; the store gives it its sequence."""
    return Transaction(
        id=txn_id or f"t{n}",
        seq=0,
        kind=TxnKind.CHECKOUT,
        patron_card="P1",
        item_pii=f"I{n}",
        at=at,
        due_at=at + timedelta(days=28),
        decision=decision,
        reason="ok",
        security=security,
    )
