"""After a lost reply: what the ACS really did, read from what it says about the item now.

A request whose reply never came may or may not have been carried out. Sending it again
could lend or renew twice, so the kiosk asks item information (17) instead (and, for a
checkout, the patron's charged items) and shows the reader that truth. Split from
``library_system``, which does the asking; this decides from the answers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from kiosk.models import Loan
from kiosk.outcomes import Outcome, OutcomeKind
from kiosk.reasons import Reason
from sync.sip2.errors import Unavailable
from sync.sip2.refusals import Operation, Source
from sync.sip2.replies import ItemFacts


def outcome(
    details: dict[str, Any], pii: str, kind: OutcomeKind, reason: Reason, **extra: Any
) -> Outcome:
    return Outcome(kind, reason, pii=pii, details=details, **extra)


def settle(
    operation: Operation,
    card: str,
    facts: ItemFacts,
    charged_to: Callable[[], bool | None],
    now: datetime,
    due_before: datetime | None,
    details: dict[str, Any],
) -> Outcome:
    """The outcome ``facts`` show; ``charged_to`` asks whether the item is on ``card``'s list
    (None: the ACS does not say). Raises ``Unavailable`` when the item is charged to nobody
    the ACS names: better "no answer" than a guess. ``details`` is filled in as it goes."""
    pii = facts.pii
    details.update(title=facts.title, screen_messages=[], print_lines=[])
    charged = facts.circulation_status in ("charged", "charged_not_to_be_recalled")
    if operation is Operation.CHECKOUT:
        mine = (facts.patron == card if facts.patron else charged_to()) if charged else False
        if mine is None:  # charged, but the ACS names no one: do not guess
            raise Unavailable("the ACS does not say to whom the item is charged")
        if mine:
            due = facts.due_at
            loan = Loan(pii, card, now, due) if due is not None else None
            return outcome(details, pii, OutcomeKind.ACCEPTED, Reason.OK, due_at=due, loan=loan)
        if charged:
            details["reason_from"] = Source.ITEM.value
            return outcome(details, pii, OutcomeKind.REFUSED, Reason.ALREADY_ON_LOAN)
    elif operation is Operation.RENEW:
        moved = due_before is not None and facts.due_at is not None
        if moved and charged and facts.due_at > due_before:  # type: ignore[operator]
            return outcome(details, pii, OutcomeKind.ACCEPTED, Reason.OK, due_at=facts.due_at)
    elif not charged:  # a return: the ACS no longer has it on loan
        hold = facts.circulation_status == "waiting_on_hold_shelf"
        transfer = facts.circulation_status == "in_transit"
        reason = Reason.SEND_TO_OWNER if transfer else (Reason.HOLD_WAITING if hold else Reason.OK)
        return outcome(
            details, pii, OutcomeKind.ACCEPTED, reason, send_to_owner=transfer, hold_waiting=hold
        )
    details["applied"] = False
    return outcome(details, pii, OutcomeKind.REFUSED, Reason.NO_ANSWER)
