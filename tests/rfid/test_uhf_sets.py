"""A set (book and CD) on a UHF pad: its parts share one UII and so one EPC, and the reader
sees one tag. The kiosk reports the parts it saw as unknown, so the set is lent unchecked
instead of refused as incomplete on every try (before: "part 1 of 2 only", for ever)."""

from __future__ import annotations

from drivers.rfid.emulators.llrp import library_tag
from drivers.rfid.items import PadItems, decode_tag
from drivers.rfid.pad import PadWatcher
from kiosk.circulation import Circulation
from kiosk.models import Item, Patron
from kiosk.outcomes import OutcomeKind
from kiosk.reasons import Reason
from tests.conftest import TEST_POLICY
from tests.rfid.test_llrp import ISIL


def test_a_uhf_sets_one_tag_reports_its_parts_as_unknown(world) -> None:
    field, _, reader = world
    field.place(library_tag(afi=0x07, pii="31234567", isil=ISIL, set=(1, 2)))
    items: list[tuple] = []
    pad_items = PadItems(on_item=lambda *a: items.append(a), on_gone=lambda pii: None)
    PadWatcher(reader, decode_tag, on_event=pad_items.handle).poll_once()
    [(pii, parts, uids)] = items
    assert (pii, parts, len(uids)) == ("31234567", None, 1)


def test_the_core_lends_a_set_whose_parts_are_unknown_and_refuses_one_part_seen(
    store, clock
) -> None:
    store.items.upsert([Item("31234567", "新概念英语 + CD", set_size=2)])
    store.patrons.upsert([Patron("R0001")])
    circulation = Circulation(store, TEST_POLICY, clock)
    patron = circulation.identify("R0001").patron
    refused = circulation.checkout(patron, "31234567", frozenset({1}))  # an HF pad's count
    assert (refused.kind, refused.reason) == (OutcomeKind.REFUSED, Reason.SET_INCOMPLETE)
    lent = circulation.checkout(patron, "31234567", None)  # a UHF pad's: unknown
    assert lent.kind is OutcomeKind.ACCEPTED
