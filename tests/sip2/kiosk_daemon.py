"""A SIP2 kiosk's config, offline loans and sync daemon, for the daemon and conflict tests.

The kiosk core is the one `shufang run` builds; ``kiosk_core`` (``conftest.py``) is that core
wired to the test library system.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.config import load_config
from kiosk.core import Core
from kiosk.models import CardKind, Decision
from sync.daemon import SyncDaemon
from tests.fixtures.central import Central
from tests.sip2.library import Library, RunningServer


def write_config(
    tmp_path: Path, port: int, service: Central | None = None, upstream: str = ""
) -> Path:
    """A SIP2 kiosk; with ``service`` also its central (kiosk k1 enrolled there)."""
    upstream = 'kind = "sip2"\n' + upstream
    if service is not None:
        if "k1" not in service.tokens:
            service.enrol("k1")
        upstream += f'url = "{service.url}"\ntoken = "{service.tokens["k1"]}"\n'
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[kiosk]\nid = "k1"\n[database]\npath = "{tmp_path / "kiosk.db"}"\n'
        f"[upstream]\n{upstream}"
        f'[sip2]\nport = {port}\ninstitution_id = "CITY"\nlocation_code = "MAIN"\n'
        'timeout_s = 0.5\nretries = 0\noffline_policy = "allow"\n',
        encoding="utf-8",
    )
    return path


def lend_offline(core: Core, server: RunningServer, card: str, *piis: str) -> None:
    """The library system is down while a reader borrows: the kiosk decides and queues."""
    server.stop()
    try:
        ident = core.circulation.identify(card, CardKind.BARCODE, "1234")
        assert ident.ok, ident.reason
        for pii in piis:
            outcome = core.circulation.checkout(ident.patron, pii)
            assert outcome.ok, outcome.reason
    finally:
        server.start()
    rows = core.store.journal.pending(10)
    assert [r.decision for r in rows] == [Decision.OFFLINE] * len(piis)


def daemon_for(tmp_path: Path, port: int, service: Central | None = None) -> SyncDaemon:
    return SyncDaemon.from_config(load_config(write_config(tmp_path, port, service)))


def applied_for(library: Library, pii: str) -> int:
    return sum(1 for command, item, *_ in library.applied if command == "11" and item == pii)
