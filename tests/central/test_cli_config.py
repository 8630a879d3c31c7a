"""The admin commands use the service's own config and database (issue #15's first finding:
`shufang central enrol` run as the guide said created `./shufang-central.db` and printed a
token the PostgreSQL service did not know), and never start a new database by accident."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk.cli import central as central_cli
from sync.central.app import create_app
from sync.central.config import (
    DEFAULT_TIMEZONE,
    CentralConfigError,
    load_central_config,
)
from sync.central.server import BackgroundServer
from sync.central.settings import CentralSettings
from tests.central.cli_runner import shufang


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run from an empty folder with no central settings in the environment."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("SHUFANG_CENTRAL_DB", raising=False)
    monkeypatch.delenv("SHUFANG_CENTRAL_CONFIG", raising=False)
    yield folder


def write_config(path: Path, db: str, timezone: str = "Asia/Shanghai") -> Path:
    path.write_text(f'[database]\nurl = "{db}"\n\n[service]\ntimezone = "{timezone}"\n')
    return path


def cli_url(db_url: str) -> str:
    return db_url.replace("postgresql+psycopg://", "postgresql://")


def test_enrol_refuses_to_create_a_database_without_create(
    elsewhere: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "typo.db"
    assert shufang("central", "enrol", "k1", "--branch", "b", "--db", str(target)) == 2
    assert not target.exists()
    assert not (elsewhere / "shufang-central.db").exists()
    err = capsys.readouterr().err
    assert "no central database" in err and "--create" in err
    assert shufang("central", "revoke", "k1", "--db", str(target)) == 2
    assert not target.exists()


def test_an_empty_postgresql_database_is_not_filled_by_an_admin_command(
    db_url: str, elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = cli_url(db_url)
    assert shufang("central", "enrol", "ana", "--staff", "--db", url) == 2
    assert "no central database" in capsys.readouterr().err
    assert shufang("central", "enrol", "ana", "--staff", "--db", url, "--create") == 0
    assert shufang("central", "enrol", "bo", "--staff", "--db", url) == 0


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_token_enrolled_through_the_config_is_known_to_the_service_reading_it(
    db_url: str,
    elsewhere: Path,
    tmp_path: Path,
    how: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write_config(tmp_path / "central.toml", cli_url(db_url))
    service = load_central_config(str(config))
    app = create_app(service.db)  # the service starts first and creates its database
    if how == "option":
        argv = ("central", "enrol", "k1", "--branch", "main", "--config", str(config))
    else:
        monkeypatch.setenv("SHUFANG_CENTRAL_CONFIG", str(config))
        argv = ("central", "enrol", "k1", "--branch", "main")
    assert shufang(*argv) == 0
    token = capsys.readouterr().out.strip()
    assert not (elsewhere / "shufang-central.db").exists()
    with BackgroundServer(app) as server:
        reply = requests.get(
            f"{server.url}/api/v1/changes",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
    app.state.runtime.engine.dispose()
    assert reply.status_code == 200


def test_db_option_and_environment_override_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path / "central.toml", "sqlite:///file.db")
    monkeypatch.delenv("SHUFANG_CENTRAL_DB", raising=False)
    assert load_central_config(str(config)).db == "sqlite:///file.db"
    monkeypatch.setenv("SHUFANG_CENTRAL_DB", "sqlite:///env.db")
    assert load_central_config(str(config)).db == "sqlite:///env.db"
    assert load_central_config(str(config), "sqlite:///opt.db").db == "sqlite:///opt.db"


def test_a_wrong_setting_or_time_zone_is_refused_with_the_file_named(tmp_path: Path) -> None:
    bad = tmp_path / "central.toml"
    bad.write_text('[service]\nport = "8470"\n')
    with pytest.raises(CentralConfigError, match=r"service\.port must be int"):
        load_central_config(str(bad))
    bad.write_text('[service]\ntimezone = "Mars/Olympus"\n')
    with pytest.raises(CentralConfigError, match="Mars/Olympus"):
        load_central_config(str(bad))
    bad.write_text("[database]\nuri = 'x'\n")
    with pytest.raises(CentralConfigError, match=r"unknown setting database\.uri"):
        load_central_config(str(bad))


def test_the_central_counts_days_in_beijing_time_unless_told_otherwise(tmp_path: Path) -> None:
    assert DEFAULT_TIMEZONE == "Asia/Shanghai"
    assert str(CentralSettings().timezone) == "Asia/Shanghai"
    assert load_central_config(None, environ={}).timezone == "Asia/Shanghai"
    config = write_config(tmp_path / "central.toml", "sqlite:///x.db", "Asia/Urumqi")
    assert load_central_config(str(config)).timezone == "Asia/Urumqi"


def test_serve_takes_its_options_from_the_config_file(tmp_path: Path) -> None:
    config = write_config(tmp_path / "central.toml", "sqlite:///x.db", "Asia/Urumqi")
    parser = argparse.ArgumentParser(prog="shufang")
    central_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["central", "serve", "--config", str(config), "--port", "9001"])
    resolved = central_cli.central_config(args)
    assert (resolved.db, resolved.timezone, resolved.port) == (
        "sqlite:///x.db",
        "Asia/Urumqi",
        9001,
    )
    assert (resolved.host, resolved.workers, resolved.access_log) == ("127.0.0.1", 1, False)


def test_the_sample_config_is_valid(tmp_path: Path) -> None:
    from sync.central.config import SAMPLE

    sample = tmp_path / "central.toml"
    sample.write_text(SAMPLE)
    loaded = load_central_config(str(sample), environ={})
    assert loaded.db.startswith("postgresql://") and loaded.timezone == "Asia/Shanghai"


def test_migrate_upgrades_an_existing_database_and_refuses_a_missing_one(
    db_url: str, elsewhere: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = cli_url(db_url)
    missing = tmp_path / "none.db"
    assert shufang("central", "migrate", "--db", str(missing)) == 2
    assert not missing.exists()
    assert shufang("central", "migrate", "--db", url, "--create") == 0
    assert "applied: 0001" in capsys.readouterr().out
    assert shufang("central", "migrate", "--db", url) == 0
    assert "nothing, schema is current" in capsys.readouterr().out


def test_the_packaged_sample_is_the_generated_one() -> None:
    from sync.central.config import SAMPLE

    packaged = Path(__file__).resolve().parents[2] / "packaging" / "central.sample.toml"
    assert packaged.read_text() == SAMPLE
