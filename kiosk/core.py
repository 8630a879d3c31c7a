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
from kiosk.faults import StoreFaults
from kiosk.policy import Policy
from kiosk.policy_check import PolicyInvalid, parse_policy
from kiosk.store import Store

#: State keys shared between the UI process and the sync daemon (see Store.get_state).
ONLINE_KEY = "sync.online"  # "1" or "0", written by the sync daemon
OFFLINE_SINCE_KEY = "sync.offline_since"
WRITE_CHECK_KEY = "ui.write_check"  # rewritten by Core.check_writable while out of service
OUT_OF_SERVICE_KEY = "kiosk.out_of_service"  # "1" while a technician has it out of service
#: JSON object device name -> DeviceState value ("ready", "error", ...), written by the UI
#: process from DeviceStation.health() whenever a device changes state; the sync daemon sends
#: it in every heartbeat. Absent or unreadable means "unknown" and sends no device states.
DEVICES_HEALTH_KEY = "devices.health"
#: JSON object key id -> base64url Ed25519 public key of the central's e-card keys, written
#: by the sync daemon from the replicated policy. Once present it replaces ``ecard.keys`` of
#: the config. Public keys only: a kiosk can check an e-card, never make one.
ECARD_KEYS_KEY = "ecard.central_public_keys"
#: Where kiosks before Ed25519 kept the central's HMAC secrets; the daemon blanks it.
LEGACY_ECARD_SECRETS_KEY = "ecard.central_keys"


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
        return self.store.get_state(ONLINE_KEY, "1") != "0"

    def link_state(self) -> bool | None:
        """Online, offline, or None before the sync daemon's first pass has said.

        Lending treats "not yet known" as online (it tries the upstream and falls back), but
        the screen must not claim 在线 for a kiosk that has never reached its upstream.
        """
        value = self.store.get_state(ONLINE_KEY)
        return None if value is None else value != "0"

    def set_online(self, online: bool) -> None:
        self.store.set_state(ONLINE_KEY, "1" if online else "0")

    def out_of_service(self) -> bool:
        return self.store.get_state(OUT_OF_SERVICE_KEY, "0") == "1"

    def check_writable(self) -> None:
        """A small committed write; raises when the database still cannot take one (a full
        disk, a read-only file), so the UI knows when to come back into service."""
        with self.store.atomic():
            self.store.set_state(WRITE_CHECK_KEY, str(time.time_ns()))

    def publish_device_health(self, states: Mapping[str, str]) -> None:
        """Tell the sync daemon the devices' states (see ``DEVICES_HEALTH_KEY``)."""
        self.store.set_state(DEVICES_HEALTH_KEY, json.dumps(dict(states), sort_keys=True))


class StoredECardKeys(Mapping[str, bytes]):
    """E-card public keys read from the store on each use, so keys the daemon pulls apply at once.

    The config's keys are the fallback until the central service has sent its own.
    """

    def __init__(self, store: Store, fallback: Mapping[str, bytes]) -> None:
        self._store = store
        self._fallback = dict(fallback)

    def _current(self) -> Mapping[str, bytes]:
        text = self._store.get_state(ECARD_KEYS_KEY)
        if not text:
            return self._fallback
        try:
            return {kid: decode_key(secret) for kid, secret in json.loads(text).items()}
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
        document = self.store.active_policy_document()
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
    circulation = Circulation(
        store,
        PolicySource(config, store),
        clock,
        site,
        online=online or (lambda: store.get_state(ONLINE_KEY, "1") != "0"),
    )
    # Read through the store on every QR card rather than a copy taken at start-up.
    circulation.ecard_keys = StoredECardKeys(store, keys)  # type: ignore[assignment]
    return Core(config, store, circulation, site, StoreFaults(store, clock))
