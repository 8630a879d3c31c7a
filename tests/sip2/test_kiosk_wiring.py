"""`upstream.kind = "sip2"` in the kiosk config: the UI's core is the library system's."""

from __future__ import annotations

from kiosk.cli.run import core_factory
from kiosk.config import load_config
from kiosk.models import CardKind
from kiosk.reasons import Reason
from tests.sip2.library import Library, RunningServer
from tests.sip2.test_cli import config_for


def test_the_kiosk_core_borrows_through_the_library_system(
    tmp_path, server: RunningServer, library: Library
):
    path = config_for(tmp_path, server.port)
    config = load_config(path).replace(database__path=str(tmp_path / "kiosk.db"))
    core = core_factory(config)()
    try:
        # issue #12 point 2: the default policy wants a PIN, on a SIP2 site too
        asked = core.circulation.identify("R0001", CardKind.BARCODE, None)
        assert asked.reason is Reason.PIN_REQUIRED
        ident = core.circulation.identify("R0001", CardKind.BARCODE, "1234")
        assert ident.ok
        outcome = core.circulation.checkout(ident.patron, "1000001")
        assert outcome.ok and outcome.due_at is not None
        assert library.books["1000001"].borrower == "R0001"  # the ACS applied it
        (row,) = core.store.journal.recent(10)
        assert row.decision.value == "online" and row.acked_at is not None  # never replayed
        blocked = core.circulation.identify("R0002", CardKind.BARCODE, "1234")
        assert blocked.borrow_block is Reason.PATRON_BLOCKED
        assert [o.ok for o in core.circulation.renew_all(ident.patron)] == [True]
        assert [loan.item_pii for loan, _ in core.circulation.loans(ident.patron)] == ["1000001"]
    finally:
        core.close()
