"""Builds the heartbeat from the kiosk database and records which faults the central has seen."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import kiosk
from kiosk.clock import from_text, to_text
from kiosk.models import Fault
from kiosk.store import Store
from kiosk.store.state import (
    DEVICES_HEALTH_KEY,
    FAULTS_CLEARED_KEY,
    OFFLINE_SINCE_KEY,
    OUT_OF_SERVICE_KEY,
)
from sync import wire

log = logging.getLogger("shufang.sync.heartbeat")


class Beater(Protocol):
    def heartbeat(self, beat: wire.Heartbeat) -> wire.HeartbeatAck: ...


@dataclass(frozen=True, slots=True)
class BeatReport:
    faults_sent: int
    ack: wire.HeartbeatAck


def device_states(store: Store) -> dict[str, str]:
    """What the UI process last wrote under ``devices.health``; empty when unknown."""
    found = store.state.get(DEVICES_HEALTH_KEY)
    if found is None:
        if store.state.text(DEVICES_HEALTH_KEY):
            log.warning("unreadable %s state; sending no device states", DEVICES_HEALTH_KEY.name)
        return {}
    return {str(k): str(v) for k, v in found.items()}


def build_heartbeat(store: Store, policy_version: str | None) -> tuple[wire.Heartbeat, list[Fault]]:
    faults = store.faults.to_report(store.state.get(FAULTS_CLEARED_KEY))
    offline_since = store.state.get(OFFLINE_SINCE_KEY)
    beat = wire.Heartbeat(
        state="out_of_service" if store.state.get(OUT_OF_SERVICE_KEY) else "in_service",
        outbox_depth=store.journal.outbox_depth(),
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
            store.faults.mark_reported((f.id, f.count) for f in faults)
            cleared = [to_text(f.cleared_at) for f in faults if f.cleared_at is not None]
            if cleared:
                previous = store.state.get(FAULTS_CLEARED_KEY)
                store.state.set(FAULTS_CLEARED_KEY, max([previous, *cleared]))
    return BeatReport(len(faults), ack)
