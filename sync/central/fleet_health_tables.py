"""The fleet's health tables: uptime spans folded from heartbeats, and device faults.

On ``schema.metadata`` with the rest; ``heartbeats`` writes them, ``fleet_health`` reads them.
"""

from __future__ import annotations

import sqlalchemy as sa

from sync.central.database import UTCDateTime
from sync.central.schema import Id, metadata

# Heartbeats folded into runs: one row per stretch of beats in one state with no gap longer
# than the online window, so the fleet's uptime reads a few rows, not a week of beats.
uptime_spans = sa.Table(
    "uptime_spans",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("kiosk_id", sa.String(), nullable=False),
    sa.Column("state", sa.String(), nullable=False),
    sa.Column("start_at", UTCDateTime, nullable=False),
    sa.Column("end_at", UTCDateTime, nullable=False),
    # Step 9: the start of the kiosk's next span (NULL while this is its latest), set when
    # that span begins, so uptime is a plain scan rather than a window over the spans.
    sa.Column("next_start_at", UTCDateTime),
    sa.Index("ix_uptime_spans_kiosk_end", "kiosk_id", "end_at"),
)

faults = sa.Table(
    "faults",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("kiosk_id", sa.String(), nullable=False),
    sa.Column("device", sa.String(), nullable=False),
    sa.Column("code", sa.String(), nullable=False),
    sa.Column("severity", sa.String(), nullable=False),
    sa.Column("message", sa.Text, nullable=False, server_default=""),
    sa.Column("first_at", UTCDateTime, nullable=False),
    sa.Column("last_at", UTCDateTime, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("cleared_at", UTCDateTime),
    sa.Column("reported_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("kiosk_id", "device", "code", "first_at", name="uq_faults_occurrence"),
)
