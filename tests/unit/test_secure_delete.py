"""Deleted secrets are gone from the kiosk's files, not left in SQLite's free space (#14).

A PIN hash the central withdraws (``pin_hash_scope``), an old e-card secret blanked at the
next sync, a patron removed: a stolen disk must not give them back. ``open_database`` asks
SQLite to zero what it deletes; the control case shows the scan finds leftovers when it is off
(whatever the build's default), so the check can fail.
"""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

from kiosk.store.database import open_database

ROWS = 200


def leftovers(conn: sqlite3.Connection, folder: Path) -> int:
    """Write ROWS hashes, blank half and delete the rest, checkpoint: how many remain on disk."""
    conn.execute("CREATE TABLE patrons (card TEXT PRIMARY KEY, pin_hash TEXT, note TEXT)")
    hashes = {f"C{i:04d}": secrets.token_hex(40) for i in range(ROWS)}
    for card, pin_hash in hashes.items():
        conn.execute("INSERT INTO patrons VALUES (?, ?, ?)", (card, pin_hash, "x" * 40))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("UPDATE patrons SET pin_hash = 'withheld' WHERE card < 'C0100'")
    conn.execute("DELETE FROM patrons WHERE card >= 'C0100'")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())
    return sum(pin_hash.encode() in raw for pin_hash in hashes.values())


def test_the_kiosk_database_zeroes_what_it_deletes(tmp_path: Path) -> None:
    db = open_database(tmp_path / "kiosk.db")
    assert db.conn.execute("PRAGMA secure_delete").fetchone() == (1,)
    assert leftovers(db.conn, tmp_path) == 0
    db.conn.close()


def test_without_it_the_scan_finds_the_old_hashes(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "plain.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA secure_delete = OFF")
    assert leftovers(conn, tmp_path) > ROWS // 4
    conn.close()
