"""The loan rules as pure functions of policy and facts, so each rule is tested on its own."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.models import Hold, Item, ItemStatus, Loan, Patron, PatronBlock, PatronSummary
from kiosk.policy import Policy, Rule
from kiosk.reasons import Reason


def borrow_block(
    policy: Policy, patron: Patron, summary: PatronSummary, now: datetime, tz: ZoneInfo
) -> Reason | None:
    """Why this patron may not borrow or renew at all right now, or None."""
    if policy.block_lost_card and PatronBlock.LOST_CARD in patron.blocks:
        return Reason.CARD_LOST
    if policy.block_expired and policy.is_expired(patron.expires_on, now, tz):
        return Reason.CARD_EXPIRED
    if any(b != PatronBlock.LOST_CARD for b in patron.blocks):
        return Reason.PATRON_BLOCKED
    if 0 <= policy.max_overdue_items < summary.overdue:
        return Reason.TOO_MANY_OVERDUE
    if 0 <= policy.max_fines_cents < patron.fines_cents:
        return Reason.FINES_TOO_HIGH
    return None


def item_refusal(item: Item, rule: Rule) -> Reason | None:
    """Why this item cannot go out on loan, whoever asks."""
    if item.status is ItemStatus.NOT_FOR_LOAN or not rule.loanable:
        return Reason.NOT_FOR_LOAN
    if item.status is ItemStatus.ON_LOAN:
        return Reason.ALREADY_ON_LOAN
    if item.status is not ItemStatus.AVAILABLE:
        return Reason.ITEM_NOT_AVAILABLE
    return None


def missing_parts(item: Item, parts_seen: frozenset[int] | None) -> list[int]:
    """Parts of a set not on the pad. Barcode scans carry no set data (None): not checked."""
    if item.set_size <= 1 or parts_seen is None:
        return []
    return [k for k in range(1, item.set_size + 1) if k not in parts_seen]


def hold_refusal(hold: Hold | None, patron: Patron) -> Reason | None:
    if hold is not None and hold.patron_card != patron.card_id:
        return Reason.ON_HOLD_FOR_ANOTHER
    return None


def limit_refusal(
    policy: Policy, patron: Patron, item: Item, rule: Rule, summary: PatronSummary, offline: bool
) -> Reason | None:
    """Total, per-class and offline limits; the offline one counts loans made offline."""
    if summary.loans >= policy.max_loans_for(patron.category):
        return Reason.LIMIT_REACHED
    if summary.loans_by_class.get(item.item_class, 0) >= rule.max_items:
        return Reason.CLASS_LIMIT_REACHED
    if offline and summary.offline_loans >= policy.offline_max_items:
        return Reason.OFFLINE_LIMIT_REACHED
    return None


def renewal_refusal(loan: Loan, patron: Patron, rule: Rule, hold: Hold | None) -> Reason | None:
    if loan.patron_card != patron.card_id:
        return Reason.NOT_YOUR_LOAN
    if loan.renewals >= rule.renewals:
        return Reason.RENEWAL_LIMIT
    if hold is not None and hold.patron_card != patron.card_id:
        return Reason.RENEW_ON_HOLD
    return None


def needs_transfer(item: Item, isil: str, branch: str) -> bool:
    """An item of another library or branch goes back to its owner after a return."""
    return bool(
        (item.owner_isil and item.owner_isil != isil) or (item.branch and item.branch != branch)
    )
