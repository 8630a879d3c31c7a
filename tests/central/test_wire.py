"""The shared wire model: what the kiosk's sync daemon sends is what the server reads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from sync import wire

AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def test_transactions_round_trip_through_json() -> None:
    row = wire.TransactionIn(
        id="u1",
        seq=3,
        kind="checkout",
        patron_card="P1",
        item_pii="I1",
        at=AT,
        decision="offline",
        due_at=AT + timedelta(days=28),
    )
    data = wire.to_json(wire.TransactionBatch([row]))
    assert data["transactions"][0]["at"] == "2026-11-24T02:00:00Z"
    assert wire.from_json(wire.TransactionBatch, data) == wire.TransactionBatch([row])


def test_times_are_sent_in_utc_and_naive_times_are_refused() -> None:
    beijing = timezone(timedelta(hours=8))
    assert wire.to_json(AT.astimezone(beijing)) == "2026-11-24T02:00:00Z"
    with pytest.raises(ValueError):
        wire.to_json(datetime(2026, 11, 24, 10, 0))


def test_a_change_page_decodes_to_typed_records() -> None:
    data = {
        "changes": [
            {
                "seq": 1,
                "entity": "patron",
                "op": "upsert",
                "key": "P1",
                "patron": {"card_id": "P1", "expires_on": "2027-01-31", "blocks": ["debt"]},
            },
            {"seq": 2, "entity": "item", "op": "delete", "key": "I1", "item": None},
        ],
        "next_cursor": 2,
        "has_more": False,
        "added_later": "ignored",
    }
    page = wire.from_json(wire.ChangesPage, data)
    assert page.changes[0].patron == wire.PatronRecord(
        "P1", expires_on=date(2027, 1, 31), blocks=["debt"]
    )
    assert page.changes[1].item is None and page.next_cursor == 2
