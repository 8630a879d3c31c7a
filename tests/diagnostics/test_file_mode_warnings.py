"""``shufang config check`` and ``shufang diag`` warn about secrets open to other accounts.

Issue #14, finding 6. Regression: a config holding the kiosk's token (0644) and a database of
patrons and PIN hashes made world-readable both passed with "ok" / "all checks passed".
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.file_modes import exposure
from kiosk.store import Store


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def kiosk_files(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "kiosk.db"
    Store(db).close()
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[database]\npath = "{db}"\n[upstream]\ntoken = "tok-123"\n', encoding="utf-8")
    path.chmod(0o640)
    return path, db


@pytest.mark.parametrize(
    ("mode", "problem"),
    [
        (0o600, None),
        (0o640, None),
        (0o400, None),
        (0o644, "mode 0644: every account can read it"),
        (0o606, "mode 0606: every account can read and change it"),
        (0o602, "mode 0602: every account can change it"),
        (0o660, "mode 0660: its group can change it"),
        (0o666, "mode 0666: every account can read and change it and its group can change it"),
        (0o601, "mode 0601: other accounts have access to it"),
    ],
)
def test_exposure_names_who_gets_in(tmp_path: Path, mode: int, problem: str | None) -> None:
    path = tmp_path / "file"
    path.write_bytes(b"x")
    path.chmod(mode)
    assert exposure(path) == problem


def test_a_missing_file_is_not_an_exposure(tmp_path: Path) -> None:
    assert exposure(tmp_path / "nothing") is None


def test_config_check_warns_about_a_world_readable_config_with_a_token(capsys, kiosk_files) -> None:
    path, _ = kiosk_files
    assert main(["config", "check", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: ok\n"
    path.chmod(0o644)
    assert main(["config", "check", str(path)]) == 0  # valid: a warning, not a failure
    out = capsys.readouterr().out
    assert "warning" in out and "mode 0644: every account can read it" in out
    assert "upstream.token" in out and "chmod 0640" in out
    assert "tok-123" not in out  # names the secret, never its value


def test_config_check_warns_about_the_database_it_names(capsys, kiosk_files) -> None:
    path, db = kiosk_files
    db.chmod(0o644)
    assert main(["config", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{db}: mode 0644" in out and "PIN hashes" in out and "0600" in out


def test_diag_warns_about_the_config_and_the_database_and_their_wal(capsys, kiosk_files) -> None:
    path, db = kiosk_files
    store = Store(db)  # keeps the -wal and -shm beside it while open
    try:
        store.state.set_text("probe", "1")
        code = main(["diag", "--json", "--no-devices", "--config", str(path)])
        checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
        assert code == 0
        assert checks["files.config"]["status"] == "ok"
        assert checks["files.database"]["status"] == "ok"
        path.chmod(0o644)
        Path(f"{db}-wal").chmod(0o644)
        code = main(["diag", "--json", "--no-devices", "--config", str(path)])
        report = json.loads(capsys.readouterr().out)
    finally:
        store.close()
    checks = {c["name"]: c for c in report["checks"]}
    assert code == 0 and report["ok"]  # warnings: the kiosk still works
    assert checks["files.config"]["status"] == "warning"
    assert "mode 0644" in checks["files.config"]["detail"]
    database = checks["files.database"]
    assert database["status"] == "warning" and "kiosk.db-wal: mode 0644" in database["detail"]
    assert "tok-123" not in json.dumps(report)


def test_diag_in_words_marks_the_warnings(capsys, kiosk_files) -> None:
    path, db = kiosk_files
    db.chmod(0o604)
    assert main(["diag", "--no-devices", "--config", str(path)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "files.database" in line]
    assert lines and lines[0].startswith("WARN")
