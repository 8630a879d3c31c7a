"""What every part of circulation shares: the site, the store, the policy, the clock, online.

``Circulation`` is put together from the parts in this package (identifying readers, lending
and returns, the tag-security follow-up); each part reads the state set up here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.clock import Clock
from kiosk.models import Decision, Security, Transaction, TxnKind
from kiosk.policy import Policy
from kiosk.reasons import Reason
from kiosk.store import Store


@dataclass(frozen=True)
class Site:
    """Where the kiosk stands: decides transfers, due-date days and opening hours."""

    kiosk_id: str = "kiosk-01"
    branch: str = "main"
    isil: str = ""
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))


def _new_uuid() -> str:
    return str(uuid.uuid4())


#: Asks the central whether ``pin`` is the reader's (card, pin) → right or wrong, or None
#: when the central cannot answer now. For readers whose PIN hash this kiosk does not hold.
PinChecker = Callable[[str, str], "bool | None"]


class CirculationBase:
    """The state the circulation parts share, and the journal row they all write."""

    def __init__(
        self,
        store: Store,
        policy: Policy | Callable[[], Policy],
        clock: Clock,
        site: Site | None = None,
        *,
        online: Callable[[], bool] = lambda: True,
        new_id: Callable[[], str] = _new_uuid,
        ecard_keys: Mapping[str, bytes] | None = None,
        pin_checker: PinChecker | None = None,
    ) -> None:
        self.store = store
        self.pin_checker = pin_checker
        self._policy = policy if callable(policy) else (lambda: policy)
        self.clock = clock
        self.site = site or Site()
        self._online = online
        self._new_id = new_id
        self.ecard_keys = dict(ecard_keys or {})

    @property
    def policy(self) -> Policy:
        return self._policy()

    def set_online_source(self, online: Callable[[], bool]) -> None:
        """Who says whether the kiosk is online (the SIP2 upstream replaces the daemon's flag)."""
        self._online = online

    def _decision(self) -> Decision:
        return Decision.ONLINE if self._online() else Decision.OFFLINE

    # --- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _txn(
        txn_id: str,
        kind: TxnKind,
        card: str,
        pii: str,
        at: datetime,
        due: datetime | None,
        decision: Decision,
        security: Security,
        reason: Reason = Reason.OK,
        cancels: str | None = None,
    ) -> Transaction:
        return Transaction(
            id=txn_id,
            seq=0,
            kind=kind,
            patron_card=card,
            item_pii=pii,
            at=at,
            due_at=due,
            decision=decision,
            reason=reason.value,
            security=security,
            cancels=cancels,
        )
