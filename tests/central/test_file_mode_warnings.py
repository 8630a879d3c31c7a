"""The central's commands warn when its config (with secrets) or SQLite file is open to other
accounts (issue #14, finding 6: files holding secrets and patron data, and a check saying so).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.central.config import load_central_config, mode_warnings
from tests.central.cli_runner import shufang


@pytest.fixture(autouse=True)
def usual_umask(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("SHUFANG_CENTRAL_DB", raising=False)
    monkeypatch.delenv("SHUFANG_CENTRAL_CONFIG", raising=False)
    old = os.umask(0o022)
    yield
    os.umask(old)


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "central.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_a_world_readable_config_with_a_database_password_is_named(tmp_path: Path) -> None:
    path = _config(tmp_path, '[database]\nurl = "postgresql://shufang:s3cret@db/shufang"\n')
    (warning,) = mode_warnings(load_central_config(str(path)))
    assert "mode 0644: every account can read it" in warning and "chmod 0640" in warning
    assert "s3cret" not in warning
    path.chmod(0o640)
    assert mode_warnings(load_central_config(str(path))) == []


def test_a_config_without_secrets_may_be_world_readable(tmp_path: Path) -> None:
    path = _config(tmp_path, '[database]\nurl = "postgresql://db/shufang"\n')
    assert mode_warnings(load_central_config(str(path))) == []


def test_the_migrate_command_warns_about_a_world_readable_sqlite_database(
    tmp_path: Path, capsys
) -> None:
    db = tmp_path / "central.db"
    url = f"sqlite:///{db}"
    assert shufang("central", "migrate", "--db", url, "--create") == 0
    assert "warning" not in capsys.readouterr().err  # created 0600
    db.chmod(0o644)
    assert shufang("central", "migrate", "--db", url) == 0  # still runs
    err = capsys.readouterr().err
    assert f"shufang: warning: {db}: mode 0644" in err and "chmod 0600" in err
