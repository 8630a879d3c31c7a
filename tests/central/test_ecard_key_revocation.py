"""A revoked e-card key's private seed is destroyed at the central (issue #14, item 6).

A revoked key never signs again; keeping its seed would let a later copy of the database (a
backup, a stolen disk) mint cards that any kiosk not yet synced still accepts. On SQLite the
bytes are zeroed in the file too (``secure_delete``); PostgreSQL keeps dead row versions until
VACUUM (docs/security.md).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa

from kiosk import ecard
from sync import wire
from sync.central import schema, staff_wire
from sync.central.database import reading
from tests.fixtures.central import Central


def seed_of(central: Central, key_id: str) -> str:
    with reading(central.engine) as conn:
        return conn.execute(
            sa.select(schema.ecard_keys.c.secret).where(schema.ecard_keys.c.key_id == key_id)
        ).scalar_one()


def test_revoking_a_key_destroys_its_private_seed(central: Central, db_url: str) -> None:
    kept = wire.from_json(wire.ECardKey, central.staff.post("/admin/ecard-keys").json())
    gone = wire.from_json(wire.ECardKey, central.staff.post("/admin/ecard-keys").json())
    seed = seed_of(central, gone.key_id)
    assert ecard.encode_key(ecard.public_key_of(ecard.decode_key(seed))) == gone.public_key
    assert central.staff.delete(f"/admin/ecard-keys/{gone.key_id}").status_code == 204
    assert seed_of(central, gone.key_id) == ""
    assert seed_of(central, kept.key_id) != ""  # the other key still signs
    central.staff.put("/admin/patrons", staff_wire.PatronBatch([wire.PatronRecord("P1")]))
    issued = central.staff.post("/admin/ecards", {"card_id": "P1", "days": 1}).json()
    assert issued["key_id"] == kept.key_id
    if db_url.startswith("sqlite:///"):
        path = Path(db_url.removeprefix("sqlite:///"))
        with closing(sqlite3.connect(path)) as conn:  # the server's connections are idle
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            assert busy == 0
        folder = path.parent
        raw = b"".join(p.read_bytes() for p in folder.glob("central.db*"))
        assert seed.encode() not in raw
