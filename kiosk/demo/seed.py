"""Seeds a kiosk database with a demo catalog, patrons (with known PINs) and a few holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kiosk.demo.titles import CHINESE, ENGLISH
from kiosk.models import CardKind, Item, ItemStatus, Patron
from kiosk.pin import hash_pin
from kiosk.store import Store

DEMO_PIN = "1234"
#: The demo's resident ID card: the chip number its reader registered (16 hex digits).
DEMO_ID_CARD_CHIP = "0A1B2C3D4E5F6071"


@dataclass(frozen=True)
class DemoPatron:
    card_id: str
    initials: str
    category: str
    note: str
    expires_on: date | None = None
    blocks: tuple[str, ...] = ()
    fines_cents: int = 0
    card_kind: CardKind = CardKind.BARCODE


def demo_patrons(today: date) -> list[DemoPatron]:
    year = today + timedelta(days=365)
    return [
        DemoPatron("P0001", "王*", "adult", "ordinary adult reader", year),
        DemoPatron("P0002", "李*", "adult", "ordinary adult reader", year),
        DemoPatron("P0003", "J.S.", "adult", "English-speaking reader", year),
        DemoPatron("C0001", "陈*", "child", "child: 5 items, 21 days", year),
        DemoPatron("P0090", "赵*", "adult", "card expired", today - timedelta(days=3)),
        DemoPatron("P0091", "孙*", "adult", "card reported lost", year, ("lost_card",)),
        DemoPatron("P0092", "周*", "adult", "fines over the limit", year, (), 2500),
        DemoPatron(
            DEMO_ID_CARD_CHIP,
            "张*",
            "adult",
            "borrows with a resident ID card (身份证), registered by its chip number",
            year,
            card_kind=CardKind.RESIDENT_ID,
        ),
    ]


def demo_items(isil: str, branch: str) -> list[Item]:
    """About 300 items: several copies of each title, a few sets, DVDs and reference books."""
    items: list[Item] = []
    number = 100000
    for copies, titles in ((3, CHINESE), (2, ENGLISH)):
        for title, author in titles:
            for copy in range(copies):
                number += 1
                items.append(
                    Item(
                        pii=str(number),
                        title=title,
                        author=author,
                        call_number=f"I{number % 997:03d}/{copy + 1}",
                        owner_isil=isil,
                        branch=branch if copy < 2 else "central",
                        item_class="book",
                    )
                )
    extras = [
        Item(
            "300001", "新概念英语（书 + CD）", "L. G. Alexander", "H319/1", isil, branch, "book", 2
        ),
        Item("300002", "流浪地球 (DVD)", "郭帆", "J9/12", isil, branch, "dvd"),
        Item(
            "300003",
            "现代汉语词典（参考）",
            "中国社会科学院",
            "H164/1",
            isil,
            branch,
            "reference",
            1,
            ItemStatus.NOT_FOR_LOAN,
        ),
        Item(
            "300004",
            "Oxford Advanced Learner's Dictionary",
            "A. S. Hornby",
            "H316/2",
            "GB-UkOxU",
            "",
            "book",
        ),
    ]
    return items + extras


def seed(store: Store, *, isil: str, branch: str, now: datetime) -> dict[str, int]:
    """Idempotent: re-seeding updates rows and adds nothing twice."""
    items = demo_items(isil, branch)
    pin_hash = hash_pin(DEMO_PIN)
    patrons = [
        Patron(
            card_id=p.card_id,
            category=p.category,
            initials=p.initials,
            pin_hash=pin_hash,
            expires_on=p.expires_on,
            blocks=p.blocks,
            fines_cents=p.fines_cents,
            card_kind=p.card_kind,
        )
        for p in demo_patrons(now.date())
    ]
    store.items.upsert(items)
    store.patrons.upsert(patrons)
    if store.holds.first("100004") is None:
        store.holds.add("100004", "P0002", now - timedelta(days=1))  # 活着, copy 1
    return {"items": len(items), "patrons": len(patrons)}
