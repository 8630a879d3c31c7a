"""`shufang demo --headless --uhf`: a borrow and a return with ISO/TS 28560-4 tags on LLRP.

The kiosk runs with ``devices.rfid = "llrp://127.0.0.1:PORT"`` against the LLRP emulator;
the items' tags carry ISIL.PII in their UII and the security state in their PC word's AFI.
"""

from __future__ import annotations

import json

import pytest

from kiosk.cli import main
from kiosk.store import Store

SCENARIO = """\
scan P0001
wait-for-text 请输入密码
type-pin 1234
wait-for-screen borrow
place-tags 100001
wait-for-ok 100001
press 完成
wait-for-screen receipt
press 打印凭条
wait-for-screen goodbye
wait-for-screen home
remove-tags 100001
press 还书
place-tags 100001
wait-for-items 1
end-session
remove-tags 100001
"""


@pytest.mark.slow
def test_a_uhf_item_is_borrowed_and_returned_through_an_llrp_reader(qtbot, tmp_path, capsys):
    scenario = tmp_path / "uhf.txt"
    scenario.write_text(SCENARIO, encoding="utf-8")
    argv = ["demo", "--headless", "--uhf", "--dir", str(tmp_path), "--scenario", str(scenario)]
    code = main(argv)
    out = capsys.readouterr().out
    assert "UHF reader (LLRP emulator) at llrp://127.0.0.1:" in out
    summary = json.loads(out[out.index("\n{") + 1 :])
    assert code == 0, [s for s in summary["steps"] if not s["ok"]]
    store = Store(tmp_path / "kiosk.db")
    done = [(t.kind.value, t.security.value) for t in store.journal.recent(100)]
    assert sorted(done) == [("checkin", "done"), ("checkout", "done")]
    (day,) = summary["central"]["statistics"]
    assert (day["loans"], day["returns"]) == (1, 1)
