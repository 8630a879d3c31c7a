"""Staff-maintained data kiosks replicate: items, patrons, holds, the policy and e-card keys.

Every write here also appends to the change feed in the same transaction, so what kiosks pull
is exactly what was committed.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk import ecard
from kiosk.policy_check import policy_problems
from sync import wire
from sync.central import rollup, staff_wire
from sync.central.changes import Delta, append
from sync.central.database import rows_by_key
from sync.central.schema import ecard_keys, holds, items, patrons, policies


class PolicyError(ValueError):
    """The policy document cannot be used by a kiosk; ``problems`` lists why, per field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def upsert_items(
    conn: Connection, records: Sequence[wire.ItemRecord], now: datetime
) -> staff_wire.UpsertResult:
    """Items in, as the staff's records say; each room's holdings in the efficiency rollup
    follow (the rows are locked in PII order, as the ledger locks them, so a loan applied
    at the same time cannot slip between the read and the write).

    A record without a ``cover`` (None: the import says nothing of it) keeps the item's."""
    records = list({r.pii: r for r in records}.values())  # last row for a pii wins
    before = rows_by_key(conn, items.c.pii, [r.pii for r in records], lock=True)
    new = [r for r in records if r.pii not in before]
    rows = {r.pii: _row(r, before.get(r.pii)) for r in records}
    changed = [
        r for r in records if r.pii in before and _item_payload(before[r.pii]) != rows[r.pii]
    ]
    holdings: Counter[tuple[str, str]] = Counter()
    if new:
        # An item added again keeps the lending the ledger already has for it.
        lent = rollup.last_lent(conn, [r.pii for r in new])
        added = [{**rows[r.pii], "updated_at": now, "last_lent_day": lent.get(r.pii)} for r in new]
        conn.execute(items.insert(), added)
        _count_holdings(holdings, added, 1)
    if changed:
        _count_holdings(holdings, [before[r.pii] for r in changed], -1)
        _count_holdings(
            holdings,
            [{**rows[r.pii], "last_lent_day": before[r.pii].last_lent_day} for r in changed],
            1,
        )
    rollup.add_holdings(conn, holdings)
    if changed:
        conn.execute(
            items.update().where(items.c.pii == sa.bindparam("key")),
            [{**rows[r.pii], "key": r.pii, "updated_at": now} for r in changed],
        )
    append(conn, [Delta("item", r.pii, "upsert", asdict(r)) for r in new + changed], now)
    return staff_wire.UpsertResult(inserted=len(new), updated=len(changed))


def _row(record: wire.ItemRecord, before: Any = None) -> dict[str, Any]:
    """The record as the items table holds it; without a cover, the one it had (or none)."""
    row = asdict(record)
    if row["cover"] is None:
        row["cover"] = before.cover if before is not None else ""
    return row


def upsert_patrons(
    conn: Connection, records: Sequence[wire.PatronRecord], now: datetime
) -> staff_wire.UpsertResult:
    records = list({r.card_id: r for r in records}.values())
    before = rows_by_key(conn, patrons.c.card_id, [r.card_id for r in records])
    new = [r for r in records if r.card_id not in before]
    changed = [
        r
        for r in records
        if r.card_id in before and _patron_payload(before[r.card_id]) != wire.to_json(r)
    ]
    if not new and not changed:
        return staff_wire.UpsertResult(inserted=0, updated=0)
    newly_blocked = {
        r.card_id
        for r in new + changed
        if r.blocks and (r.card_id not in before or not before[r.card_id].blocks)
    }
    ordered = new + changed
    last = append(
        conn, [Delta("patron", r.card_id, "upsert", wire.to_json(r)) for r in ordered], now
    )
    first = last - len(ordered) + 1
    seq_of = {r.card_id: first + i for i, r in enumerate(ordered)}

    def values(r: wire.PatronRecord) -> dict[str, Any]:
        old = before.get(r.card_id)
        blocked_seq = (
            seq_of[r.card_id]
            if r.card_id in newly_blocked
            else (old.blocked_seq if old is not None and r.blocks else None)
        )
        return {**asdict(r), "updated_at": now, "blocked_seq": blocked_seq}

    if new:
        conn.execute(patrons.insert(), [values(r) for r in new])
    if changed:
        conn.execute(
            patrons.update().where(patrons.c.card_id == sa.bindparam("key")),
            [{**values(r), "key": r.card_id} for r in changed],
        )
    return staff_wire.UpsertResult(inserted=len(new), updated=len(changed))


