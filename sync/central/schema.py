"""The central database's tables, as SQLAlchemy Core, identical on SQLite and PostgreSQL.

The fleet's health (``fleet_health_tables``), the staff's (``staff_tables``) and the alerts' tables
(``alerts.tables``) join this ``metadata`` from their own modules; ``migrations`` imports them
all before it creates tables.
"""

from __future__ import annotations

import sqlalchemy as sa

from sync.central.database import UTCDateTime

metadata = sa.MetaData()

Id = sa.Integer  # a ROWID alias on SQLite, SERIAL on PostgreSQL
Seq = sa.BigInteger
# Unbounded text everywhere: a length limit PostgreSQL enforces and SQLite ignores would make
# the two databases disagree; the API checks lengths where they matter.

schema_migrations = sa.Table(
    "schema_migrations",
    metadata,
    sa.Column("step", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(), nullable=False),
    sa.Column("applied_at", UTCDateTime, nullable=False),
)

kiosks = sa.Table(
    "kiosks",
    metadata,
    sa.Column("kiosk_id", sa.String(), primary_key=True),
    sa.Column("branch", sa.String(), nullable=False),
    sa.Column("token_hash", sa.String(), unique=True),
    sa.Column("enrolled_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime),
    # Highest journal seq applied: a lower new seq arrived out of the kiosk's order.
    sa.Column("last_seq", Seq, nullable=False, server_default="0"),
    # Change cursor the kiosk last asked from: what it knew at its last sync.
    sa.Column("known_cursor", Seq, nullable=False, server_default="0"),
    sa.Column("last_push_at", UTCDateTime),
    sa.Column("last_seen_at", UTCDateTime),
    sa.Column("state", sa.String()),
    sa.Column("offline_since", UTCDateTime),
    sa.Column("outbox_depth", sa.Integer, nullable=False, server_default="0"),
    sa.Column("software_version", sa.String()),
    sa.Column("policy_version", sa.String()),
    sa.Column("devices", sa.JSON, nullable=False, default=dict),
)

staff_tokens = sa.Table(
    "staff_tokens",
    metadata,
    sa.Column("name", sa.String(), primary_key=True),
    sa.Column("token_hash", sa.String(), unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime),
)

items = sa.Table(
    "items",
    metadata,
    sa.Column("pii", sa.String(), primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("author", sa.Text, nullable=False, server_default=""),
    sa.Column("call_number", sa.String(), nullable=False, server_default=""),
    sa.Column("owner_isil", sa.String(), nullable=False, server_default=""),
    sa.Column("branch", sa.String(), nullable=False, server_default=""),
    sa.Column("item_class", sa.String(), nullable=False, server_default="book"),
    sa.Column("set_size", sa.Integer, nullable=False, server_default="1"),
    sa.Column("status", sa.String(), nullable=False, server_default="available"),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # Step 6: from the library system's MARC or CSV export (reports, collection rotation).
    sa.Column("isbn", sa.String(), nullable=False, server_default=""),
    sa.Column("clc_class", sa.String(), nullable=False, server_default=""),
    # Step 9: the last local day the item was lent (applied, not cancelled), kept by the
    # ledger through ``rollup``; NULL = never. Not replicated to kiosks.
    sa.Column("last_lent_day", sa.String()),
    # Step 4: where the cover picture is (an http(s) URL; "" = none), sent to kiosks in the
    # item's change (issue #13); kept here so a re-import compares it like any other field.
    sa.Column("cover", sa.Text, nullable=False, server_default=""),
)

patrons = sa.Table(
    "patrons",
    metadata,
    sa.Column("card_id", sa.String(), primary_key=True),
    sa.Column("category", sa.String(), nullable=False, server_default="adult"),
    sa.Column("card_kind", sa.String(), nullable=False, server_default="barcode"),
    sa.Column("initials", sa.String(), nullable=False, server_default=""),
    sa.Column("pin_hash", sa.String()),
    sa.Column("expires_on", sa.Date),
    sa.Column("blocks", sa.JSON, nullable=False, default=list),
    sa.Column("fines_cents", sa.Integer, nullable=False, server_default="0"),
    # Change seq at which the patron last became blocked: compared with a kiosk's cursor.
    sa.Column("blocked_seq", Seq),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # Step 11 (issue #14): whose kiosks get the PIN hash under pin_hash_scope = "branch".
    sa.Column("home_branch", sa.String(), nullable=False, server_default=""),
)

# Step 11 (issue #14): wrong PINs the central checked itself (for kiosks without the hash)
# and lockouts, its own or reported by a kiosk; a lockout goes out on the change feed so the
# city's other kiosks refuse the card too.
pin_lockouts = sa.Table(
    "pin_lockouts",
    metadata,
    sa.Column("card_id", sa.String(), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", UTCDateTime),
    sa.Column("kiosk_id", sa.String(), nullable=False),  # the last kiosk that reported or asked
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

holds = sa.Table(
    "holds",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("item_pii", sa.String(), nullable=False),
    sa.Column("patron_card", sa.String(), nullable=False),
    sa.Column("placed_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("item_pii", "patron_card", name="uq_holds_item_patron"),
)

policies = sa.Table(
    "policies",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("set_at", UTCDateTime, nullable=False),
)

ecard_keys = sa.Table(
    "ecard_keys",
    metadata,
    sa.Column("key_id", sa.String(), primary_key=True),
    # The Ed25519 private key seed (32 bytes, base64url): it never leaves the central; kiosks
    # get the public key derived from it. Rows from before step 14 held HMAC secrets every
    # kiosk had, and that step revoked them.
    sa.Column("secret", sa.String(), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime),
)

# One row per named counter; updating it row-locks until commit, so change seqs become
# visible in order even with several API processes (a sequence would commit out of order).
counters = sa.Table(
    "counters",
    metadata,
    sa.Column("name", sa.String(), primary_key=True),
    sa.Column("value", Seq, nullable=False),
)

changes = sa.Table(
    "changes",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=False),
    sa.Column("entity", sa.String(), nullable=False),
    sa.Column("key", sa.String(), nullable=False),
    sa.Column("op", sa.String(), nullable=False),
    sa.Column("payload", sa.JSON),
    sa.Column("at", UTCDateTime, nullable=False),
)

transactions = sa.Table(
    "transactions",
    metadata,
    sa.Column("id", sa.String(), primary_key=True),  # the kiosk's UUID: exactly once
    sa.Column("kiosk_id", sa.String(), sa.ForeignKey("kiosks.kiosk_id"), nullable=False),
    sa.Column("branch", sa.String(), nullable=False),
    sa.Column("seq", Seq, nullable=False),  # as the kiosk sent it
    # The seq again when applied in the kiosk's order; NULL for a row that came out of order.
    sa.Column("applied_seq", Seq),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("patron_card", sa.String(), nullable=False),
    sa.Column("item_pii", sa.String(), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("due_at", UTCDateTime),
    sa.Column("decision", sa.String(), nullable=False),
    sa.Column("cancels", sa.String()),
    sa.Column("status", sa.String(), nullable=False),  # accepted | conflict
    sa.Column("reason", sa.String()),
    sa.Column("applied", sa.Boolean, nullable=False),
    sa.Column("cancelled_by", sa.String()),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("day", sa.String(), nullable=False),  # local day for statistics
    sa.UniqueConstraint("kiosk_id", "applied_seq", name="uq_transactions_kiosk_seq"),
    sa.Index("ix_transactions_branch_day", "branch", "day"),
    # Step 8: a reader's first day (new readers on the efficiency page).
    sa.Index("ix_transactions_patron_day", "patron_card", "day"),
)

loans = sa.Table(
    "loans",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("item_pii", sa.String(), nullable=False),
    sa.Column("patron_card", sa.String(), nullable=False),
    sa.Column("loaned_at", UTCDateTime, nullable=False),
    sa.Column("due_at", UTCDateTime, nullable=False),
    sa.Column("renewals", sa.Integer, nullable=False, server_default="0"),
    sa.Column("txn_id", sa.String(), nullable=False, unique=True),
    sa.Column("kiosk_id", sa.String(), nullable=False),
    sa.Column("returned_at", UTCDateTime),
    sa.Column("return_txn_id", sa.String()),
)
# At most one open loan per item, enforced by the database across API processes.
sa.Index(
    "uq_loans_open_item",
    loans.c.item_pii,
    unique=True,
    sqlite_where=loans.c.returned_at.is_(None),
    postgresql_where=loans.c.returned_at.is_(None),
)
sa.Index("ix_loans_patron", loans.c.patron_card)

conflicts = sa.Table(
    "conflicts",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("txn_id", sa.String(), sa.ForeignKey("transactions.id"), nullable=False, unique=True),
    sa.Column("kiosk_id", sa.String(), nullable=False),
    sa.Column("branch", sa.String(), nullable=False),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("patron_card", sa.String(), nullable=False),
    sa.Column("item_pii", sa.String(), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("reason", sa.String(), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("resolved_at", UTCDateTime),
    sa.Column("resolution", sa.String()),  # applied | dismissed | cancelled
    sa.Column("note", sa.Text),
    sa.Column("resolved_by", sa.String()),
    # Who refused the transaction: "central" (its ledger) or the library system a kiosk
    # replays to ("sip2"), reported by the kiosk (step 2); staff settle the latter there.
    sa.Column("source", sa.String(), nullable=False, server_default="central"),
)

# Step 5 (issue #16): branches grouped into districts.
branches = sa.Table(
    "branches",
    metadata,
    sa.Column("branch", sa.String(), primary_key=True),
    sa.Column("district", sa.String(), nullable=False, server_default=""),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # Step 8: the room itself, for the efficiency measures (0 / "" = not known yet).
    sa.Column("seats", sa.Integer, nullable=False, server_default="0"),
    sa.Column("floor_area_m2", sa.Integer, nullable=False, server_default="0"),
    sa.Column("weekly_open_hours", sa.Float, nullable=False, server_default="0"),
    sa.Column("opened_on", sa.String(), nullable=False, server_default=""),
    # Step 12: the room's name readers know (城西书房), shown at kiosks for rotated books.
    sa.Column("name", sa.String(), nullable=False, server_default=""),
)

# Step 8 (issue #17): what a room is (seats, floor area, weekly opening hours, opening date)
# for the efficiency measures, and door-counter visits per room and hour.
visits = sa.Table(
    "visits",
    metadata,
    sa.Column("branch", sa.String(), primary_key=True),
    sa.Column("hour", UTCDateTime, primary_key=True),  # the hour's start
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# Step 9 (issue #17): the efficiency page's rollup of the ledger, kept by ``rollup`` in the
# transaction that applies or cancels a transaction, so a year for 300 rooms reads
# thousands of small rows instead of millions of transactions. Days are the ledger's local
# days (ISO text); ``prev_day`` is "" for the first. See sync/central/rollup.py for how the
# distinct counts come out exact for any period of whole days.
room_days = sa.Table(
    "room_days",
    metadata,
    sa.Column("branch", sa.String(), primary_key=True),
    sa.Column("day", sa.String(), primary_key=True),
    sa.Column("loans", sa.Integer, nullable=False, server_default="0"),
    sa.Column("returns", sa.Integer, nullable=False, server_default="0"),
    sa.Column("renewals", sa.Integer, nullable=False, server_default="0"),
    sa.Column("reader_days", sa.Integer, nullable=False, server_default="0"),  # distinct readers
)

# One row per reader per room per day they did anything there, with the day they were there
# before: the readers of [a, b] are the rows in it whose previous day is before a.
reader_days = sa.Table(
    "reader_days",
    metadata,
    sa.Column("patron_card", sa.String(), primary_key=True),
    sa.Column("branch", sa.String(), primary_key=True),
    sa.Column("day", sa.String(), primary_key=True),
    sa.Column("transactions", sa.Integer, nullable=False),
    sa.Column("prev_day", sa.String(), nullable=False),
    sa.Index("ix_reader_days_day", "day", "branch", "prev_day"),
)

# A reader's first day anywhere (new readers); its row is also the reader's lock.
reader_firsts = sa.Table(
    "reader_firsts",
    metadata,
    sa.Column("patron_card", sa.String(), primary_key=True),
    sa.Column("first_day", sa.String()),
)


def _readers_by_day(name: str) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("branch", sa.String(), primary_key=True),
        sa.Column("day", sa.String(), primary_key=True),
        sa.Column("readers", sa.Integer, nullable=False),
    )


# Readers of a room counted by the last day they were there, and by their first day anywhere
# in the city.
room_reader_lasts = _readers_by_day("room_reader_lasts")
room_reader_firsts = _readers_by_day("room_reader_firsts")

# Each room's held items (not lost or missing) by the last day they were lent ("" = never):
# the holdings and those lent lately without reading the catalog.
room_holdings = sa.Table(
    "room_holdings",
    metadata,
    sa.Column("branch", sa.String(), primary_key=True),
    sa.Column("last_lent_day", sa.String(), primary_key=True),
    sa.Column("items", sa.Integer, nullable=False),
)

# The days an item was lent, with the day before that: unborrowed holdings for any window.
item_lent_days = sa.Table(
    "item_lent_days",
    metadata,
    sa.Column("item_pii", sa.String(), primary_key=True),
    sa.Column("day", sa.String(), primary_key=True),
    sa.Column("checkouts", sa.Integer, nullable=False),
    sa.Column("prev_day", sa.String(), nullable=False),
    sa.Index("ix_item_lent_days_day", "day", "prev_day"),
)

# Step 12 (issue #17): collection rotation (图书流转). A plan moves items chosen by a
# librarian from one room to another; each item is waiting (on the shelf or on loan),
# in transit (returned into the transfer box at a kiosk, or picked by staff), arrived
# (checked in at the destination, or marked by staff) or cancelled with its plan.
rotation_plans = sa.Table(
    "rotation_plans",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("from_branch", sa.String(), nullable=False),
    sa.Column("to_branch", sa.String(), nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("created_by", sa.String(), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("cancelled_at", UTCDateTime),
)

rotation_items = sa.Table(
    "rotation_items",
    metadata,
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("rotation_plans.id"), primary_key=True),
    sa.Column("item_pii", sa.String(), primary_key=True),
    sa.Column("state", sa.String(), nullable=False),  # waiting | in_transit | arrived | cancelled
    sa.Column("changed_at", UTCDateTime, nullable=False),
    # Who moved it last: a kiosk id (a return there) or "staff:<username>".
    sa.Column("changed_by", sa.String(), nullable=False, server_default=""),
)
# An item travels with one plan at a time, whatever the code above says.
sa.Index(
    "uq_rotation_items_live",
    rotation_items.c.item_pii,
    unique=True,
    sqlite_where=rotation_items.c.state.in_(("waiting", "in_transit")),
    postgresql_where=rotation_items.c.state.in_(("waiting", "in_transit")),
)
