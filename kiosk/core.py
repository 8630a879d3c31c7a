"""Builds the core (store, policy, circulation) from a checked config: shared by every command."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.circulation import Circulation, Site
from kiosk.clock import Clock, SystemClock
from kiosk.config import Config
from kiosk.ecard import decode_key
from kiosk.fault_log import StoreFaults
from kiosk.policy import Policy
from kiosk.policy_check import PolicyInvalid, parse_policy
from kiosk.store import Store
from kiosk.store.state import (
    DEVICES_HEALTH_KEY,
    ECARD_KEYS_KEY,
    ONLINE_KEY,
    OUT_OF_SERVICE_KEY,
    WRITE_CHECK_KEY,
)


def link_state(store: Store) -> bool | None:
    """What the sync daemon last wrote (``sync.online``): the one notion of "online" that
    ``Core``, the lending default and ``shufang diag`` all read; None before its first pass."""
    return store.state.get(ONLINE_KEY)


@dataclass
class Core:
    config: Config
    store: Store
    circulation: Circulation
    site: Site
    faults: StoreFaults
    #: What else the core's owner wired to it and closes with it (a library-system
    #: connection), closed first, before the store.
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for close in self.closers:
            close()
        self.store.close()

    def is_online(self) -> bool:
        """Lending's notion: "not yet known" counts as online (see ``link_state``)."""
        return self.link_state() is not False

    def link_state(self) -> bool | None:
        """Online, offline, or None before the sync daemon's first pass has said.

        Lending treats "not yet known" as online (it tries the upstream and falls back), but
        the screen must not claim 在线 for a kiosk that has never reached its upstream.
        """
        return link_state(self.store)

    def set_online(self, online: bool) -> None:
        self.store.state.set(ONLINE_KEY, online)

    def out_of_service(self) -> bool:
        return self.store.state.get(OUT_OF_SERVICE_KEY)

    def set_out_of_service(self, out_of_service: bool) -> None:
        """A technician's toggle; the sync daemon reports it in the next heartbeat."""
        self.store.state.set(OUT_OF_SERVICE_KEY, out_of_service)

    def check_writable(self) -> None:
        """A small committed write; raises when the database still cannot take one (a full
        disk, a read-only file), so the UI knows when to come back into service."""
        with self.store.atomic():
            self.store.state.set(WRITE_CHECK_KEY, time.time_ns())

    def publish_device_health(self, states: Mapping[str, str]) -> None:
        """Tell the sync daemon the devices' states (see ``DEVICES_HEALTH_KEY``)."""
        self.store.state.set(DEVICES_HEALTH_KEY, dict(states))


class StoredECardKeys(Mapping[str, bytes]):
    """E-card public keys read from the store on each use, so keys the daemon pulls apply at once.

    The config's keys are the fallback until the central service has sent its own.
    """

    def __init__(self, store: Store, fallback: Mapping[str, bytes]) -> None:
        self._store = store
        self._fallback = dict(fallback)

    def _current(self) -> Mapping[str, bytes]:
        keys = self._store.state.get(ECARD_KEYS_KEY)
        if keys is None:
            return self._fallback
        try:
            return {kid: decode_key(secret) for kid, secret in keys.items()}
        except (ValueError, AttributeError, TypeError):
            return self._fallback

    def __getitem__(self, key_id: str) -> bytes:
        return self._current()[key_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())


def site_from(config: Config) -> Site:
    return Site(
        kiosk_id=config["kiosk.id"],
        branch=config["kiosk.branch"],
        isil=config["kiosk.isil"],
        tz=ZoneInfo(config["kiosk.timezone"]),
    )


class PolicySource:
    """The central service's policy once one has been replicated, the config's until then.

    Asked on every circulation operation, so the policy is built again only when the stored
    document changes (the sync daemon may replace it at any time from its own process).
    """

    def __init__(self, config: Config, store: Store) -> None:
        self.store = store
        self._config_policy = Policy.from_dict(config.section("policy"))
        self._document: str | None = None
        self._policy: Policy | None = None

    def __call__(self) -> Policy:
        document = self.store.policies.active_document()
        if not document:
            return self._config_policy
        if document != self._document or self._policy is None:
            self._document = document
            try:  # a document stored before policies were checked may not be usable
                self._policy = parse_policy(json.loads(document))
            except (PolicyInvalid, ValueError):
                self._policy = self._policy or self._config_policy
        return self._policy


def open_core(
    config: Config,
    *,
    clock: Clock | None = None,
    db_path: str | Path | None = None,
    online: Callable[[], bool] | None = None,
) -> Core:
    """Open the store and build the core.

    Connectivity defaults to what the sync daemon last wrote (``sync.online``), so the UI
    process decides offline as soon as the daemon finds the upstream gone.
    """
    store = Store(
        db_path or config["database.path"], busy_timeout_ms=config["database.busy_timeout_ms"]
    )
    site = site_from(config)
    clock = clock or SystemClock()
    keys = {kid: decode_key(secret) for kid, secret in config["ecard.keys"].items()}
    circulation = Circulation(store, PolicySource(config, store), clock, site)
    # Read through the store on every QR card rather than a copy taken at start-up.
    circulation.ecard_keys = StoredECardKeys(store, keys)  # type: ignore[assignment]
    core = Core(config, store, circulation, site, StoreFaults(store, clock))
    circulation.set_online_source(online or core.is_online)
    return core
