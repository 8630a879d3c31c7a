"""Builds the core (store, policy, circulation) from a checked config: shared by every command."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.circulation import Circulation, Site
from kiosk.clock import Clock, SystemClock
from kiosk.config import Config
from kiosk.ecard import decode_key
from kiosk.policy import Policy
from kiosk.store import Store


@dataclass
class Core:
    config: Config
    store: Store
    circulation: Circulation
    site: Site

    def close(self) -> None:
        self.store.close()


def site_from(config: Config) -> Site:
    return Site(
        kiosk_id=config["kiosk.id"],
        branch=config["kiosk.branch"],
        isil=config["kiosk.isil"],
        tz=ZoneInfo(config["kiosk.timezone"]),
    )


def policy_from(config: Config, store: Store) -> Policy:
    """The central service's policy once one has been replicated, the config's until then."""
    document = store.active_policy_document()
    if document:
        return Policy.from_dict(json.loads(document))
    return Policy.from_dict(config.section("policy"))


def open_core(
    config: Config,
    *,
    clock: Clock | None = None,
    db_path: str | Path | None = None,
    online=lambda: True,
) -> Core:
    store = Store(
        db_path or config["database.path"], busy_timeout_ms=config["database.busy_timeout_ms"]
    )
    site = site_from(config)
    keys = {kid: decode_key(secret) for kid, secret in config["ecard.keys"].items()}
    circulation = Circulation(
        store,
        lambda: policy_from(config, store),
        clock or SystemClock(),
        site,
        online=online,
        ecard_keys=keys,
    )
    return Core(config, store, circulation, site)
