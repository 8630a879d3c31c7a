"""Build the SIP2 connector from the kiosk's ``sip2.*`` settings (for the composition root)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sync.sip2.client import Account, Sip2Client
from sync.sip2.dialects import profile
from sync.sip2.library_system import Sip2Upstream
from sync.sip2.pool import Sip2Pool
from sync.sip2.replay import Sip2Replay
from sync.sip2.transport import Endpoint


@dataclass(frozen=True)
class Connector:
    """The three faces of one library-system connection."""

    client: Sip2Client | Sip2Pool
    upstream: Sip2Upstream
    replay: Sip2Replay


def endpoint_from(config: Any) -> Endpoint:
    return Endpoint(
        host=config["sip2.host"],
        port=config["sip2.port"],
        tls=config["sip2.tls"],
        tls_ca_file=config["sip2.tls_ca_file"],
        connect_timeout_s=config["sip2.connect_timeout_s"],
    )


def account_from(config: Any) -> Account:
    return Account(
        login_user=config["sip2.login_user"],
        login_password=config["sip2.login_password"],
        location_code=config["sip2.location_code"],
        institution_id=config["sip2.institution_id"],
        terminal_password=config["sip2.terminal_password"],
        charset=config["sip2.charset"],
        checksums=config["sip2.checksums"],
        timeout_s=config["sip2.timeout_s"],
        retries=config["sip2.retries"],
        bad_checksums=config["sip2.bad_checksums"],
    )


def connector_from(config: Any, store: Any = None) -> Connector:
    """Client, live upstream and replay for ``config``; nothing connects until first use.

    ``store`` (the kiosk's Store) keeps the last ACS status across restarts and the row in
    flight during a replay; without it both live in memory only.
    """

    def record_fault(code: str, message: str) -> None:
        store.faults.record("sip2", code, "warning", message, datetime.now(UTC))

    def make_client() -> Sip2Client:
        return Sip2Client(
            endpoint_from(config),
            account_from(config),
            faults=record_fault if store is not None else None,
        )

    sessions = config["sip2.sessions"]
    client: Sip2Client | Sip2Pool = (
        make_client() if sessions == 1 else Sip2Pool(make_client, sessions)
    )
    dialect = replace(profile(config["sip2.dialect"]), due_dates_local=config["sip2.local_dates"])
    state = store.state if store is not None else None
    upstream = Sip2Upstream(
        client,
        dialect,
        budget_s=config["upstream.timeout_s"],
        offline_policy=config["sip2.offline_policy"],
        tz=ZoneInfo(config["kiosk.timezone"]),
        state=state,
        # a reply that misses the budget is still awaited this long before asking 17
        late_reply_s=config["sip2.timeout_s"],
    )
    lookup = store.journal.get if store is not None else None
    history = (lambda pii: store.journal.recent(50, item_pii=pii)) if store is not None else None
    replay = Sip2Replay(upstream, lookup=lookup, state=state, history=history)
    return Connector(client, upstream, replay)
