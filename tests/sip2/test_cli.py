"""``shufang sip2 ping|patron|item`` against pysip2, as a technician would run them."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.cli import main
from tests.sip2.library import RunningServer


def config_for(tmp_path: Path, port: int) -> str:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[upstream]\nkind = "sip2"\n[sip2]\nport = {port}\ninstitution_id = "CITY"\n'
        "timeout_s = 1.0\nretries = 0\n",
        encoding="utf-8",
    )
    return str(path)


def test_ping_patron_and_item(tmp_path, server: RunningServer, capsys) -> None:
    config = config_for(tmp_path, server.port)
    assert main(["sip2", "ping", "--config", config, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["offline_ok"] is True
    assert main(["sip2", "patron", "R0002", "--config", config]) == 0
    out = capsys.readouterr().out
    assert "patron_blocked" in out and "Wang" not in out
    assert main(["sip2", "item", "1000003", "--config", config, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "waiting_on_hold_shelf"


def test_ping_says_clearly_when_the_library_system_is_down(tmp_path, server, capsys) -> None:
    config = config_for(tmp_path, server.port)
    server.stop()
    assert main(["sip2", "ping", "--config", config]) == 1
    assert "sip2_unavailable" in capsys.readouterr().err


def test_the_connector_is_built_from_the_settings(tmp_path, server: RunningServer) -> None:
    from kiosk.config import load_config
    from kiosk.store import Store
    from sync.sip2.config import connector_from
    from sync.sip2.pool import Sip2Pool

    path = Path(config_for(tmp_path, server.port))
    path.write_text(path.read_text() + 'sessions = 3\ndialect = "folio"\ncharset = "gb18030"\n')
    store = Store(tmp_path / "kiosk.db")
    connector = connector_from(load_config(path), store)
    assert isinstance(connector.client, Sip2Pool) and connector.client.size == 3
    assert connector.upstream.dialect.name == "folio"
    assert connector.client.account.charset == "gb18030"
    assert connector.upstream.refresh_status()
    assert store.state.text("sip2.offline_ok") == "Y"
    connector.client.close()
    store.close()
