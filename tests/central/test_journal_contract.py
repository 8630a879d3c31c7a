"""Contract: the central applies every kind of journal row a kiosk writes (issue #14, finding 1).

The rows come from the real kiosk core (``tests/journal_story.py``), sent by the daemon's
client to a live central on SQLite and PostgreSQL; the central must accept each one and end
with exactly the loans the kiosk holds.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sync import wire
from sync.central import staff_wire
from sync.daemon.central_client import DaemonClient
from tests import journal_story
from tests.fixtures.central import Central, open_loans, seed


def test_the_story_covers_every_row_kind_the_kiosk_writes(tmp_path: Path) -> None:
    story = journal_story.tell(tmp_path)
    assert story.kinds() == journal_story.every_row_kind(story.undoable)


def test_a_cancelled_return_reinstates_the_loan_centrally_and_it_renews(
    central: Central, tmp_path: Path
) -> None:
    """Regression: the central only cancelled checkouts; a cancelled return was a conflict
    and every later renewal of that loan was refused, so the loan existed on the kiosk only."""
    seed(central, items=10, patrons=journal_story.PATRONS)
    seed_story_items(central)
    story = journal_story.tell(tmp_path)
    central.enrol("k1")
    client = DaemonClient(central.url, central.tokens["k1"], timeout=30)
    replies = client.push_journal(story.rows)
    assert [(r.status, r.reason) for r in replies] == [("accepted", "")] * len(story.rows)
    loans = {loan["item_pii"]: loan for loan in open_loans(central)}
    assert {pii: loan["patron_card"] for pii, loan in loans.items()} == {
        pii: card for pii, (card, _) in story.loans.items()
    }
    for pii, (_, due) in story.loans.items():
        assert datetime.fromisoformat(loans[pii]["due_at"]) == due
    # a second push of the same rows changes nothing
    again = client.push_journal(story.rows)
    assert {r.status for r in again} == {"duplicate"}
    assert len(open_loans(central)) == len(story.loans)


def seed_story_items(central: Central) -> None:
    reply = central.staff.put(
        "/admin/items",
        staff_wire.ItemBatch(
            [wire.ItemRecord(pii=p, title=p, branch="main") for p in journal_story.ITEMS]
        ),
    )
    assert reply.status_code == 200, reply.text
