"""Kiosk and staff bearer tokens: issued once, stored only as a hash, revocable."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.central.schema import kiosks, staff_tokens

KIOSK_PREFIX = "sfk_"
STAFF_PREFIX = "sfs_"


@dataclass(frozen=True, slots=True)
class KioskIdentity:
    kiosk_id: str
    branch: str


@dataclass(frozen=True, slots=True)
class StaffIdentity:
    name: str


def hash_token(token: str) -> str:
    """SHA-256 is enough here: tokens are 256 random bits, so there is nothing to brute force,
    and a deterministic hash lets the database find the kiosk by its token in one lookup."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def enrol_kiosk(conn: Connection, kiosk_id: str, branch: str, now: datetime) -> str:
    """Issue a token for a kiosk; enrolling again replaces (and so invalidates) the old one."""
    token = new_token(KIOSK_PREFIX)
    values = {
        "branch": branch,
        "token_hash": hash_token(token),
        "enrolled_at": now,
        "revoked_at": None,
    }
    updated = conn.execute(
        kiosks.update().where(kiosks.c.kiosk_id == kiosk_id).values(**values)
    ).rowcount
    if not updated:
        conn.execute(kiosks.insert().values(kiosk_id=kiosk_id, devices={}, **values))
    return token


def enrol_staff(conn: Connection, name: str, now: datetime) -> str:
    token = new_token(STAFF_PREFIX)
    values = {"token_hash": hash_token(token), "created_at": now, "revoked_at": None}
    updated = conn.execute(
        staff_tokens.update().where(staff_tokens.c.name == name).values(**values)
    ).rowcount
    if not updated:
        conn.execute(staff_tokens.insert().values(name=name, **values))
    return token


def revoke_kiosk(conn: Connection, kiosk_id: str, now: datetime) -> bool:
    """Forget the token hash too, so a leaked token can never match again."""
    return bool(
        conn.execute(
            kiosks.update()
            .where(kiosks.c.kiosk_id == kiosk_id)
            .values(revoked_at=now, token_hash=None)
        ).rowcount
    )


def revoke_staff(conn: Connection, name: str, now: datetime) -> bool:
    return bool(
        conn.execute(
            staff_tokens.update()
            .where(staff_tokens.c.name == name)
            .values(revoked_at=now, token_hash=None)
        ).rowcount
    )


class TokenRevoked(Exception):
    """A write made with a cached identity found the kiosk's token revoked or replaced."""


class TokenCache:
    """Token hash → kiosk, remembered for a short while by one API process.

    Only for the write paths that check the token again inside their own transaction
    (heartbeats in ``heartbeats.record_heartbeats``, pushes in ``ledger.apply_batch``):
    there a cached identity saves a lookup per request and a revoked token is still refused
    at once. Bounded, so a flood of made-up
    tokens cannot grow it without end (misses are not remembered at all). Entries outlive
    the kiosks' one-minute heartbeat interval, or every beat would miss.
    """

    def __init__(self, ttl_seconds: float = 900.0, max_entries: int = 200_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[KioskIdentity, float]] = {}
        self._lock = threading.Lock()

    def get(self, token_hash: str) -> KioskIdentity | None:
        entry = self._entries.get(token_hash)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, token_hash: str, identity: KioskIdentity) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()  # rare; the next requests simply look up again
            self._entries[token_hash] = (identity, time.monotonic() + self.ttl)

    def forget(self, token_hash: str) -> None:
        with self._lock:
            self._entries.pop(token_hash, None)


def kiosk_for_token(conn: Connection, token: str) -> KioskIdentity | None:
    row = conn.execute(
        sa.select(kiosks.c.kiosk_id, kiosks.c.branch).where(
            kiosks.c.token_hash == hash_token(token), kiosks.c.revoked_at.is_(None)
        )
    ).first()
    return KioskIdentity(row.kiosk_id, row.branch) if row else None


def staff_for_token(conn: Connection, token: str) -> StaffIdentity | None:
    row = conn.execute(
        sa.select(staff_tokens.c.name).where(
            staff_tokens.c.token_hash == hash_token(token), staff_tokens.c.revoked_at.is_(None)
        )
    ).first()
    return StaffIdentity(row.name) if row else None


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None
