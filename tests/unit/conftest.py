"""Fixtures of the kiosk core's unit tests."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.models import Item, ItemStatus, Patron
from kiosk.pin import PIN_WITHHELD
from tests.unit.library import PIN_HASH


@pytest.fixture
def lib(store, clock):
    """A small library: adult, child and problem patrons; books, a DVD, a set, a reference."""
    store.items.upsert(
        [
            Item("B1", "三体", owner_isil="CN-110000-1", branch="main"),
            Item("B2", "活着", owner_isil="CN-110000-1", branch="main"),
            Item("B3", "Emma", owner_isil="CN-110000-1", branch="main"),
            Item("D1", "流浪地球", item_class="dvd", branch="main"),
            Item("D2", "英雄", item_class="dvd", branch="main"),
            Item("D3", "霸王别姬", item_class="dvd", branch="main"),
            Item("S1", "新概念英语 + CD", set_size=2, branch="main"),
            Item("R1", "现代汉语词典", item_class="reference", branch="main"),
            Item("N1", "Rare book", status=ItemStatus.NOT_FOR_LOAN),
            Item("L1", "Lost book", status=ItemStatus.LOST),
            Item("X1", "Other library's book", owner_isil="CN-310000-2", branch="pudong"),
            Item("X2", "Other branch's book", owner_isil="CN-110000-1", branch="haidian"),
            *[Item(f"M{n}", f"Many {n}", branch="main") for n in range(12)],
        ]
    )
    year = date(2027, 11, 1)
    store.patrons.upsert(
        [
            Patron("A1", "adult", initials="W.", pin_hash=PIN_HASH, expires_on=year),
            Patron("A2", "adult", initials="L.", pin_hash=PIN_HASH, expires_on=year),
            Patron("C1", "child", pin_hash=PIN_HASH, expires_on=year),
            Patron("E1", "adult", pin_hash=PIN_HASH, expires_on=date(2026, 11, 1)),
            Patron("LOST", "adult", pin_hash=PIN_HASH, blocks=("lost_card",)),
            Patron("BLK", "adult", pin_hash=PIN_HASH, blocks=("manual",)),
            Patron("FINE", "adult", pin_hash=PIN_HASH, fines_cents=5000),
            Patron("NOPIN", "adult"),
            Patron("AWAY", "adult", pin_hash=PIN_WITHHELD, expires_on=year),
        ]
    )
    return store
