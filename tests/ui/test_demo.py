"""`shufang demo` end to end: sim pad, scanner, card reader and printer through the real UI."""

from __future__ import annotations

import pytest
from PIL import Image

from kiosk.cli import main
from kiosk.store import Store


@pytest.mark.slow
def test_headless_demo_tours_every_flow(qtbot, tmp_path, capsys):
    assert main(["demo", "--headless", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "网络中断期间每人最多借 3 本" in out  # the offline limit reached the screen
    assert "请放入转运箱" in out and "Renewed" in out
    shots = sorted((tmp_path / "screenshots").glob("*.png"))
    assert len(shots) == 9
    assert Image.open(shots[0]).size == (1080, 1920)
    (receipt,) = (tmp_path / "receipts").glob("*.png")
    assert Image.open(receipt).size[0] == 576
    store = Store(tmp_path / "kiosk.db")
    assert store.integrity_problems() == []
    checkouts = [t for t in store.journal(100) if t.kind.value == "checkout"]
    assert len(checkouts) == 6 and all(t.security.value == "done" for t in checkouts)
    assert sum(t.decision.value == "offline" for t in checkouts) == 3
