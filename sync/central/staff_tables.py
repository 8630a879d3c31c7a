"""The central's tables for staff (schema step 5): accounts that sign in to the pages with a
password, what they did (the audit log), and the server's signing secret.

On ``schema.metadata`` with the rest; ``staff_accounts`` (the module) reads and writes them.
"""

from __future__ import annotations

import sqlalchemy as sa

from sync.central.database import UTCDateTime
from sync.central.schema import Id, metadata

staff_accounts = sa.Table(
    "staff_accounts",
    metadata,
    sa.Column("username", sa.String(), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),  # argon2id, with its own salt
    sa.Column("role", sa.String(), nullable=False),  # viewer | technician | administrator
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("disabled_at", UTCDateTime),
    # Bumped by a new password, a role change or disabling: every older session ends.
    sa.Column("session_epoch", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failed_signins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", UTCDateTime),
    sa.Column("last_signin_at", UTCDateTime),
)

staff_audit = sa.Table(
    "staff_audit",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(), nullable=False),
    sa.Column("action", sa.String(), nullable=False),
    sa.Column("subject", sa.String(), nullable=False, server_default=""),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
    sa.Index("ix_staff_audit_at", "at"),
)

central_secrets = sa.Table(
    "central_secrets",
    metadata,
    sa.Column("name", sa.String(), primary_key=True),
    sa.Column("value", sa.String(), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)
