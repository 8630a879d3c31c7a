"""Why the library system said no: structured fields first, item status next, words last.

A SIP2 refusal (``ok`` = 0) carries no reason code. The kiosk decides one in this order, and
stops at the first step that knows (docs/sip2-reasons.md is the table):

1. the reply's own structured fields: a fee (``BT``/``BV``/``BH``) on a 12/30 means the item
   has a charge to accept; ``renewal ok`` = Y on a refused 12 means the reader has it already;
2. the patron's state, asked again (63/23): the 14 status flags, ``BL``, ``BV`` against ``CC``
   (fines against the limit) and the charged count against ``BZ``;
3. the item's state (17/18): lost, missing, charged, on the hold shelf, in transit...;
4. the screen text (``AF``), per dialect, in English and Chinese, each operation with its
   own ordered rules (a renewal limit is not a loan limit);
5. none of these: ``ACS_REFUSED``, and the reader sees the ACS's own words rather than a
   guess that may contradict them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from kiosk.reasons import Reason


class Operation(StrEnum):
    """What was refused: each has its own text rules and its own reading of item states."""

    IDENTIFY = "identify"
    CHECKOUT = "checkout"
    RENEW = "renew"
    CHECKIN = "checkin"


class Source(StrEnum):
    """Which step decided the reason (kept in the outcome's details, for staff and tests)."""

    FIELDS = "fields"
    PATRON = "patron"
    ITEM = "item"
    TEXT = "text"
    UNKNOWN = "unknown"


#: Patron-status flags (24/64) that say exactly why, most specific first.
SPECIFIC_FLAGS: tuple[tuple[str, Reason], ...] = (
    ("card_lost", Reason.CARD_LOST),
    ("excessive_fines", Reason.FINES_TOO_HIGH),
    ("excessive_fees", Reason.FINES_TOO_HIGH),
    ("too_many_billed", Reason.FINES_TOO_HIGH),
    ("too_many_overdue", Reason.TOO_MANY_OVERDUE),
    ("recall_overdue", Reason.TOO_MANY_OVERDUE),
    ("too_many_charged", Reason.LIMIT_REACHED),
    ("too_many_lost", Reason.PATRON_BLOCKED),
    ("too_many_claims_returned", Reason.PATRON_BLOCKED),
)
#: The flag that says "no" without saying why, per operation: the words may say more
#: (an expired card is "charge privileges denied" plus "Patron expired on ..." in Koha).
GENERIC_FLAG = {
    Operation.IDENTIFY: "charge_denied",
    Operation.CHECKOUT: "charge_denied",
    Operation.RENEW: "renewal_denied",
}
#: Reasons that belong to the patron, not the item: what a patron's words may decide.
PATRON_REASONS = frozenset(
    {
        Reason.CARD_EXPIRED,
        Reason.CARD_LOST,
        Reason.FINES_TOO_HIGH,
        Reason.TOO_MANY_OVERDUE,
        Reason.LIMIT_REACHED,
        Reason.PATRON_BLOCKED,
    }
)

Rules = tuple[tuple[str, Reason], ...]

# --- screen-text rules, English and Chinese (lower-cased text; first match wins) -------------


def _either(*alternatives: str) -> str:
    return "|".join(alternatives)


_UNKNOWN_CARD = (
    _either("invalid patron", "patron not found", "unknown patron", "no such patron", "读者不存在"),
    Reason.UNKNOWN_CARD,
)
_EXPIRED = (
    _either(
        "expired",
        "expiry",
        "(读者证|借书证|借阅证|证件|账户|帐户|卡).{0,8}(过期|失效|到期)",
        "已过期",
    ),
    Reason.CARD_EXPIRED,
)
_CARD_LOST = (r"card (is |was |has been )?(reported )?lost|lost card|挂失", Reason.CARD_LOST)
_FINES = (
    _either(r"\bfines?\b", r"\bfees?\b", r"\bowe\b", r"\bdebt", "outstanding", "balance")
    + "|欠款|欠费|罚款|滞纳金|未缴",
    Reason.FINES_TOO_HIGH,
)
_OVERDUE = (r"overdue|逾期|超期", Reason.TOO_MANY_OVERDUE)
_BLOCKED = (
    r"block|barred|debarred|suspend|bad.standing|停用|冻结|暂停借阅|禁止借阅|黑名单",
    Reason.PATRON_BLOCKED,
)
_LIMIT = (
    _either("limit", "too many", "maximum", "max(imum)? number", "已达.{0,6}上限", "上限")
    + "|最大借阅|借阅量|超过.{0,8}(册|本|数量)|已满",
    Reason.LIMIT_REACHED,
)
_ITEM_LOST = (
    _either(
        r"(item|copy|book|title).{0,24}\b(lost|missing)\b",
        "declared lost",
        r"\b(lost|missing)\b.{0,8}(item|copy)",
        "丢失|遗失|下落不明|缺失",
    ),
    Reason.ITEM_MISSING,
)
_NOT_FOR_LOAN = (
    r"not for loan|not.loanable|reference|non.?circ|circ.not.allowed|不外借|仅供阅览|馆内阅览",
    Reason.NOT_FOR_LOAN,
)
_UNKNOWN_ITEM = (
    _either("item not found", "invalid item", "unknown item", "no such item", "item unknown")
    + "|not found|条码不存在|无此(条码|图书|书)|查无此书",
    Reason.UNKNOWN_ITEM,
)
_PATRON_TEXT: Rules = (_UNKNOWN_CARD, _EXPIRED, _CARD_LOST, _FINES, _OVERDUE, _BLOCKED)

TEXT_RULES: dict[Operation, Rules] = {
    Operation.IDENTIFY: (*_PATRON_TEXT, _LIMIT),
    Operation.CHECKOUT: (
        _UNKNOWN_CARD,
        _EXPIRED,
        _CARD_LOST,
        _ITEM_LOST,
        (r"hold|reserv|recall|预约|预留|召回", Reason.ON_HOLD_FOR_ANOTHER),
        _FINES,
        _OVERDUE,
        _NOT_FOR_LOAN,
        (
            r"already (checked|charged|on loan) (out )?to (you|this patron)|已借(给|予)?您",
            Reason.ALREADY_YOURS,
        ),
        _LIMIT,
        (r"checked out|charged|on loan|已借出|已被借", Reason.ALREADY_ON_LOAN),
        _BLOCKED,
        _UNKNOWN_ITEM,
    ),
    Operation.RENEW: (
        (
            _either(
                "renewal limit",
                "renewals? (limit|exceeded|reached)",
                "max(imum)?.{0,24}renewals",
                "too many renewals",
                "no (more )?renewals",
                "renewed the maximum",
                "续借次数|续借.{0,8}(上限|已满|超过|用完)|不能再续",
            ),
            Reason.RENEWAL_LIMIT,
        ),
        (r"hold|reserv|recall|request|预约|预留|召回", Reason.RENEW_ON_HOLD),
        (
            r"not (checked out|charged|on loan) to|another patron|not your|非本人|不是您",
            Reason.NOT_YOUR_LOAN,
        ),
        (r"not (checked out|charged|on loan)|未借出|不在借", Reason.NOT_ON_LOAN),
        _UNKNOWN_CARD,
        _EXPIRED,
        _CARD_LOST,
        _ITEM_LOST,
        _FINES,
        _OVERDUE,
        (
            r"not renewable|cannot be renewed|renewals? not allowed|不可续借|不能续借",
            Reason.RENEWAL_LIMIT,
        ),
        _BLOCKED,
        _UNKNOWN_ITEM,
    ),
    Operation.CHECKIN: (
        _ITEM_LOST,
        (r"not (checked out|charged|on loan)|未借出|不在借", Reason.NOT_ON_LOAN),
        _UNKNOWN_ITEM,
    ),
}


def text_reason(texts: Iterable[str], operation: Operation, extra: Rules = ()) -> Reason | None:
    """The reason the ACS's words give, or None when no rule knows them."""
    joined = " ".join(t for t in texts if t).lower()
    if not joined.strip():
        return None
    for pattern, reason in (*extra, *TEXT_RULES[operation]):
        if re.search(pattern, joined):
            return reason
    return None


# --- the patron's state ------------------------------------------------------------------


@dataclass(frozen=True)
class PatronState:
    """What a 24/64 says about the patron's standing (the parts that explain a refusal)."""

    flags: tuple[str, ...] = ()
    valid: bool | None = None  # BL
    fines_cents: int | None = None  # BV
    fee_limit_cents: int | None = None  # CC
    charged: int | None = None  # fixed field of 64
    charged_limit: int | None = None  # BZ
    overdue: int | None = None
    overdue_limit: int | None = None  # CA
    screen_messages: tuple[str, ...] = field(default_factory=tuple)


def patron_reason(state: PatronState, operation: Operation, extra: Rules = ()) -> Reason | None:
    """The reason the patron's state gives, or None when the patron may do this."""
    if state.valid is False:
        return Reason.UNKNOWN_CARD
    flags = set(state.flags)
    if operation is Operation.RENEW and "too_many_renewals" in flags:
        return Reason.RENEWAL_LIMIT
    for name, reason in SPECIFIC_FLAGS:
        if name in flags:
            return reason
    if (
        state.fines_cents is not None
        and state.fee_limit_cents
        and state.fines_cents >= state.fee_limit_cents
    ):
        return Reason.FINES_TOO_HIGH
    if state.overdue_limit and state.overdue is not None and state.overdue >= state.overdue_limit:
        return Reason.TOO_MANY_OVERDUE
    if (
        operation is not Operation.RENEW
        and state.charged_limit
        and state.charged is not None
        and state.charged >= state.charged_limit
    ):
        return Reason.LIMIT_REACHED
    generic = GENERIC_FLAG.get(operation)
    if generic and generic in flags:
        said = text_reason(state.screen_messages, Operation.IDENTIFY, extra)
        return said if said in PATRON_REASONS else Reason.PATRON_BLOCKED
    return None


# --- the item's state --------------------------------------------------------------------

_GONE = frozenset({"lost", "missing", "claimed_returned"})
_HOLD = frozenset({"waiting_on_hold_shelf", "recalled"})
_CHARGED = frozenset({"charged", "charged_not_to_be_recalled"})
_NOT_READY = frozenset({"in_transit", "on_order", "in_process", "waiting_to_be_reshelved"})


@dataclass(frozen=True)
class ItemState:
    """What an 18 says about the item (the parts that explain a refusal)."""

    circulation_status: str
    hold_queue_length: int | None = None
    patron: str = ""  # AA, which some systems add to 18: who has it


def item_reason(item: ItemState, operation: Operation, card: str = "") -> Reason | None:
    """The reason the item's circulation status gives, or None when it explains nothing."""
    status = item.circulation_status
    held = status in _HOLD or bool(item.hold_queue_length)
    if status in _GONE:
        return Reason.ITEM_MISSING
    if operation is Operation.CHECKOUT:
        if status in _CHARGED:
            return Reason.ALREADY_YOURS if card and item.patron == card else Reason.ALREADY_ON_LOAN
        if held:
            return Reason.ON_HOLD_FOR_ANOTHER
        if status in _NOT_READY:
            return Reason.ITEM_NOT_AVAILABLE
        return None
    if operation is Operation.RENEW:
        if held:
            return Reason.RENEW_ON_HOLD
        if status in _CHARGED and item.patron and card and item.patron != card:
            return Reason.NOT_YOUR_LOAN
        if status == "available" or status in _NOT_READY:
            return Reason.NOT_ON_LOAN
        return None
    if operation is Operation.CHECKIN and status == "available":
        return Reason.NOT_ON_LOAN
    return None


def explained(
    operation: Operation,
    *,
    fields: Reason | None = None,
    patron: Reason | None = None,
    item: Reason | None = None,
    texts: Sequence[str] = (),
    extra: Rules = (),
) -> tuple[Reason, Source]:
    """The first step that knows, in the documented order; ``ACS_REFUSED`` when none does."""
    for reason, source in ((fields, Source.FIELDS), (patron, Source.PATRON), (item, Source.ITEM)):
        if reason is not None:
            return reason, source
    said = text_reason(texts, operation, extra)
    if said is not None:
        return said, Source.TEXT
    return Reason.ACS_REFUSED, Source.UNKNOWN
