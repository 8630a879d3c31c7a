"""Every kiosk setting, declared once with its type, default and one line of help.

The loader validates against this list, ``shufang config sample`` prints the sample file from
it, and a test keeps ``packaging/kiosk.sample.toml`` identical to that output.
"""

from __future__ import annotations

from kiosk.config.sections.access import ACCESS
from kiosk.config.sections.machine import MACHINE
from kiosk.config.sections.policy import POLICY
from kiosk.config.sections.screen import SCREEN
from kiosk.config.sections.upstream import UPSTREAM
from kiosk.config.types import Setting

__all__ = ["RETIRED", "SETTINGS", "Setting", "by_key"]

#: In the order the sample file and the reference list them.
SETTINGS: tuple[Setting, ...] = (*MACHINE, *UPSTREAM, *SCREEN, *ACCESS, *POLICY)


#: Settings a release took away, with why: a file that still has one loads (an unattended
#: kiosk must not stop at an upgrade) and the value is ignored.
RETIRED: dict[str, str] = {
    "ecard.signing_key_id": "kiosks no longer sign e-cards; `shufang central ecard` issues them",
}


def by_key() -> dict[str, Setting]:
    return {s.key: s for s in SETTINGS}