def _count_holdings(holdings: Counter[tuple[str, str]], rows: Sequence[Any], sign: int) -> None:
    for row in rows:
        change = rollup.holding_change(row, sign)
        if change is not None:
            holdings[change[0]] += change[1]


def delete_item(conn: Connection, pii: str, now: datetime) -> bool:
    gone = conn.execute(
        items.delete()
        .where(items.c.pii == pii)
        .returning(items.c.branch, items.c.status, items.c.last_lent_day)
    ).first()
    if gone is None:
        return False
    holdings: Counter[tuple[str, str]] = Counter()
    _count_holdings(holdings, [gone], -1)
    rollup.add_holdings(conn, holdings)
    append(conn, [Delta("item", pii, "delete")], now)
    return True


def delete_patron(conn: Connection, card_id: str, now: datetime) -> bool:
    """A tombstone tells kiosks to forget the card, e.g. when a reader leaves the library."""
    if not conn.execute(patrons.delete().where(patrons.c.card_id == card_id)).rowcount:
        return False
    append(conn, [Delta("patron", card_id, "delete")], now)
    return True


def hold_key(record: wire.HoldRecord) -> str:
    return f"{record.item_pii}\t{record.patron_card}"


def place_holds(
    conn: Connection, records: Sequence[wire.HoldRecord], now: datetime
) -> staff_wire.UpsertResult:
    fresh = []
    for r in {hold_key(r): r for r in records}.values():
        exists = conn.execute(
            sa.select(holds.c.id).where(
                holds.c.item_pii == r.item_pii, holds.c.patron_card == r.patron_card
            )
        ).first()
        if exists is None:
            fresh.append(r)
    if fresh:
        conn.execute(holds.insert(), [{**asdict(r), "placed_at": now} for r in fresh])
    append(conn, [Delta("hold", hold_key(r), "upsert", asdict(r)) for r in fresh], now)
    return staff_wire.UpsertResult(inserted=len(fresh), updated=0)


def remove_holds(
    conn: Connection, records: Sequence[wire.HoldRecord], now: datetime
) -> staff_wire.UpsertResult:
    gone = []
    for r in records:
        if conn.execute(
            holds.delete().where(
                holds.c.item_pii == r.item_pii, holds.c.patron_card == r.patron_card
            )
        ).rowcount:
            gone.append(r)
    append(conn, [Delta("hold", hold_key(r), "delete", asdict(r)) for r in gone], now)
    return staff_wire.UpsertResult(inserted=0, updated=0, deleted=len(gone))


def set_policy(conn: Connection, document: dict[str, Any], now: datetime) -> str:
    """Store a new policy version; the kiosk builds ``kiosk.policy.Policy`` from it."""
    problems = policy_problems(document)
    if problems:  # the kiosks would refuse it (and keep their last good policy): say why now
        raise PolicyError(problems)
    number = (conn.execute(sa.select(sa.func.max(policies.c.version))).scalar() or 0) + 1
    version = f"central-{number}"
    document = {**document, "version": version}
    scope_before = pin_hash_scope(conn)
    conn.execute(policies.insert().values(version=number, document=document, set_at=now))
    _publish_policy(conn, now)
    if pin_hash_scope(conn) != scope_before:
        _republish_pin_holders(conn, now)
    return version


def pin_hash_scope(conn: Connection) -> str:
    """The current policy's ``pin_hash_scope`` (``"city"`` when no policy was set)."""
    document = conn.execute(
        sa.select(policies.c.document).order_by(policies.c.version.desc()).limit(1)
    ).scalar()
    return str((document or {}).get("pin_hash_scope", "city"))


