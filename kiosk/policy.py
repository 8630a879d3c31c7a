"""The loan policy: versioned rules the kiosk applies, from its config now, from central later.

Policy is data, not code paths: the same object is built from the config file or from the
JSON document the central service replicates, and the circulation rules only read it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Rule:
    """Loan terms for one patron category and item class; ``*`` matches any."""

    category: str = "*"
    item_class: str = "*"
    loanable: bool = True
    loan_days: int = 28
    max_items: int = 10
    renewals: int = 2

    def specificity(self) -> int:
        return (self.category != "*") * 2 + (self.item_class != "*")


@dataclass(frozen=True)
class Policy:
    version: str = "local-1"
    rules: tuple[Rule, ...] = (Rule(),)
    max_loans: dict[str, int] = field(default_factory=lambda: {"*": 10})
    pin_required: bool = True
    pin_for_nfc: bool = False
    pin_max_attempts: int = 3
    pin_lockout_minutes: int = 15
    #: which kiosks the central sends a reader's PIN hash to, so they can check the PIN
    #: offline: "city" (every kiosk), "branch" (the kiosks of the reader's home branch) or
    #: "none"; a kiosk without the hash checks the PIN with the central while online and
    #: says plainly that it cannot check it here while offline (docs/security.md)
    pin_hash_scope: str = "city"
    block_expired: bool = True
    block_lost_card: bool = True
    max_overdue_items: int = 0
    overdue_grace_days: int = 0
    max_fines_cents: int = 1000
    enforce_hours: bool = False
    hours: dict[str, str] = field(default_factory=lambda: {d: "00:00-24:00" for d in WEEKDAYS})
    tag_format: str = "28560-2"
    afi_secured: int = 0x07
    afi_on_loan: int = 0xC2
    offline_max_items: int = 3
    offline_unknown_cards: bool = False
    offline_unknown_category: str = "adult"
    #: an item the library system lends only against a charge (SIP2 fee, BT/BV): "ask" shows
    #: the charge with an "accept" button and lends when the reader presses it (BO = Y);
    #: "refuse" never lends it here
    fee_items: str = "ask"
    #: where a renewal's new loan period starts: "due_date" (the current due date, so every
    #: renewal adds a full period) or "today" (a renewal that would not move the due date
    #: is declined without using a renewal, and the reader is told from when it will)
    renew_from: str = "due_date"

    # --- building ------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        """Build from the config's ``policy`` section or the central service's document."""
        values = dict(data)
        values["rules"] = tuple(Rule(**r) for r in values.get("rules", [asdict(Rule())]))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rules"] = [asdict(r) for r in self.rules]
        return data

    # --- questions the circulation rules ask ---------------------------------------------

    def rule_for(self, category: str, item_class: str) -> Rule:
        """The most specific rule matching both; a category rule beats an item-class rule."""
        matches = [
            r
            for r in self.rules
            if r.category in ("*", category) and r.item_class in ("*", item_class)
        ]
        if not matches:
            return Rule(category=category, item_class=item_class, loanable=False)
        best = max(matches, key=Rule.specificity)
        if best.item_class == "*" and best.category != "*":
            # A category-wide rule must not make a not-for-loan class loanable.
            cls_rule = [r for r in matches if r.category == "*" and r.item_class == item_class]
            if cls_rule and not cls_rule[0].loanable:
                return cls_rule[0]
        return best

    def max_loans_for(self, category: str) -> int:
        return self.max_loans.get(category, self.max_loans.get("*", 0))

    def due_at(self, now: datetime, loan_days: int, tz: ZoneInfo) -> datetime:
        """Due at the end of the local day ``loan_days`` from now, stored in UTC."""
        local_day = now.astimezone(tz).date() + timedelta(days=loan_days)
        end = datetime.combine(local_day, time(23, 59, 59), tzinfo=tz)
        return end.astimezone(UTC)

    def renewal_due(
        self, due: datetime, now: datetime, loan_days: int, tz: ZoneInfo
    ) -> datetime | None:
        """The due date a renewal gives, or None when it would not move ``due`` later."""
        start = due if self.renew_from == "due_date" else now
        renewed = self.due_at(start, loan_days, tz)
        return renewed if renewed > due else None

    def first_renewal_day(self, due: datetime, loan_days: int, tz: ZoneInfo) -> date:
        """The first local day on which a renewal from today moves ``due`` later."""
        return due.astimezone(tz).date() - timedelta(days=loan_days - 1)

    def is_open(self, now: datetime, tz: ZoneInfo) -> bool:
        local = now.astimezone(tz)
        spec = self.hours.get(WEEKDAYS[local.weekday()], "closed")
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in _intervals(spec))

    def overdue_cutoff(self, now: datetime) -> datetime:
        """Loans due before this instant count as overdue for blocking."""
        return now - timedelta(days=self.overdue_grace_days)

    def is_expired(self, expires_on: date | None, now: datetime, tz: ZoneInfo) -> bool:
        return expires_on is not None and now.astimezone(tz).date() > expires_on


def _intervals(spec: str) -> list[tuple[int, int]]:
    if spec == "closed":
        return []
    out = []
    for part in spec.split(","):
        start, end = part.split("-")
        out.append((_minutes(start), _minutes(end)))
    return out


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)
