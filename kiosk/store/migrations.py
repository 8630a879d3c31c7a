"""Numbered schema steps. Never edit a released step: add a new one and a stored test file.

Each step runs in a transaction together with its record in ``_sqlite_migrations``
(sqlite-utils' Migrations), so an interrupted upgrade leaves the old schema intact.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

MIGRATIONS = Migrations("shufang-kiosk")


@MIGRATIONS()
def m001_initial(db: Database) -> None:
    """The first released schema (tests/data/kiosk-schema-1.db was saved from it)."""
    db.executescript(
        """
        CREATE TABLE items (
            pii TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            author TEXT NOT NULL DEFAULT '',
            call_number TEXT NOT NULL DEFAULT '',
            owner_isil TEXT NOT NULL DEFAULT '',
            branch TEXT NOT NULL DEFAULT '',
            item_class TEXT NOT NULL DEFAULT 'book',
            set_size INTEGER NOT NULL DEFAULT 1 CHECK (set_size >= 1),
            status TEXT NOT NULL DEFAULT 'available'
        );
        CREATE TABLE patrons (
            card_id TEXT PRIMARY KEY,
            category TEXT NOT NULL DEFAULT 'adult',
            card_kind TEXT NOT NULL DEFAULT 'barcode',
            initials TEXT NOT NULL DEFAULT '',
            pin_hash TEXT,
            expires_on TEXT,
            blocks TEXT NOT NULL DEFAULT '',
            fines_cents INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE journal (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            patron_card TEXT NOT NULL,
            item_pii TEXT NOT NULL,
            at TEXT NOT NULL,
            due_at TEXT,
            decision TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT 'ok',
            security TEXT NOT NULL DEFAULT 'not_needed',
            cancels TEXT REFERENCES journal(id),
            acked_at TEXT,
            upstream_status TEXT,
            upstream_reason TEXT
        );
        CREATE INDEX journal_outbox ON journal(seq) WHERE acked_at IS NULL;
        -- The outbox is append-only until acknowledged: nothing unsent may vanish.
        CREATE TRIGGER journal_keep_unsent BEFORE DELETE ON journal
        WHEN OLD.acked_at IS NULL
        BEGIN
            SELECT RAISE(ABORT, 'journal rows cannot be deleted before they are acknowledged');
        END;
        CREATE TRIGGER journal_immutable BEFORE UPDATE OF id, kind, patron_card, item_pii, at,
            due_at, decision ON journal
        BEGIN
            SELECT RAISE(ABORT, 'journal rows are append-only');
        END;
        CREATE TABLE loans (
            item_pii TEXT PRIMARY KEY REFERENCES items(pii),
            patron_card TEXT NOT NULL,
            loaned_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            renewals INTEGER NOT NULL DEFAULT 0,
            offline INTEGER NOT NULL DEFAULT 0,
            txn_id TEXT NOT NULL REFERENCES journal(id) DEFERRABLE INITIALLY DEFERRED
        );
        CREATE INDEX loans_patron ON loans(patron_card, due_at);
        CREATE TABLE holds (
            id INTEGER PRIMARY KEY,
            item_pii TEXT NOT NULL,
            patron_card TEXT NOT NULL,
            placed_at TEXT NOT NULL
        );
        CREATE INDEX holds_item ON holds(item_pii, placed_at);
        CREATE TABLE faults (
            id INTEGER PRIMARY KEY,
            device TEXT NOT NULL,
            code TEXT NOT NULL,
            severity TEXT NOT NULL,
            message TEXT NOT NULL,
            first_at TEXT NOT NULL,
            last_at TEXT NOT NULL,
            count INTEGER NOT NULL DEFAULT 1,
            cleared_at TEXT
        );
        CREATE UNIQUE INDEX faults_open ON faults(device, code) WHERE cleared_at IS NULL;
        CREATE TABLE pin_attempts (
            card_id TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            locked_until TEXT
        );
        CREATE TABLE state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )


@MIGRATIONS()
def m002_policy_cache_and_fault_reports(db: Database) -> None:
    """Keep replicated policy versions; remember which faults the central service has seen."""
    db.executescript(
        """
        CREATE TABLE policies (
            version TEXT PRIMARY KEY,
            document TEXT NOT NULL,
            received_at TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX policies_one_active ON policies(active) WHERE active = 1;
        ALTER TABLE faults ADD COLUMN reported_count INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX journal_item ON journal(item_pii, seq);
        """
    )


@MIGRATIONS()
def m003_conflict_reports(db: Database) -> None:
    """Remember which rows the library system refused have reached the central's conflicts.

    On a SIP2 site a refusal is acknowledged in the journal at once (``upstream_status`` =
    'conflict'); ``conflict_reported_at`` is set only from the central's reply, so a refusal
    the central has not recorded yet is sent again on the next pass, after a restart too.
    """
    db.executescript(
        """
        ALTER TABLE journal ADD COLUMN conflict_reported_at TEXT;
        CREATE INDEX journal_conflicts_unreported ON journal(seq)
            WHERE upstream_status = 'conflict' AND conflict_reported_at IS NULL;
        """
    )


@MIGRATIONS()
def m006_rotations(db: Database) -> None:
    """Items a collection rotation plan moves to another room (issue #17), as the central's
    change feed says: a return tells the reader to put such a book in the transfer box."""
    db.executescript(
        """
        CREATE TABLE rotations (
            item_pii TEXT PRIMARY KEY,
            to_branch TEXT NOT NULL,
            to_name TEXT NOT NULL DEFAULT '',
            plan_id INTEGER NOT NULL DEFAULT 0
        );
        """
    )


@MIGRATIONS()
def m007_item_covers(db: Database) -> None:
    """Where each item's cover picture comes from (issue #13): an http(s) URL or a file://
    URI from the catalog import; NULL = none known. The picture itself lives in the cover
    cache folder, not here."""
    db.executescript("ALTER TABLE items ADD COLUMN cover TEXT;")


SCHEMA_VERSION = len(MIGRATIONS._migrations)


def migrate(db: Database, timeout_s: float = 10.0) -> list[str]:
    """Apply pending steps; return their names. Safe when two processes start together.

    The whole upgrade holds SQLite's write lock (BEGIN IMMEDIATE) from reading what is pending
    to the last step, so a second process waits and then finds nothing left to do; each step
    still runs in its own savepoint with its record.
    """
    from kiosk.store.database import retry_while_locked

    def apply_locked() -> list[str]:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            pending = [m.name for m in MIGRATIONS.pending(db)]
            MIGRATIONS.apply(db)
            db.conn.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        return pending

    return retry_while_locked(apply_locked, timeout_s)