def _republish_pin_holders(conn: Connection, now: datetime) -> None:
    """Log every patron with a PIN again after the scope changed, so each kiosk pulls the
    hash it may now hold, or the marker in place of one it may no longer keep."""
    rows = conn.execute(
        sa.select(patrons).where(patrons.c.pin_hash.is_not(None)).order_by(patrons.c.card_id)
    ).all()
    append(
        conn, [Delta("patron", row.card_id, "upsert", _patron_payload(row)) for row in rows], now
    )


class NoSuchPatron(LookupError):
    """An e-card was asked for a card the central does not hold."""


def add_ecard_key(conn: Connection, now: datetime) -> wire.ECardKey:
    """A new Ed25519 key pair; older keys stay valid until revoked, so issued cards keep
    working. The private seed stays in this table; kiosks receive the public key."""
    seed = ecard.new_private_seed()
    key_id = "k" + secrets.token_hex(4)
    conn.execute(
        ecard_keys.insert().values(key_id=key_id, secret=ecard.encode_key(seed), created_at=now)
    )
    _publish_policy(conn, now)
    return wire.ECardKey(key_id, ecard.encode_key(ecard.public_key_of(seed)))


def issue_ecard(conn: Connection, card_id: str, days: int, now: datetime) -> wire.ECardOut:
    """Sign a QR e-card for a known patron with the newest active key (one is made if none
    is active: kiosks accept cards from it after their next sync)."""
    if (
        conn.execute(sa.select(patrons.c.card_id).where(patrons.c.card_id == card_id)).first()
        is None
    ):
        raise NoSuchPatron(card_id)
    row = conn.execute(
        sa.select(ecard_keys.c.key_id, ecard_keys.c.secret)
        .where(ecard_keys.c.revoked_at.is_(None))
        .order_by(ecard_keys.c.created_at.desc(), ecard_keys.c.key_id)
        .limit(1)
    ).first()
    if row is None:
        add_ecard_key(conn, now)
        return issue_ecard(conn, card_id, days, now)
    expires_at = now + timedelta(days=days)
    token = ecard.sign(card_id, row.key_id, ecard.decode_key(row.secret), expires_at)
    return wire.ECardOut(token=token, key_id=row.key_id, expires_at=expires_at)


def revoke_ecard_key(conn: Connection, key_id: str, now: datetime) -> bool:
    """A revoked key never signs again, so its private seed is destroyed, not kept: a later
    copy of the database (a backup, a stolen disk) cannot mint cards with it."""
    if not conn.execute(
        ecard_keys.update()
        .where(ecard_keys.c.key_id == key_id, ecard_keys.c.revoked_at.is_(None))
        .values(revoked_at=now, secret="")
    ).rowcount:
        return False
    _publish_policy(conn, now)
    return True


def current_policy(conn: Connection) -> wire.PolicyRecord:
    latest = conn.execute(sa.select(policies).order_by(policies.c.version.desc()).limit(1)).first()
    keys = conn.execute(sa.select(ecard_keys).order_by(ecard_keys.c.created_at)).all()
    return wire.PolicyRecord(
        version=latest.document["version"] if latest else "central-0",
        document=dict(latest.document) if latest else {},
        ecard_keys=[_public(k.key_id, k.secret) for k in keys if k.revoked_at is None],
        revoked_key_ids=[k.key_id for k in keys if k.revoked_at is not None],
    )


def _public(key_id: str, private_seed: str) -> wire.ECardKey:
    return wire.ECardKey(
        key_id, ecard.encode_key(ecard.public_key_of(ecard.decode_key(private_seed)))
    )


def _publish_policy(conn: Connection, now: datetime) -> None:
    """Send kiosks the current policy and e-card keys as a change (also central schema
    step 14, when it revokes the old e-card secrets)."""
    append(conn, [Delta("policy", "policy", "upsert", wire.to_json(current_policy(conn)))], now)


def _item_payload(row: Any) -> dict[str, Any]:
    return {f: row._mapping[f] for f in wire.ItemRecord.__dataclass_fields__}


def _patron_payload(row: Any) -> dict[str, Any]:
    record = wire.PatronRecord(
        **{f: row._mapping[f] for f in wire.PatronRecord.__dataclass_fields__}
    )
    payload: dict[str, Any] = wire.to_json(record)
    return payload
