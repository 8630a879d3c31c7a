"""The state table: small facts one process leaves for the other, each under a typed key.

The UI process and the sync daemon share the kiosk database; what one tells the other
(online or not, out of service, the devices' states, sync cursors) lives in the ``state``
table as text. Each fact is declared once here as a ``StateKey`` with its type and its
stored form, so a reader gets a ``bool`` or an ``int`` back, never a string to parse, and a
newcomer finds every cross-process fact in this one list. The stored text is unchanged
from the string-keyed API this replaced, so no migration was needed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from kiosk.store.connection import Repository

T = TypeVar("T")


@dataclass(frozen=True)
class StateKey(Generic[T]):
    """One fact in the state table: its name, its value when absent, and its stored text."""

    name: str
    default: T
    decode: Callable[[str], T]
    encode: Callable[[T], str]


def _flag(true: str, false: str) -> tuple[Callable[[str], bool], Callable[[bool], str]]:
    return (lambda text: text == true), (lambda value: true if value else false)


def _int(text: str) -> int:
    return int(text or 0)


def _text(text: str) -> str:
    return text


def _json_object(text: str) -> dict[str, Any] | None:
    """None for text that is not a JSON object: the other process's bug must not stop this one."""
    try:
        found = json.loads(text) if text else None
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _dump(value: dict[str, Any] | None) -> str:
    return json.dumps(value or {}, sort_keys=True)


def _online(text: str) -> bool | None:
    return text != "0"


def _store_online(value: bool | None) -> str:
    return "0" if value is False else "1"


# --- written by the sync daemon ------------------------------------------------------------

#: Whether the upstream answered on the daemon's last pass; None before its first pass.
ONLINE_KEY: StateKey[bool | None] = StateKey("sync.online", None, _online, _store_online)
#: When the upstream was last found gone (UTC text), "" while online.
OFFLINE_SINCE_KEY: StateKey[str] = StateKey("sync.offline_since", "", _text, _text)
#: The central's change-feed cursor: the last change applied here.
CURSOR_KEY: StateKey[int] = StateKey("sync.changes_cursor", 0, _int, str)
#: The latest ``cleared_at`` of the faults the central acknowledged (UTC text).
FAULTS_CLEARED_KEY: StateKey[str] = StateKey("sync.faults_cleared_reported", "", _text, _text)
#: The PIN lockouts and wrong-PIN counts last reported: {"locked": {...}, "wrong": {...}}.
PIN_LOCKOUTS_REPORTED_KEY: StateKey[dict[str, Any] | None] = StateKey(
    "sync.pin_lockouts_reported", None, _json_object, _dump
)
#: Key id -> base64url Ed25519 public key of the central's e-card keys, from the replicated
#: policy. Once present it replaces ``ecard.keys`` of the config. Public keys only: a kiosk
#: can check an e-card, never make one.
ECARD_KEYS_KEY: StateKey[dict[str, Any] | None] = StateKey(
    "ecard.central_public_keys", None, _json_object, _dump
)
#: Where kiosks before Ed25519 kept the central's HMAC secrets; the daemon blanks it.
LEGACY_ECARD_SECRETS_KEY: StateKey[str] = StateKey("ecard.central_keys", "", _text, _text)
#: The journal seq last sent to the ACS by the SIP2 replay (its reply may not have come).
SIP2_SENT_KEY: StateKey[int] = StateKey("sip2.replay_last_sent_seq", 0, _int, str)
#: The ACS's last "off-line ok" flag (SC status ``98``), which rules after a restart.
SIP2_OFFLINE_OK_KEY: StateKey[bool] = StateKey("sip2.offline_ok", False, *_flag("Y", "N"))

# --- written by the UI process -----------------------------------------------------------

#: True while a technician has the kiosk out of service.
OUT_OF_SERVICE_KEY: StateKey[bool] = StateKey("kiosk.out_of_service", False, *_flag("1", "0"))
#: Rewritten by ``Core.check_writable`` while out of service (nanoseconds, any changing value).
WRITE_CHECK_KEY: StateKey[int] = StateKey("ui.write_check", 0, _int, str)
#: Device name -> DeviceState value ("ready", "error", ...), from DeviceStation.health()
#: whenever a device changes state; the sync daemon sends it in every heartbeat. Absent or
#: unreadable means "unknown" and sends no device states.
DEVICES_HEALTH_KEY: StateKey[dict[str, Any] | None] = StateKey(
    "devices.health", None, _json_object, _dump
)


class State(Repository):
    """Typed reads and writes of the state table (see the keys above)."""

    def get(self, key: StateKey[T]) -> T:
        text = self.text(key)
        return key.default if text is None else key.decode(text)

    def set(self, key: StateKey[T], value: T) -> None:
        self.set_text(key, key.encode(value))

    def text(self, key: StateKey[Any] | str) -> str | None:
        """The stored text itself (None when absent): for tests and probes of the file."""
        name = key if isinstance(key, str) else key.name
        row = self._c.row("SELECT value FROM state WHERE key = ?", (name,))
        return row["value"] if row else None

    def set_text(self, key: StateKey[Any] | str, text: str) -> None:
        """Store text as it is (a probe write, or a test standing in for the other process)."""
        name = key if isinstance(key, str) else key.name
        self._c.write(
            "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key)"
            " DO UPDATE SET value = excluded.value",
            (name, text),
        )
