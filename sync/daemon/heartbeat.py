"""Builds the heartbeat from the kiosk database and records which faults the central has seen."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Protocol

import kiosk
from kiosk.clock import from_text, to_text
from kiosk.core import DEVICES_HEALTH_KEY, OFFLINE_SINCE_KEY, OUT_OF_SERVICE_KEY
from kiosk.models import Fault
from kiosk.store import Store
from sync.central import wire

log = logging.getLogger("shufang.sync.heartbeat")

#: State key: the latest ``cleared_at`` already reported, so each clear is sent once.
FAULTS_CLEARED_KEY = "sync.faults_cleared_reported"


class Beater(Protocol):
    def heartbeat(self, beat: wire.Heartbeat) -> wire.HeartbeatAck: ...


@dataclass(frozen=True, slots=True)
class BeatReport:
    faults_sent: int
    ack: wire.HeartbeatAck


def device_states(store: Store) -> dict[str, str]:
    """What the UI process last wrote under ``devices.health``; empty when unknown."""
    text = store.get_state(DEVICES_HEALTH_KEY)
    if not text:
        return {}
    try:
        found = json.loads(text)
    except ValueError:
        log.warning("unreadable %s state; sending no device states", DEVICES_HEALTH_KEY)
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(k): str(v) for k, v in found.items()}


def build_heartbeat(store: Store, policy_version: str | None) -> tuple[wire.Heartbeat, list[Fault]]:
    faults = store.faults_to_report(store.get_state(FAULTS_CLEARED_KEY))
    offline_since = store.get_state(OFFLINE_SINCE_KEY)
    beat = wire.Heartbeat(
        state="out_of_service" if store.get_state(OUT_OF_SERVICE_KEY, "0") == "1" else "in_service",
        outbox_depth=store.outbox_depth(),
        software_version=kiosk.__version__,
        policy_version=policy_version,
        offline_since=from_text(offline_since) if offline_since else None,
        devices=device_states(store),
        faults=[
            wire.FaultReport(
                device=f.device,
                code=f.code,
                severity=f.severity.value,
                message=f.message,
                first_at=f.first_at,
                last_at=f.last_at,
                count=f.count,
                cleared_at=f.cleared_at,
            )
            for f in faults
        ],
    )
    return beat, faults


def send_heartbeat(store: Store, client: Beater, policy_version: str | None) -> BeatReport:
    """Send one heartbeat; only after the central's ack are its faults marked as reported."""
    beat, faults = build_heartbeat(store, policy_version)
    ack = client.heartbeat(beat)
    if faults:
        with store.atomic():
            store.mark_faults_reported((f.id, f.count) for f in faults)
            cleared = [to_text(f.cleared_at) for f in faults if f.cleared_at is not None]
            if cleared:
                previous = store.get_state(FAULTS_CLEARED_KEY) or ""
                store.set_state(FAULTS_CLEARED_KEY, max([previous, *cleared]))
    return BeatReport(len(faults), ack)
