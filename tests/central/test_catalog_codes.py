"""ISBN and 中图法 class on the central's items (schema step 6): stored from the CSV import
and the API, kept through an upgrade, and sent to kiosks, which take the records as before."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from kiosk.clock import ManualClock
from kiosk.store import Store
from kiosk.store.rows import item_row_from_record
from sync import wire
from sync.central import staff_wire
from sync.central.database import make_engine, reading
from sync.central.migrations import STEPS, migrate
from sync.central.schema import changes, items, schema_migrations
from tests.central.test_cli import cli_db, rows, shufang
from tests.fixtures.central import Central

__all__ = ["cli_db"]


def test_the_csv_import_stores_isbn_and_clc_class(cli_db: str, tmp_path: Path) -> None:
    csv = tmp_path / "catalog.csv"
    csv.write_text(
        "pii,title,call_number,branch,isbn,clc_class\n"
        "31010000001,三体,I247.55/1043,朝阳城市书房,9787536692930,I247.55\n"
        "31010000009,无分类的书,,朝阳城市书房,,\n",
        encoding="gb18030",
    )
    assert shufang("central", "import", "catalog", str(csv), "--db", cli_db, "--create") == 0
    stored = {r.pii: r for r in rows(cli_db, items)}
    assert (stored["31010000001"].isbn, stored["31010000001"].clc_class) == (
        "9787536692930",
        "I247.55",
    )
    assert (stored["31010000009"].isbn, stored["31010000009"].clc_class) == ("", "")


def test_an_item_without_them_keeps_empty_values_and_kiosks_take_the_records(
    central: Central, tmp_path: Path
) -> None:
    batch = staff_wire.ItemBatch(
        [
            wire.ItemRecord(pii="A1", title="红楼梦", isbn="9787020002207", clc_class="I242.4"),
            wire.ItemRecord(pii="A2", title="没有编码"),
        ]
    )
    assert central.staff.put("/admin/items", batch).status_code == 200
    # An older client leaves the fields out altogether.
    old = {"items": [{"pii": "A3", "title": "旧客户端", "branch": "main"}]}
    assert central.staff.put("/admin/items", old).status_code == 200
    with reading(central.engine) as conn:
        stored = {r.pii: (r.isbn, r.clc_class) for r in conn.execute(sa.select(items))}
        payloads = [r.payload for r in conn.execute(sa.select(changes).order_by(changes.c.seq))]
    assert stored == {"A1": ("9787020002207", "I242.4"), "A2": ("", ""), "A3": ("", "")}
    sent = [p for p in payloads if p and p.get("pii") == "A1"]
    assert sent and sent[-1]["isbn"] == "9787020002207" and sent[-1]["clc_class"] == "I242.4"
    store = Store(tmp_path / "kiosk.db")  # a kiosk applies the records as it pulls them
    try:
        store.items.replicate_records([item_row_from_record(p) for p in payloads if p])
        assert store.items.get("A1").title == "红楼梦"
    finally:
        store.close()


def test_step_6_adds_the_columns_to_an_existing_catalog(
    db_url: str, central_clock: ManualClock
) -> None:
    engine = make_engine(db_url)
    try:
        migrate(engine, central_clock)
        with engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE items DROP COLUMN isbn"))
            conn.execute(sa.text("ALTER TABLE items DROP COLUMN clc_class"))
            conn.execute(schema_migrations.delete().where(schema_migrations.c.step == 6))
            conn.execute(
                items.insert().values(pii="OLD1", title="旧书", updated_at=central_clock.now())
            )
        assert migrate(engine, central_clock) == ["0006 isbn and clc class on items"]
        with engine.connect() as conn:
            row = conn.execute(sa.select(items).where(items.c.pii == "OLD1")).one()
        assert (row.isbn, row.clc_class) == ("", "")
        assert 6 in {s.number for s in STEPS}
    finally:
        engine.dispose()
