"""``shufang diag``: the same checks from a shell, JSON for scripts, non-zero on a problem."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from kiosk.cli import main
from kiosk.diag import checks
from kiosk.diag.bundle import REDACTED, redacted_config
from kiosk.store import Store


@pytest.fixture
def kiosk_toml(tmp_path):
    db = tmp_path / "kiosk.db"
    Store(db).close()
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[database]\npath = "{db}"\n[technician]\ncards = {{ T9001 = "Li" }}\n'
        '[upstream]\ntoken = "tok-123"\n',
        encoding="utf-8",
    )
    return path, db


def diag_json(capsys, *argv) -> tuple[int, dict]:
    code = main(["diag", "--json", *argv])
    return code, json.loads(capsys.readouterr().out)


def test_a_healthy_kiosk_passes_with_simulated_devices(capsys, kiosk_toml):
    path, _ = kiosk_toml
    code, report = diag_json(capsys, "--config", str(path))
    assert code == 0 and report["ok"]
    by_name = {c["name"]: c for c in report["checks"]}
    assert by_name["config"]["status"] == "ok"
    assert by_name["database.integrity"]["status"] == "ok"
    assert by_name["device.printer"]["detail"] == "sim: opens"
    assert "tok-123" not in json.dumps(report)


def test_an_open_error_fault_fails_the_check_and_the_exit_status(capsys, kiosk_toml):
    path, db = kiosk_toml
    store = Store(db)
    store.faults.record(
        "printer", "paper_out", "error", "printer is out of paper", datetime.now(UTC)
    )
    store.close()
    code, report = diag_json(capsys, "--config", str(path), "--no-devices")
    assert code == 1 and not report["ok"]
    (faults,) = [c for c in report["checks"] if c["name"] == "faults"]
    assert faults["status"] == "fail" and "printer/paper_out" in faults["detail"]
    assert not any(c["name"].startswith("device.") for c in report["checks"])


def test_diagnostics_records_are_not_faults(capsys, kiosk_toml):
    path, db = kiosk_toml
    store = Store(db)
    store.faults.record_event("diagnostics", "entered", "opened by card", datetime.now(UTC))
    store.faults.record_event("diagnostics", "entered", "opened by card", datetime.now(UTC))
    assert [f.count for f in store.faults.recent()] == [1, 1]  # one row per event, each closed
    store.close()
    code, _ = diag_json(capsys, "--config", str(path), "--no-devices")
    assert code == 0


def test_a_missing_database_or_broken_config_fails(capsys, tmp_path):
    code, report = diag_json(capsys, "--db", str(tmp_path / "none.db"), "--no-devices")
    assert code == 1 and "does not exist" in json.dumps(report)
    assert not (tmp_path / "none.db").exists()  # diag never creates a database
    bad = tmp_path / "bad.toml"
    bad.write_text("[ui]\nidle_timeout_s = 1\n", encoding="utf-8")
    code, report = diag_json(capsys, "--config", str(bad))
    assert code == 1 and report["checks"][0]["name"] == "config"


def test_a_device_that_cannot_open_fails(capsys, kiosk_toml, tmp_path):
    path, _ = kiosk_toml
    text = path.read_text(encoding="utf-8")
    missing = tmp_path / "ttyNONE"
    path.write_text(text + f'[devices]\nprinter = "escpos+serial://{missing}"\n', "utf-8")
    code, report = diag_json(capsys, "--config", str(path), "--device-timeout", "2")
    (printer,) = [c for c in report["checks"] if c["name"] == "device.printer"]
    assert code == 1 and printer["status"] == "fail"


def test_plain_output_has_one_line_per_check(capsys, kiosk_toml):
    path, _ = kiosk_toml
    assert main(["diag", "--config", str(path), "--no-devices"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "all checks passed" and any(line.startswith("ok") for line in out)


def test_device_probe_that_hangs_is_reported_as_a_timeout():
    from kiosk.config.loader import defaults

    found = checks.device_checks(defaults(), lambda kind, uri: "did not open within 3 s")
    assert all(c.failed for c in found) and len(found) == 4


def test_redaction_keeps_empty_secrets_empty(kiosk_toml):
    from kiosk.config import load_config

    config = load_config(kiosk_toml[0])
    redacted = redacted_config(config)
    assert redacted["upstream.token"] == REDACTED
    assert redacted["technician.cards"] == REDACTED
    assert redacted["technician.pin_hash"] == ""


def network_of(capsys, path) -> dict:
    _, report = diag_json(capsys, "--config", str(path), "--no-devices")
    return next(c for c in report["checks"] if c["name"] == "network")


def test_a_kiosk_without_a_token_says_never_synced_not_network_ok(capsys, tmp_path):
    """Issue #15: diag said "network ok: upstream answered recently" on a kiosk that had
    never synced and had no token."""
    db = tmp_path / "kiosk.db"
    Store(db).close()
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[database]\npath = "{db}"\n', encoding="utf-8")
    network = network_of(capsys, path)
    assert network["status"] == "warning"
    assert network["detail"].startswith("never synced") and "upstream.token" in network["detail"]


def test_an_enrolled_kiosk_whose_daemon_never_finished_a_pass_says_never_synced(capsys, kiosk_toml):
    path, db = kiosk_toml
    network = network_of(capsys, path)
    assert network["status"] == "warning" and network["detail"].startswith("never synced")
    store = Store(db)
    from sync.daemon.connectivity import mark_online

    mark_online(store)
    store.close()
    network = network_of(capsys, path)
    assert network["status"] == "ok" and network["detail"] == "upstream answered recently"


def test_a_kiosk_without_an_upstream_says_so(capsys, tmp_path):
    db = tmp_path / "kiosk.db"
    Store(db).close()
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[database]\npath = "{db}"\n[upstream]\nkind = "none"\n', encoding="utf-8")
    network = network_of(capsys, path)
    assert network["status"] == "ok" and "no upstream" in network["detail"]
