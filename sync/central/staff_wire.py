"""The JSON shapes staff exchange with the central service, as plain dataclasses: catalog,
branch and visit uploads, the fleet, faults, conflicts, loans, statistics and rotation plans.

Split from ``wire``, the shapes kiosks exchange with the central (which these build on, and
whose ``to_json``/``from_json`` encode them): a kiosk needs only that one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sync.wire import HoldRecord, ItemRecord, PatronRecord, Resolution

# --- staff and admin ----------------------------------------------------------------------


@dataclass(slots=True)
class ItemBatch:
    items: list[ItemRecord]


@dataclass(slots=True)
class PatronBatch:
    patrons: list[PatronRecord]


@dataclass(slots=True)
class HoldBatch:
    holds: list[HoldRecord]


@dataclass(slots=True)
class BranchRecord:
    """A branch's place in the city: the district (县/区) the fleet pages group it under."""

    branch: str
    #: None (and each field below left out) keeps what is stored.
    district: str | None = None
    #: The room, for the efficiency measures.
    seats: int | None = None
    floor_area_m2: int | None = None
    weekly_open_hours: float | None = None
    opened_on: str | None = None  # YYYY-MM-DD
    #: The room's name readers know (城西书房): kiosks name it for books moving there.
    name: str | None = None


@dataclass(slots=True)
class VisitRecord:
    """Door-counter visits to one room in one hour (``hour``: the hour's start)."""

    branch: str
    hour: datetime
    count: int


@dataclass(slots=True)
class VisitBatch:
    visits: list[VisitRecord]


@dataclass(slots=True)
class BranchBatch:
    branches: list[BranchRecord]


@dataclass(slots=True)
class UpsertResult:
    inserted: int
    updated: int
    deleted: int = 0


@dataclass(slots=True)
class PolicyIn:
    document: dict[str, Any]


@dataclass(slots=True)
class ConflictRecord:
    id: int
    txn_id: str
    kiosk_id: str
    branch: str
    kind: str
    patron_card: str
    item_pii: str
    at: datetime
    reason: str
    detail: str
    created_at: datetime
    resolved_at: datetime | None = None
    resolution: str | None = None
    note: str | None = None
    resolved_by: str | None = None
    #: ``central`` (refused by the central's ledger) or ``sip2`` (refused by the library
    #: system, reported by the kiosk: settled there, so only ``dismiss`` closes it here).
    source: str = "central"


@dataclass(slots=True)
class ConflictResolution:
    """``apply`` forces the transaction into the loans (ending another reader's loan);
    a conflict from the library system (``source`` other than ``central``) can only be
    dismissed, with a note saying how it was settled there."""

    action: Resolution
    note: str = ""


@dataclass(slots=True)
class FaultRecord:
    id: int
    kiosk_id: str
    device: str
    code: str
    severity: str
    message: str
    first_at: datetime
    last_at: datetime
    count: int
    cleared_at: datetime | None = None


@dataclass(slots=True)
class KioskStatus:
    """One fleet row; uptime, downtime and MTBF cover the last ``window_hours``."""

    kiosk_id: str
    branch: str
    online: bool
    revoked: bool
    state: str | None
    last_seen_at: datetime | None
    offline_since: datetime | None
    outbox_depth: int
    software_version: str | None
    policy_version: str | None
    devices: dict[str, str]
    open_faults: list[FaultRecord]
    faults_by_device: dict[str, int]
    window_hours: float
    uptime_percent: float
    downtime_seconds: float
    failures: int
    mtbf_seconds: float | None


@dataclass(slots=True)
class Fleet:
    kiosks: list[KioskStatus]


@dataclass(slots=True)
class LoanRecord:
    item_pii: str
    patron_card: str
    loaned_at: datetime
    due_at: datetime
    renewals: int
    txn_id: str
    kiosk_id: str
    returned_at: datetime | None = None


@dataclass(slots=True)
class DailyStats:
    branch: str
    day: str
    loans: int
    returns: int
    renewals: int
    readers: int


# --- collection rotation (issue #17) -----------------------------------------------------


@dataclass(slots=True)
class RotationPlanIn:
    """Move ``items`` (their PIIs, all held by ``from_branch``) to ``to_branch``."""

    from_branch: str
    to_branch: str
    items: list[str]
    note: str = ""


@dataclass(slots=True)
class RotationPlanRecord:
    id: int
    from_branch: str
    to_branch: str
    note: str
    created_by: str
    created_at: datetime
    cancelled_at: datetime | None = None
    #: Items by where they are: on_shelf, on_loan, in_transit, arrived, cancelled.
    counts: dict[str, int] = field(default_factory=dict)
