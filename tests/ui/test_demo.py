"""`shufang demo --headless`: sim pad, scanner, card reader and printer through the real UI."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from kiosk.cli import main
from kiosk.store import Store


def summary_of(out: str) -> dict:
    return json.loads(out[out.index("\n{") + 1 :])


@pytest.mark.slow
def test_builtin_scenario_tours_every_flow(qtbot, tmp_path, capsys):
    assert main(["demo", "--headless", "--dir", str(tmp_path)]) == 0
    summary = summary_of(capsys.readouterr().out)
    assert summary["ok"] and summary["final_screen"] == "home"
    assert all(step["ok"] for step in summary["steps"])
    assert summary["journal"]["integrity_ok"]
    shots = [
        tmp_path / "screenshots" / p
        for p in sorted(p.split("/")[-1] for p in summary["screenshots"])
    ]
    assert len(shots) == 10
    with Image.open(shots[0]) as shot:
        assert shot.size == (1080, 1920)
    (receipt,) = summary["receipts"]
    with Image.open(receipt) as image:
        assert image.size[0] == 576
    store = Store(tmp_path / "kiosk.db")
    checkouts = [t for t in store.journal.recent(100) if t.kind.value == "checkout"]
    assert len(checkouts) == 6 and all(t.security.value == "done" for t in checkouts)
    assert sum(t.decision.value == "offline" for t in checkouts) == 3
    # the embedded central service got every transaction exactly once, offline ones included
    assert summary["journal"]["waiting_for_upstream"] == 0
    central = summary["central"]
    assert central["conflicts"] == 0 and central["open_loans"] == 4
    (day,) = central["statistics"]
    assert (day["loans"], day["returns"], day["renewals"]) == (6, 2, 2)
    # the demo speaks, or (no audio device here) writes down what it would have said
    said = [p["key"] for p in summary["voice"]["prompts"]]
    for key in ("borrow.place_items", "borrow.done", "return.done", "card.take"):
        assert key in said
    assert any(k.startswith("reason.") for k in said)
    assert not any("王" in p["text"] for p in summary["voice"]["prompts"])  # no reader's name


def test_a_scenario_file_that_fails_says_where(qtbot, tmp_path, capsys):
    scenario = tmp_path / "s.txt"
    scenario.write_text(
        "press 借书\nwait-for-text 请出示读者证\npress Nonexistent\nscreenshot never\n",
        encoding="utf-8",
    )
    assert main(["demo", "--headless", "--dir", str(tmp_path), "--scenario", str(scenario)]) == 1
    summary = summary_of(capsys.readouterr().out)
    assert not summary["ok"]
    assert [s["ok"] for s in summary["steps"]] == [True, True, False]
    assert summary["steps"][-1]["line"] == 3
    assert "no visible button says 'Nonexistent'" in summary["steps"][-1]["error"]
