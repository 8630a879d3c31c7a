"""SIP2 replies judged: a patron's answer as an Identification, what keeps a patron from
borrowing, and an item's reply as an Outcome.

Split from ``library_system``, which asks the ACS; these decide from what it answered (and, for a
refusal, from the reason ``library_system`` found by asking again).
"""

from __future__ import annotations

from typing import Any

from kiosk.models import CardKind, Patron
from kiosk.outcomes import Identification, Outcome, OutcomeKind
from kiosk.reasons import Reason
from sync.sip2 import replies
from sync.sip2.dialects import Dialect
from sync.sip2.fields import (
    CURRENCY,
    FEE_AMOUNT,
    FEE_TYPE,
    PATRON_STATUS_FLAGS,
    PERSONAL_NAME,
    PRINT_LINE,
    SCREEN_MESSAGE,
    TITLE,
    VALID_PATRON,
    VALID_PATRON_PASSWORD,
)
from sync.sip2.messages import Message
from sync.sip2.refusals import PATRON_REASONS, Operation, PatronState, Source, patron_reason


def patron_answer(
    reply: Message, card: str, pin: str | None, kind: CardKind, dialect: Dialect
) -> replies.PatronAnswer:
    """A patron status (24) or information (64) reply as the kiosk's identification."""
    status = reply.fixed.get("patron_status", "").ljust(14)
    flags = tuple(n for n, c in zip(PATRON_STATUS_FLAGS, status, strict=True) if c == "Y")
    screens = tuple(reply.all(SCREEN_MESSAGE))
    patron = Patron(
        card_id=card,
        card_kind=kind,
        initials=replies.initials(reply.get(PERSONAL_NAME)),
        blocks=flags,
        fines_cents=replies.cents(reply.get(FEE_AMOUNT)) or 0,
    )
    state = replies.patron_state(reply, flags, screens)
    extra = replies.hold_counts(reply, dialect.hold_count_means)

    def answer(ok: bool, reason: Reason, block: Reason | None = None) -> replies.PatronAnswer:
        identification = Identification(ok, reason, patron if ok else None, borrow_block=block)
        return replies.PatronAnswer(
            identification, flags, screens, tuple(reply.all(PRINT_LINE)), state=state, **extra
        )

    if reply.get(VALID_PATRON) == "N":
        return answer(False, Reason.UNKNOWN_CARD)
    # A PIN the ACS did not confirm (CQ = N, or no CQ at all) is not a right PIN: an ACS
    # that ignores AD must not let any PIN through.
    if pin is not None and reply.get(VALID_PATRON_PASSWORD) != "Y":
        return answer(False, Reason.PIN_WRONG)
    block = borrow_block(state, dialect)
    if block is Reason.CARD_LOST:
        return answer(False, Reason.CARD_LOST)
    return answer(True, Reason.OK, block)


def borrow_block(state: PatronState, dialect: Dialect) -> Reason | None:
    """Why this patron may not borrow (but may still return), from the flags and fields;
    from the words when the dialect leaves the flags blank, or to say a card expired."""
    extra = dialect.extra(Operation.IDENTIFY)
    block = patron_reason(state, Operation.IDENTIFY, extra)
    if block is not None:
        return block
    said = dialect.text_reason(state.screen_messages, Operation.IDENTIFY)
    if said is Reason.CARD_EXPIRED:
        return said
    if not dialect.blocks_in_patron_status and said in PATRON_REASONS:
        return said
    return None


def fields_reason(reply: Message, operation: Operation) -> Reason | None:
    """A refusal the reply's own fields explain: a charge to accept, or a loan already yours."""
    fee = replies.cents(reply.get(FEE_AMOUNT))
    if operation in (Operation.CHECKOUT, Operation.RENEW) and fee:
        return Reason.FEE_REQUIRED  # a charge to accept (BO), not a fines block
    if operation is Operation.CHECKOUT and reply.fixed.get("renewal_ok") == "Y":
        return Reason.ALREADY_YOURS
    return None


def outcome(
    reply: Message, pii: str, refused: tuple[Reason, Source] | None, **extra: Any
) -> Outcome:
    """An item reply as an Outcome: accepted when ``refused`` is None, else refused (or an
    offer, for a loan already the reader's) for that reason, found from that source."""
    screens = reply.all(SCREEN_MESSAGE)
    details: dict[str, Any] = {
        "screen_messages": screens,
        "print_lines": reply.all(PRINT_LINE),
        "title": reply.get(TITLE, "") or "",
        "decided_by": "sip2",
    }
    details.update(extra.pop("details", {}))
    if refused is None:
        return Outcome(OutcomeKind.ACCEPTED, Reason.OK, pii=pii, details=details, **extra)
    reason, source = refused
    details["reason_from"] = source.value
    if reason is Reason.FEE_REQUIRED:
        details["fee_cents"] = replies.cents(reply.get(FEE_AMOUNT))
        details["fee_type"] = reply.get(FEE_TYPE, "") or ""
        details["currency"] = reply.get(CURRENCY, "") or ""
    kind = OutcomeKind.OFFER if reason is Reason.ALREADY_YOURS else OutcomeKind.REFUSED
    return Outcome(kind, reason, pii=pii, details=details, **extra)
