"""The screens when the kiosk's own disk is full (issue #14, finding 5), through the real
widgets on a real full filesystem (a 2 MiB tmpfs filled to the last byte).

Regression: a failed core job left the book's row on "正在处理……" for good and the status
bar said all was well. Now the row says the item was not done, the kiosk goes out of
service saying why, and it comes back by itself once a write succeeds again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.config.loader import defaults
from kiosk.core import open_core
from kiosk.demo.seed import seed
from tests.full_disk import fill, read_only
from tests.ui.conftest import FactoryProbe
from tests.ui.test_flows import WAIT, sign_in, visible_texts


@pytest.fixture
def probe(small_disk: Path) -> FactoryProbe:
    """The UI tests' kiosk, with its database on the small disk."""
    config = defaults().replace(
        database__path=str(small_disk / "kiosk.db"),
        kiosk__isil="CN-110000-1",
        kiosk__branch="main",
        kiosk__branch_name="朝阳城市书房",
    )
    core = open_core(config)
    seed(core.store, isil="CN-110000-1", branch="main", now=datetime.now(UTC))
    core.close()
    return FactoryProbe(config)


def test_a_full_disk_is_said_on_the_row_and_the_kiosk_rests_until_it_can_write(
    qtbot, make_kiosk, small_disk: Path
) -> None:
    kiosk = make_kiosk(status_poll_ms=200)
    sign_in(qtbot, kiosk)
    filler = fill(small_disk)

    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: kiosk.window.current() == "out_of_service", timeout=WAIT)
    hint = kiosk.window.out_of_service.note.text()
    assert hint == kiosk.t("oos.storage") and "没有办成" in hint
    assert "正在处理" not in visible_texts(kiosk.window)
    assert "王*" not in visible_texts(kiosk.window), "the reader's session ended"
    assert kiosk.storage_fault

    # Still full: the status polls' test writes fail, the kiosk stays out of service.
    qtbot.wait(700)
    assert kiosk.window.current() == "out_of_service"

    # Space again: the next poll's write succeeds and the kiosk lends again.
    filler.unlink()
    qtbot.waitUntil(lambda: kiosk.window.current() == "home", timeout=WAIT)
    assert not kiosk.storage_fault
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: "100001" in kiosk.session.outcomes, timeout=WAIT)
    assert kiosk.session.outcomes["100001"].ok


def test_a_kiosk_started_on_a_read_only_disk_rests_until_it_can_write(
    qtbot, make_kiosk, small_disk: Path
) -> None:
    """The kiosk boots with its filesystem read-only (the kernel remounted a failing SD card
    so after errors, then the unit restarted): SQLite cannot open the WAL database for
    writing. The kiosk shows the storage rest instead of crashing or inviting readers, and
    comes into service by itself once the disk is writable."""
    with read_only(small_disk):
        kiosk = make_kiosk(status_poll_ms=200)
        qtbot.waitUntil(lambda: kiosk.window.current() == "out_of_service", timeout=WAIT)
        assert kiosk.window.out_of_service.note.text() == kiosk.t("oos.storage")
        assert kiosk.storage_fault
        qtbot.wait(700)
        assert kiosk.window.current() == "out_of_service"
    qtbot.waitUntil(lambda: kiosk.window.current() == "home", timeout=WAIT)
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: "100001" in kiosk.session.outcomes, timeout=WAIT)
    assert kiosk.session.outcomes["100001"].ok


def test_a_failed_item_job_says_so_on_its_row_instead_of_processing(qtbot, make_kiosk) -> None:
    """Any core failure that is not the disk (here the job itself raises): the row shows
    the fault, the session goes on, and the next book still borrows."""
    kiosk = make_kiosk()
    sign_in(qtbot, kiosk)
    real = kiosk._checkout_stack

    def broken(screen, patron, batch):
        kiosk._checkout_stack = real
        piis = [pii for pii, _, _ in batch]
        kiosk.core.call(lambda core: 1 / 0, print, lambda error: kiosk._items_failed(piis, error))

    kiosk._checkout_stack = broken
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: "100001" in kiosk.session.outcomes, timeout=WAIT)
    row = kiosk.window.borrow.list.rows["100001"]
    assert row.detail.text() == kiosk.t("reason.kiosk_fault")
    assert kiosk.window.current() == "borrow" and not kiosk.storage_fault
    kiosk.events.place("100002")
    qtbot.waitUntil(lambda: "100002" in kiosk.session.outcomes, timeout=WAIT)
    assert kiosk.session.outcomes["100002"].ok
