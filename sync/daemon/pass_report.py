"""What one pass of the sync daemon did, for ``shufang sync --once`` and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from sync.daemon.acs import AcsReport, ConflictReport
from sync.daemon.heartbeat import BeatReport
from sync.daemon.pull import PullReport
from sync.daemon.push import PushReport


@dataclass(slots=True)
class PassReport:
    """What one pass did; ``reachable`` false means the central could not be reached, and
    ``acs`` (SIP2 sites) says how the library system's leg went, ``reported`` how its
    refusals reached the central's conflicts."""

    reachable: bool = True
    authorized: bool = True
    error: str = ""
    retry_after_s: float | None = None
    push: PushReport | None = None
    pull: PullReport | None = None
    beat: BeatReport | None = None
    acs: AcsReport | None = None
    reported: ConflictReport | None = None
    lockouts_reported: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def central_ok(self) -> bool:
        return self.reachable and self.authorized and not self.error

    @property
    def ok(self) -> bool:
        return self.central_ok and (self.acs is None or self.acs.reachable)
