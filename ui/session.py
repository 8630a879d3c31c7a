"""What one reader's session holds; ``clear()`` forgets all of it when the session ends."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from kiosk.models import Patron
from kiosk.outcomes import Outcome
from kiosk.reasons import Reason


class Mode(StrEnum):
    IDLE = "idle"
    BORROW = "borrow"
    RETURN = "return"
    ACCOUNT = "account"


@dataclass
class Session:
    mode: Mode = Mode.IDLE
    patron: Patron | None = None
    borrow_block: Reason | None = None
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # by PII, latest wins
    in_flight: set[str] = field(default_factory=set)
    #: PIIs placed (or placed again, or completed by another part) since they were last
    #: handed to the core, in the order they came; an item still in flight waits here
    waiting: dict[str, None] = field(default_factory=dict)
    #: which session this is: a core answer for an earlier session is not shown in this one
    number: int = 0
    #: renewals asked for in this session (borrow screen or account), by PII, latest wins
    renewals: dict[str, Outcome] = field(default_factory=dict)

    def start(self, mode: Mode) -> None:
        self.clear()
        self.mode = mode
        self.number += 1

    def clear(self) -> None:
        self.mode = Mode.IDLE
        self.patron = None
        self.borrow_block = None
        self.outcomes.clear()
        self.in_flight.clear()
        self.waiting.clear()
        self.renewals.clear()

    @property
    def accepted(self) -> list[Outcome]:
        return [o for o in self.outcomes.values() if o.ok]
