"""The alerts' tables (central schema step 7): alert episodes (one per condition while it
lasts), the events told about them (opened, reminder, resolved) and which channel has taken
which event.

On ``schema.metadata`` with the rest; ``engine`` reads and writes them.
"""

from __future__ import annotations

import sqlalchemy as sa

from sync.central.database import UTCDateTime
from sync.central.schema import Id, metadata

alert_episodes = sa.Table(
    "alert_episodes",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("rule", sa.String(), nullable=False),
    sa.Column("subject", sa.String(), nullable=False),
    sa.Column("kiosk_id", sa.String(), nullable=False, server_default=""),
    sa.Column("branch", sa.String(), nullable=False, server_default=""),
    sa.Column("since", UTCDateTime, nullable=False),  # when the condition began
    sa.Column("opened_at", UTCDateTime, nullable=False),  # when the central noticed
    sa.Column("facts", sa.JSON, nullable=False, default=dict),
    sa.Column("resolved_at", UTCDateTime),
    sa.Column("last_notified_at", UTCDateTime),
    sa.Column("reminders", sa.Integer, nullable=False, server_default="0"),
    # A technician said "I am on it": no more reminders; "resolved" is still sent.
    sa.Column("acknowledged_by", sa.String()),
    sa.Column("acknowledged_at", UTCDateTime),
    sa.Index("ix_alert_episodes_open", "resolved_at", "rule", "subject"),
)

alert_events = sa.Table(
    "alert_events",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("episode_id", sa.Integer, sa.ForeignKey("alert_episodes.id"), nullable=False),
    sa.Column("kind", sa.String(), nullable=False),  # opened | reminder | resolved
    sa.Column("at", UTCDateTime, nullable=False),
)

alert_deliveries = sa.Table(
    "alert_deliveries",
    metadata,
    sa.Column("event_id", sa.Integer, sa.ForeignKey("alert_events.id"), primary_key=True),
    sa.Column("channel", sa.String(), primary_key=True),
    sa.Column("delivered_at", UTCDateTime),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text, nullable=False, server_default=""),
)
