"""An embedded central service on a SQLite file, for ``shufang demo`` and end-to-end tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.clock import Clock, SystemClock
from kiosk.store.rows import ITEM_COLUMNS, PATRON_COLUMNS
from sync.link.client import Unavailable

if TYPE_CHECKING:
    import requests


@dataclass
class EmbeddedCentral:
    """A running central service with one kiosk and one staff member enrolled: a token for
    the API and an administrator account (fresh password each start) for the pages."""

    url: str
    kiosk_token: str
    staff_token: str
    staff_name: str
    staff_password: str
    server: Any  # sync.central.server.BackgroundServer
    engine: Any  # sqlalchemy Engine

    def stop(self) -> None:
        self.server.stop()
        self.engine.dispose()


def start_embedded_central(
    db: str | Path,
    kiosk_id: str,
    branch: str,
    *,
    clock: Clock | None = None,
    staff_name: str = "demo-staff",
) -> EmbeddedCentral:
    """Migrate ``db`` (a SQLite file path or a database URL), enrol, and serve on 127.0.0.1.

    Enrolling again replaces the kiosk's old token, so restarting the demo on the same folder
    hands out fresh tokens rather than failing.
    """
    # The web stack is imported here so importing sync.daemon stays light on a kiosk.
    import secrets

    from sync.central import auth, staff_accounts
    from sync.central.app import create_app
    from sync.central.database import writing
    from sync.central.server import BackgroundServer

    url = str(db) if "://" in str(db) else f"sqlite:///{Path(db).resolve()}"
    clock = clock or SystemClock()
    app = create_app(url, clock)
    engine = app.state.runtime.engine
    with writing(engine) as conn:
        kiosk_token = auth.enrol_kiosk(conn, kiosk_id, branch, clock.now())
        staff_token = auth.enrol_staff(conn, staff_name, clock.now())
        password = secrets.token_urlsafe(9)
        if staff_accounts.active_account(conn, staff_name) is None:
            staff_accounts.add(
                conn, staff_name, password, "administrator", clock.now(), actor="demo"
            )
        else:
            staff_accounts.set_password(conn, staff_name, password, clock.now(), actor="demo")
    server = BackgroundServer(app).start()
    return EmbeddedCentral(
        server.url, kiosk_token, staff_token, staff_name, password, server, engine
    )


class NetworkSwitch:
    """Wraps a client and fails every call while ``down``: the demo's "pull the cable" switch.

    The daemon then sees exactly what a real outage looks like (``Unavailable``), marks the
    kiosk offline and queues loans; switching back up and calling ``SyncDaemon.wake()``
    delivers them at once.
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self.down = False

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.client, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.down:
                raise Unavailable("network switched off (demo)")
            return attribute(*args, **kwargs)

        return call


def _staff_session(central: EmbeddedCentral) -> tuple[requests.Session, str]:
    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {central.staff_token}"
    return session, central.url + "/api/v1"


def seed_from_store(central: EmbeddedCentral, store: Any) -> None:
    """Give the demo's central service the kiosk's catalog, patrons and holds (admin API)."""
    items = [{k: r[k] for k in ITEM_COLUMNS} for r in store.db.query("SELECT * FROM items")]
    patrons = [
        {k: r[k] for k in PATRON_COLUMNS} | {"blocks": [b for b in r["blocks"].split(",") if b]}
        for r in store.db.query("SELECT * FROM patrons")
    ]
    holds = [
        {"item_pii": r["item_pii"], "patron_card": r["patron_card"]}
        for r in store.db.query("SELECT * FROM holds")
    ]
    session, api = _staff_session(central)
    session.put(api + "/admin/items", json={"items": items}, timeout=60).raise_for_status()
    session.put(api + "/admin/patrons", json={"patrons": patrons}, timeout=60).raise_for_status()
    session.post(api + "/admin/holds", json={"holds": holds}, timeout=60).raise_for_status()


def what_central_knows(central: EmbeddedCentral) -> dict[str, Any]:
    """Open loans, conflicts and daily statistics, read from the staff API."""
    session, api = _staff_session(central)
    loans = session.get(api + "/loans", params={"open": "true"}, timeout=30).json()
    conflicts = session.get(api + "/conflicts", timeout=30).json()
    stats = session.get(api + "/statistics", timeout=30).json()
    return {
        "url": central.url,
        "open_loans": len(loans),
        "conflicts": len(conflicts),
        "statistics": stats,
    }
