"""Changes out: cursor-paged deltas a kiosk can resume, tombstones, policy with e-card keys."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta

import pytest
import sqlalchemy as sa

from kiosk import ecard
from kiosk.policy import Policy
from sync import wire
from sync.central import catalog, changes, schema, staff_wire
from sync.central.database import reading, writing
from tests.fixtures.central import START, Api, Central


def pull_all(kiosk: Api, cursor: int = 0, limit: int = 10) -> tuple[list[wire.Change], int]:
    out: list[wire.Change] = []
    while True:
        reply = kiosk.get("/changes", cursor=cursor, limit=limit)
        assert reply.status_code == 200, reply.text
        page = wire.from_json(wire.ChangesPage, reply.json())
        out += page.changes
        cursor = page.next_cursor
        if not page.has_more:
            return out, cursor


def items(n: int, start: int = 0, **extra: str) -> staff_wire.ItemBatch:
    return staff_wire.ItemBatch(
        [wire.ItemRecord(pii=f"I{i}", title=f"Book {i}", **extra) for i in range(start, start + n)]
    )


def test_an_interrupted_pull_resumes_from_its_cursor(central: Central) -> None:
    kiosk = central.enrol("k1")
    assert central.staff.put("/admin/items", items(25)).json() == {
        "inserted": 25,
        "updated": 0,
        "deleted": 0,
    }
    first = wire.from_json(wire.ChangesPage, kiosk.get("/changes", cursor=0, limit=10).json())
    assert len(first.changes) == 10 and first.has_more
    # The kiosk lost the second page's reply: asking again from the same cursor is harmless.
    second = kiosk.get("/changes", cursor=first.next_cursor, limit=10).json()
    retried = kiosk.get("/changes", cursor=first.next_cursor, limit=10).json()
    assert second == retried
    rest, cursor = pull_all(kiosk, first.next_cursor)
    seen = [c.item.pii for c in first.changes + rest if c.item]
    assert seen == [f"I{i}" for i in range(25)]
    seqs = [c.seq for c in first.changes + rest]
    assert seqs == sorted(seqs) and len(set(seqs)) == 25
    empty = wire.from_json(wire.ChangesPage, kiosk.get("/changes", cursor=cursor).json())
    assert empty == wire.ChangesPage(changes=[], next_cursor=cursor, has_more=False)


def test_updates_and_tombstones_arrive_as_deltas(central: Central) -> None:
    kiosk = central.enrol("k1")
    central.staff.put("/admin/items", items(3))
    _, cursor = pull_all(kiosk)
    central.staff.put("/admin/items", items(3, status="lost"))  # all three change
    central.staff.put("/admin/items", items(3, status="lost"))  # nothing changes
    assert central.staff.delete("/admin/items/I1").status_code == 204
    assert central.staff.delete("/admin/items/I1").status_code == 404
    central.staff.put("/admin/patrons", staff_wire.PatronBatch([wire.PatronRecord("P1")]))
    central.staff.post("/admin/holds", staff_wire.HoldBatch([wire.HoldRecord("I0", "P1")]))
    central.staff.post("/admin/holds/remove", staff_wire.HoldBatch([wire.HoldRecord("I0", "P1")]))
    central.staff.delete("/admin/patrons/P1")
    changes, _ = pull_all(kiosk, cursor)
    assert [(c.entity, c.op, c.key) for c in changes] == [
        ("item", "upsert", "I0"),
        ("item", "upsert", "I1"),
        ("item", "upsert", "I2"),
        ("item", "delete", "I1"),
        ("patron", "upsert", "P1"),
        ("hold", "upsert", "I0\tP1"),
        ("hold", "delete", "I0\tP1"),
        ("patron", "delete", "P1"),
    ]
    assert changes[0].item is not None and changes[0].item.status == "lost"
    assert changes[5].hold == wire.HoldRecord("I0", "P1")


def test_patrons_carry_only_what_a_kiosk_needs(central: Central) -> None:
    kiosk = central.enrol("k1")
    patron = wire.PatronRecord(
        card_id="P9",
        category="child",
        card_kind="nfc",
        initials="W.L.",
        pin_hash="scrypt$16384$8$1$c2FsdA==$aGFzaA==",
        expires_on=(START + timedelta(days=365)).date(),
        blocks=["debt"],
        fines_cents=250,
    )
    central.staff.put("/admin/patrons", staff_wire.PatronBatch([patron]))
    raw = kiosk.get("/changes").json()["changes"][0]["patron"]
    assert set(raw) == {
        "card_id",
        "category",
        "card_kind",
        "initials",
        "pin_hash",
        "expires_on",
        "blocks",
        "fines_cents",
        "home_branch",  # a branch code: which kiosks may hold the PIN hash
    }
    assert wire.from_json(wire.PatronRecord, raw) == patron


def test_policy_comes_versioned_with_the_ecard_keys(central: Central) -> None:
    kiosk = central.enrol("k1")
    document = Policy(max_loans={"*": 5}, offline_max_items=2).to_dict()
    reply = central.staff.put("/admin/policy", staff_wire.PolicyIn(document))
    assert reply.status_code == 200, reply.text
    key = wire.from_json(wire.ECardKey, central.staff.post("/admin/ecard-keys").json())
    central.staff.put("/admin/policy", staff_wire.PolicyIn({**document, "offline_max_items": 1}))
    changes, _ = pull_all(kiosk)
    policies = [c.policy for c in changes if c.policy]
    assert [p.version for p in policies] == ["central-1", "central-1", "central-2"]
    latest = policies[-1]
    assert Policy.from_dict(latest.document).offline_max_items == 1
    assert Policy.from_dict(latest.document).version == "central-2"
    assert latest.ecard_keys == [key]
    # The central signs a reader's QR e-card; a kiosk verifies it offline with the
    # replicated public key.
    central.staff.put("/admin/patrons", staff_wire.PatronBatch([wire.PatronRecord("P1")]))
    issued = central.staff.post("/admin/ecards", {"card_id": "P1", "days": 1}).json()
    keys = {k.key_id: ecard.decode_key(k.public_key) for k in latest.ecard_keys}
    assert ecard.verify(issued["token"], keys, START).card_id == "P1"
    assert central.staff.delete(f"/admin/ecard-keys/{key.key_id}").status_code == 204
    changes, _ = pull_all(kiosk)
    revoked = [c.policy for c in changes if c.policy][-1]
    assert revoked.ecard_keys == [] and revoked.revoked_key_ids == [key.key_id]
    assert kiosk.get("/policy").json()["revoked_key_ids"] == [key.key_id]


def test_a_policy_a_kiosk_cannot_read_is_refused(central: Central) -> None:
    reply = central.staff.put("/admin/policy", staff_wire.PolicyIn({"rules": [{"colour": "red"}]}))
    assert reply.status_code == 422
    assert central.enrol("k1").get("/changes").json()["changes"] == []


def test_a_bulk_upsert_with_one_bad_row_stores_nothing(central: Central) -> None:
    good = wire.to_json(wire.ItemRecord(pii="I1", title="Fine"))
    reply = central.staff.put("/admin/items", {"items": [good, {"pii": "I2"}]})
    assert reply.status_code == 422
    assert central.enrol("k1").get("/changes").json()["changes"] == []


def test_an_item_status_outside_the_vocabulary_is_refused(central: Central) -> None:
    bad = {**wire.to_json(wire.ItemRecord(pii="I1", title="Fine")), "status": "borrowed"}
    assert central.staff.put("/admin/items", {"items": [bad]}).status_code == 422


def test_the_reply_body_is_the_decoded_page_with_stored_records_spliced_in(
    central: Central,
) -> None:
    """``page_body`` passes stored record text through only when decoding would not change
    it: quotes, another field order, a field missing or one too many all give the same page."""
    full = asdict(wire.ItemRecord(pii="ORDER", title="Fields in another order"))
    with writing(central.engine) as conn:
        catalog.upsert_items(
            conn,
            [
                wire.ItemRecord(pii="A", title='Say "hi"', author="back\\slash"),
                wire.ItemRecord(pii="B", title="三国演义", status="lost", set_size=3),
                wire.ItemRecord(pii='C": "', title="a key that looks like a field"),
            ],
            START,
        )
        catalog.upsert_patrons(
            conn,
            [
                wire.PatronRecord(card_id="P1", blocks=["fines", "lost card"]),
                wire.PatronRecord(card_id="P2", expires_on=START.date(), pin_hash="x"),
            ],
            START,
        )
        catalog.place_holds(conn, [wire.HoldRecord(item_pii="A", patron_card="P1")], START)
        changes.append(
            conn,
            [
                changes.Delta("item", "ORDER", "upsert", dict(reversed(full.items()))),
                changes.Delta("item", "OLD", "upsert", {"pii": "OLD", "title": "older version"}),
                changes.Delta("item", "NEW", "upsert", {**full, "pii": "NEW", "shelf": "3"}),
            ],
            START,
        )
        catalog.delete_item(conn, "B", START)
        catalog.add_ecard_key(conn, START)
    with reading(central.engine) as conn:
        (secret,) = conn.execute(sa.select(schema.ecard_keys.c.secret)).scalars()
        page = changes.page_json(conn, 0, 100)
        assert secret not in json.dumps(page)  # the private key never goes to a kiosk
        assert json.loads(changes.page_body(conn, 0, 100)) == page
        assert json.loads(changes.page_body(conn, 3, 4)) == changes.page_json(conn, 3, 4)
    old, new = (c["item"] for c in page["changes"] if c["key"] in ("OLD", "NEW"))
    assert old["set_size"] == 1 and old["status"] == "available"  # the defaults, filled in
    assert "shelf" not in new and new["pii"] == "NEW"


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ({"max_loans": 5}, "max_loans"),  # the field trial's typo: a number, not a table
        (
            {"rules": [{"category": "*", "item_class": "*", "loan_days": "28"}]},
            "rules[1].loan_days",
        ),
    ],
)
def test_a_policy_with_wrong_types_is_refused_field_by_field(central: Central, document, named):
    """Regression (#14 finding 2): both were stored with 200 and crashed every checkout."""
    reply = central.staff.put("/admin/policy", staff_wire.PolicyIn(document))
    assert reply.status_code == 422, reply.text
    problems = reply.json()["detail"]["problems"]
    assert [p.split(":")[0] for p in problems] == [named]
    assert central.enrol("k1").get("/changes").json()["changes"] == []  # nothing replicated
