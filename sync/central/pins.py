"""PINs at the central: checking one for a kiosk without the hash, and lockouts for the city.

A kiosk outside the policy's ``pin_hash_scope`` asks the central to check a reader's PIN.
The central counts wrong PINs per card itself, so a kiosk token cannot be used to try PINs
faster than the policy allows at a kiosk. A lockout (its own, or one a kiosk reports after
wrong PINs there) goes out on the change feed, and every kiosk refuses the card until it
ends. No PIN is ever stored or logged here; only the card's counts are.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk.policy import Policy
from kiosk.policy_check import PolicyInvalid, parse_policy
from sync import wire
from sync.central.changes import Delta, append
from sync.central.schema import patrons, pin_lockouts, policies


def current_policy(conn: Connection) -> Policy:
    """The policy the kiosks lend by (the defaults until one is set)."""
    document = conn.execute(
        sa.select(policies.c.document).order_by(policies.c.version.desc()).limit(1)
    ).scalar()
    try:
        return parse_policy(document) if document else Policy()
    except PolicyInvalid:  # stored before policies were checked: the defaults are safer
        return Policy()


def pin_hash_of(conn: Connection, card_id: str) -> str | None:
    return conn.execute(sa.select(patrons.c.pin_hash).where(patrons.c.card_id == card_id)).scalar()


def locked_until(conn: Connection, card_id: str, now: datetime) -> datetime | None:
    """When the card's current lockout ends, or None when it is not locked out now."""
    until = conn.execute(
        sa.select(pin_lockouts.c.locked_until).where(pin_lockouts.c.card_id == card_id)
    ).scalar()
    return until if until is not None and until > now else None


def record_verdict(
    conn: Connection, kiosk_id: str, card_id: str, right: bool, now: datetime
) -> wire.PinCheckReply:
    """Count a PIN the central checked (verified before this transaction: scrypt is slow);
    the attempt that reaches ``pin_max_attempts`` locks the card for the city."""
    until = locked_until(conn, card_id, now)
    if until is not None:  # locked meanwhile (another kiosk, another process)
        return wire.PinCheckReply("locked", until)
    if right:
        conn.execute(pin_lockouts.delete().where(pin_lockouts.c.card_id == card_id))
        return wire.PinCheckReply("right")
    until = _count_wrong(conn, kiosk_id, card_id, 1, now)
    return wire.PinCheckReply("locked", until) if until else wire.PinCheckReply("wrong")


def record_failures(
    conn: Connection, kiosk_id: str, failures: list[wire.PinFailureRecord], now: datetime
) -> int:
    """Add wrong PINs kiosks checked themselves to each card's count; the number of cards
    this locked (each lockout published like a reported one)."""
    locked = 0
    for failure in failures:
        if failure.wrong > 0 and locked_until(conn, failure.card_id, now) is None:
            locked += _count_wrong(conn, kiosk_id, failure.card_id, failure.wrong, now) is not None
    return locked


def _count_wrong(
    conn: Connection, kiosk_id: str, card_id: str, wrong: int, now: datetime
) -> datetime | None:
    """Add ``wrong`` to the card's count of recent wrong PINs (those within one lockout's
    length of each other, so one typo a month never adds up); lock the card for the city
    when the count reaches ``pin_max_attempts``, and return the lockout's end then."""
    policy = current_policy(conn)
    window = timedelta(minutes=policy.pin_lockout_minutes)
    row = conn.execute(
        sa.select(pin_lockouts.c.failures, pin_lockouts.c.updated_at).where(
            pin_lockouts.c.card_id == card_id
        )
    ).first()
    recent = row.failures if row is not None and row.updated_at > now - window else 0
    failures = recent + wrong
    if failures >= policy.pin_max_attempts:
        until = now + window
        _store(conn, card_id, 0, until, kiosk_id, now, exists=row is not None)
        _publish(conn, card_id, until, now)
        return until
    _store(conn, card_id, failures, None, kiosk_id, now, exists=row is not None)
    return None


def record_lockouts(
    conn: Connection, kiosk_id: str, lockouts: list[wire.PinLockoutRecord], now: datetime
) -> int:
    """Keep each reported lockout that ends later than what is known, and publish it.

    A lockout ends at most ``pin_lockout_minutes`` from now (the policy's own length), so a
    rogue or misconfigured kiosk cannot lock a reader out for longer than one lockout.
    """
    longest = now + timedelta(minutes=current_policy(conn).pin_lockout_minutes)
    recorded = 0
    for lockout in {x.card_id: x for x in lockouts}.values():
        until = min(lockout.locked_until, longest)
        if until <= now:
            continue
        row = conn.execute(
            sa.select(pin_lockouts.c.locked_until).where(pin_lockouts.c.card_id == lockout.card_id)
        ).first()
        if row is not None and row.locked_until is not None and row.locked_until >= until:
            continue
        _store(conn, lockout.card_id, 0, until, kiosk_id, now, exists=row is not None)
        _publish(conn, lockout.card_id, until, now)
        recorded += 1
    return recorded


def _store(
    conn: Connection,
    card_id: str,
    failures: int,
    until: datetime | None,
    kiosk_id: str,
    now: datetime,
    *,
    exists: bool,
) -> None:
    values = {"failures": failures, "locked_until": until, "kiosk_id": kiosk_id, "updated_at": now}
    if exists:
        conn.execute(pin_lockouts.update().where(pin_lockouts.c.card_id == card_id).values(values))
    else:  # two processes inserting the same card: the loser is run again (write_with_retry)
        conn.execute(pin_lockouts.insert().values(card_id=card_id, **values))


def _publish(conn: Connection, card_id: str, until: datetime, now: datetime) -> None:
    record = wire.PinLockoutRecord(card_id=card_id, locked_until=until)
    append(conn, [Delta("lockout", card_id, "upsert", wire.to_json(record))], now)
