"""The loan policy: the config's rules until the central service's policy replaces them."""

from __future__ import annotations

from kiosk.config.types import REQUIRED, WEEKDAY_HOURS, Bool, Int, Mapping, Records, Setting, Str

RULE_FIELDS = (
    ("category", Str(), "*"),
    ("item_class", Str(), "*"),
    ("loanable", Bool(), True),
    ("loan_days", Int(minimum=0, maximum=366), 28),
    ("max_items", Int(minimum=0), 10),
    ("renewals", Int(minimum=0), 2),
)

DEFAULT_RULES = [
    {
        "category": "*",
        "item_class": "*",
        "loanable": True,
        "loan_days": 28,
        "max_items": 10,
        "renewals": 2,
    },
    {
        "category": "*",
        "item_class": "dvd",
        "loanable": True,
        "loan_days": 7,
        "max_items": 2,
        "renewals": 1,
    },
    {
        "category": "*",
        "item_class": "reference",
        "loanable": False,
        "loan_days": 0,
        "max_items": 0,
        "renewals": 0,
    },
    {
        "category": "child",
        "item_class": "*",
        "loanable": True,
        "loan_days": 21,
        "max_items": 5,
        "renewals": 2,
    },
]


POLICY: tuple[Setting, ...] = (
    # loan policy (replaced by the central service's policy once synced)
    Setting(
        "policy.version",
        Str(allow_empty=False),
        "local-1",
        "Version label of this policy; the central service's policy carries its own.",
    ),
    Setting(
        "policy.rules",
        Records(tuple((n, t, d if d is not None else REQUIRED) for n, t, d in RULE_FIELDS)),
        DEFAULT_RULES,
        "Loan rules by patron category and item class; the most specific match applies.",
    ),
    Setting(
        "policy.max_loans",
        Mapping(Int(minimum=0)),
        {"*": 10, "child": 5},
        "Most items a patron of each category may have on loan in all ('*' = others).",
    ),
    Setting(
        "policy.pin_required",
        Bool(),
        True,
        "Ask for the PIN when a card is scanned or typed (taps of NFC and resident ID cards and QR"
        " e-cards excepted).",
    ),
    Setting(
        "policy.pin_for_nfc",
        Bool(),
        False,
        "Ask for the PIN after an NFC card or resident ID card tap too.",
    ),
    Setting(
        "policy.pin_max_attempts",
        Int(minimum=1, maximum=10),
        3,
        "Wrong PINs in a row before the card is locked (at every kiosk of the city, after sync).",
    ),
    Setting(
        "policy.pin_lockout_minutes",
        Int(minimum=1, maximum=1440),
        15,
        "How long a card stays locked after too many wrong PINs.",
    ),
    Setting(
        "policy.pin_hash_scope",
        Str(choices=("city", "branch", "none")),
        "city",
        "Which kiosks get a reader's PIN hash to check PINs offline: every kiosk (city), "
        "the kiosks of the reader's home branch (branch) or none; set at the central.",
    ),
    Setting("policy.block_expired", Bool(), True, "Refuse loans on an expired card."),
    Setting("policy.block_lost_card", Bool(), True, "Refuse a card reported lost."),
    Setting(
        "policy.max_overdue_items",
        Int(minimum=-1),
        0,
        "Overdue items a patron may have and still borrow (-1 = no limit).",
    ),
    Setting(
        "policy.overdue_grace_days",
        Int(minimum=0, maximum=60),
        0,
        "Days after the due date before an item counts as overdue for blocking.",
    ),
    Setting(
        "policy.max_fines_cents",
        Int(minimum=-1),
        1000,
        "Fines (in cents/fen) above which borrowing is refused (-1 = no limit).",
    ),
    Setting(
        "policy.enforce_hours",
        Bool(),
        False,
        "Refuse loans outside the opening hours (returns are always taken).",
    ),
    Setting(
        "policy.hours",
        Mapping(Str(pattern=WEEKDAY_HOURS)),
        {d: "08:00-22:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        "Opening hours per weekday (mon..sun), e.g. '08:00-12:00,13:00-22:00' or 'closed'.",
    ),
    Setting(
        "policy.tag_format",
        Str(choices=("28560-2", "28560-3")),
        "28560-2",
        "Data model for encoding new tags.",
    ),
    Setting(
        "policy.afi_secured",
        Int(minimum=0, maximum=255, hex=True),
        0x07,
        "AFI of an item in the library (security on).",
    ),
    Setting(
        "policy.afi_on_loan",
        Int(minimum=0, maximum=255, hex=True),
        0xC2,
        "AFI of an item on loan (security off).",
    ),
    Setting(
        "policy.offline_max_items",
        Int(minimum=0),
        3,
        "Most items one patron may borrow while the kiosk is offline.",
    ),
    Setting(
        "policy.offline_unknown_cards",
        Bool(),
        False,
        "Whether a card not in the local copy may borrow while offline.",
    ),
    Setting(
        "policy.offline_unknown_category",
        Str(),
        "adult",
        "Category an unknown card is treated as while offline, if allowed.",
    ),
    Setting(
        "policy.fee_items",
        Str(choices=("ask", "refuse")),
        "ask",
        "Items the library system lends only against a charge: ask the reader to accept it "
        "(then sent as fee acknowledged, SIP2 BO) or refuse them at the kiosk.",
    ),
    Setting(
        "policy.renew_from",
        Str(choices=("due_date", "today")),
        "due_date",
        "Where a renewal's new loan period starts: the current due date, or today (then a "
        "renewal that would not move the due date is declined without using a renewal).",
    ),
)
