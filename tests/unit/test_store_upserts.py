"""The store's upserts write every column of their table (one generator, kiosk/store/rows.py)."""

from __future__ import annotations

from kiosk.store import rows


def test_the_row_layouts_name_every_column_of_their_tables(store) -> None:
    """A column added by a migration but left out of a row layout would never be replicated."""
    for table, columns in (("items", rows.ITEM_COLUMNS), ("patrons", rows.PATRON_COLUMNS)):
        stored = [r["name"] for r in store._c.rows(f"PRAGMA table_info({table})")]
        assert sorted(stored) == sorted(columns), table


def test_an_upsert_updates_every_column_but_the_key_and_takes_overrides() -> None:
    sql = rows.upsert_sql("t", ("k", "a", "b"), "k", {"b": "coalesce(excluded.b, t.b)"})
    assert sql == (
        "INSERT INTO t (k, a, b) VALUES (?,?,?) ON CONFLICT(k) DO UPDATE SET"
        " a=excluded.a, b=coalesce(excluded.b, t.b)"
    )
