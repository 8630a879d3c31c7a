"""Replies no client should trust blindly, and what the kiosk does with them.

Regression (issue #12, point 9): replies with wrong checksums from systems known to compute
them wrongly could not be used at all; an ACS that keeps sending the wrong reply made
``shufang sip2 ping`` hang; odd digits ("²", "٣", fullwidth) and huge numbers ("1e400") in
a reply raised a traceback; an ACS that demands checksums from a kiosk with them off gave no
hint; and "closed" told readers they could return when returns were refused too.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from pathlib import Path

import pytest

from kiosk.circulation import Circulation, Site
from kiosk.cli import main
from kiosk.models import Item
from kiosk.reasons import Reason
from sync.sip2.dialects import profile
from sync.sip2.errors import Unavailable
from sync.sip2.library_system import Sip2Upstream
from sync.sip2.live import LiveCirculation
from sync.sip2.messages import Message
from tests.conftest import TEST_POLICY
from tests.sip2.conftest import make_client
from tests.sip2.library import RunningServer
from tests.sip2.scripted import ScriptedAcs

D = "20261124    100000"
STATUS = "98YYYYYY005003" + D + "2.00AOCITY|BXYYYYYYYYYYYYYYYY|"
ITEM = "1803020120261124    100000AB1000001|AJ三体|"


def with_wrong_checksum(body: str) -> bytes:
    return body.encode("utf-8") + b"AZ0000\r"  # a sum that never adds up


def item_request() -> Message:
    return Message("17", {"transaction_date": D}, [("AO", "CITY"), ("AB", "1000001")])


def test_wrong_checksums_are_refused_by_default() -> None:
    acs = ScriptedAcs(lambda frame: [with_wrong_checksum(ITEM if frame[:2] == b"17" else STATUS)])
    client = make_client(acs.port, retries=0, max_resends=1)
    try:
        with pytest.raises(Unavailable):
            client.exchange(item_request(), 2.0)
    finally:
        client.close()
        acs.close()


def test_a_site_may_accept_wrong_checksums_logged_once_and_counted_as_faults(caplog) -> None:
    acs = ScriptedAcs(lambda frame: [with_wrong_checksum(ITEM if frame[:2] == b"17" else STATUS)])
    faults: list[str] = []
    client = make_client(acs.port, bad_checksums="accept")
    client.faults = lambda code, message: faults.append(code)
    try:
        with caplog.at_level(logging.WARNING):
            for _ in range(3):
                assert client.exchange(item_request(), 2.0).get("AJ") == "三体"
        warnings = [r for r in caplog.records if "checksum wrong" in r.getMessage()]
        assert len(warnings) == 1
        assert faults == ["sip2_checksum"] * 4  # the 98 at connect and three 18s
    finally:
        client.close()
        acs.close()


class WrongReplyFlood:
    """Answers any request with a stream of valid frames of the wrong kind, without end."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        with conn:
            try:
                conn.recv(4096)
                while not self.stop.is_set():
                    conn.sendall(b"24" + b" " * 14 + b"000" + D.encode() + b"AOCITY|\r")
                    self.stop.wait(0.01)
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.server.close()
        self.thread.join(5)


def config_file(tmp_path: Path, port: int, extra: str = "") -> str:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[upstream]\nkind = "sip2"\n[sip2]\nport = {port}\ninstitution_id = "CITY"\n'
        f"timeout_s = 0.5\nretries = 0\n{extra}",
        encoding="utf-8",
    )
    return str(path)


def test_ping_ends_against_an_acs_that_keeps_sending_the_wrong_reply(tmp_path, capsys) -> None:
    flood = WrongReplyFlood()
    try:
        started = time.monotonic()
        assert main(["sip2", "ping", "--config", config_file(tmp_path, flood.port)]) == 1
        assert time.monotonic() - started < 3.0
        assert "sip2_timeout" in capsys.readouterr().err
    finally:
        flood.close()


def test_the_hint_to_turn_checksums_on(tmp_path, capsys) -> None:
    """An ACS that demands checksums answers 96 (please resend) to every frame without one."""
    acs = ScriptedAcs(lambda frame: [b"96\r"] if b"AZ" not in frame else [STATUS.encode() + b"\r"])
    try:
        config = config_file(tmp_path, acs.port, "checksums = false\n")
        assert main(["sip2", "ping", "--config", config]) == 1
        assert "turn on sip2.checksums" in capsys.readouterr().err
    finally:
        acs.close()


ODD_64 = (
    "64"
    + " " * 14
    + "000"
    + D
    + "0000"
    + "00²1"
    + "٣٣٣٣"
    + "0000" * 3
    + "AOCITY|AAR1|AEA Reader|BLY|BV1e400|CC９９|BZ99999999999999999999|"
)


def test_odd_digits_and_huge_numbers_are_ignored_with_a_warning_not_a_traceback(
    tmp_path, capsys, caplog
) -> None:
    acs = ScriptedAcs(lambda f: [(STATUS if f[:2] == b"99" else ODD_64).encode() + b"\r"])
    try:
        upstream = Sip2Upstream(make_client(acs.port), profile("standard"), budget_s=2.0)
        with caplog.at_level(logging.WARNING):
            answer = upstream.identify("R1")
        assert answer.identification.ok and answer.identification.borrow_block is None
        assert (answer.overdue, answer.charged) == (None, None)
        assert answer.state.fines_cents is None and answer.state.fee_limit_cents is None
        assert "unreadable amount '1e400'" in caplog.text
        upstream.client.close()  # the scripted ACS serves one connection at a time
        config = config_file(tmp_path, acs.port, "checksums = false\n")
        assert main(["sip2", "patron", "R1", "--config", config, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["identified"] is True
    finally:
        acs.close()


def test_when_the_library_system_is_down_and_offline_is_refused_returns_are_not_promised(
    server: RunningServer, store, clock
) -> None:
    upstream = Sip2Upstream(
        make_client(server.port, timeout_s=0.3, retries=0),
        profile("standard"),
        offline_policy="deny",
        budget_s=0.5,
    )
    live = LiveCirculation(Circulation(store, TEST_POLICY, clock, Site()), upstream)
    store.items.upsert([Item("1000001", "三体")])
    server.stop()
    returned = live.checkin("1000001")
    assert not returned.ok and returned.reason is Reason.LIBRARY_SYSTEM_DOWN
    catalogs = Path(__file__).parents[2] / "ui" / "i18n"
    english = json.loads((catalogs / "en.json").read_text(encoding="utf-8"))
    chinese = json.loads((catalogs / "zh_CN.json").read_text(encoding="utf-8"))
    assert "can return" not in english[returned.message_key]
    assert "还书" in chinese[returned.message_key] and "暂停" in chinese[returned.message_key]
