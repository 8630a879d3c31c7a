"""``shufang central``: enrol, revoke and CSV import on both databases; help; lazy imports."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from kiosk.cli import central as central_cli
from sync.central.app import create_app
from sync.central.database import make_engine
from sync.central.migrations import migrate
from sync.central.schema import items, kiosks, patrons
from sync.central.server import BackgroundServer
from tests.central.cli_runner import shufang


@pytest.fixture
def cli_db(db_url: str) -> Iterator[str]:
    """The URL as a person types it: ``postgresql://`` rather than the driver-qualified form."""
    yield db_url.replace("postgresql+psycopg://", "postgresql://")


def rows(db: str, table: sa.Table) -> list[sa.Row]:
    engine = make_engine(db)
    try:
        migrate(engine)  # a refused import must not even have created the tables
        with engine.connect() as conn:
            return list(conn.execute(sa.select(table)))
    finally:
        engine.dispose()


def test_enrol_prints_a_token_that_works_until_revoked(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert shufang("central", "enrol", "k1", "--branch", "main", "--db", cli_db, "--create") == 0
    token = capsys.readouterr().out.strip()
    app = create_app(cli_db)
    with BackgroundServer(app) as server:
        url = f"{server.url}/api/v1/changes"
        headers = {"Authorization": f"Bearer {token}"}
        assert requests.get(url, headers=headers, timeout=30).status_code == 200
        assert shufang("central", "revoke", "k1", "--db", cli_db) == 0
        assert requests.get(url, headers=headers, timeout=30).status_code == 401
    app.state.runtime.engine.dispose()
    assert shufang("central", "revoke", "nobody", "--db", cli_db) == 1


def test_a_kiosk_needs_a_branch_but_staff_do_not(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert shufang("central", "enrol", "k1", "--db", cli_db) == 2
    assert shufang("central", "enrol", "ana", "--staff", "--db", cli_db, "--create") == 0
    assert capsys.readouterr().out.startswith("sfs_")


def test_a_clean_catalog_csv_is_imported(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "catalog.csv"
    csv.write_text(
        "pii,title,author,call_number,owner_isil,branch,item_class,set_size,status\n"
        "1000000056,三体,刘慈欣,I247.5/L,CN-110000-1,main,book,1,available\n"
        "1000000057,Audio course,,H31,CN-110000-1,east,cd,2,\n",
        encoding="utf-8",
    )
    assert shufang("central", "import", "catalog", str(csv), "--db", cli_db, "--create") == 0
    assert "2 new" in capsys.readouterr().out
    stored = {r.pii: r for r in rows(cli_db, items)}
    assert stored["1000000056"].title == "三体"
    assert stored["1000000057"].set_size == 2 and stored["1000000057"].status == "available"
    assert shufang("central", "import", "catalog", str(csv), "--db", cli_db) == 0
    assert "0 new, 0 updated, 2 unchanged" in capsys.readouterr().out


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("gbk"),  # Excel "CSV" on a zh-CN Windows
        lambda text: b"\xef\xbb\xbf" + text.encode(),  # Excel "CSV UTF-8"
    ],
    ids=["gbk", "utf8-bom"],
)
def test_chinese_csv_from_excel_imports_in_either_encoding(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], encode: object
) -> None:
    csv = tmp_path / "catalog.csv"
    csv.write_bytes(encode("pii,title,author\r\n1000000058,红楼梦,曹雪芹\r\n"))  # type: ignore[operator]
    assert shufang("central", "import", "catalog", str(csv), "--db", cli_db, "--create") == 0
    stored = {r.pii: r for r in rows(cli_db, items)}
    assert stored["1000000058"].title == "红楼梦" and stored["1000000058"].author == "曹雪芹"


def test_an_unreadable_csv_is_refused_with_its_line(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "catalog.csv"
    csv.write_bytes(b"pii,title\n1,ok\n2,\xff\xfe\xfd\n")
    assert shufang("central", "import", "catalog", str(csv), "--db", cli_db, "--create") == 1
    err = capsys.readouterr().err
    assert "catalog.csv:3: " in err and "GB18030" in err
    assert rows(cli_db, items) == []


def test_rejected_rows_are_reported_by_line_and_nothing_is_imported(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "patrons.csv"
    csv.write_text(
        "card_id,category,card_kind,initials,pin_hash,expires_on,blocks,fines_cents\n"
        "P1,adult,barcode,W.L.,,2027-01-31,,0\n"
        "P2,child,carrier-pigeon,,,,,0\n"
        "P3,adult,nfc,,1234,,,0\n"
        "P4,adult,barcode,,,31/01/2027,,0\n"
        "P5,adult,barcode,,,,debt;lost_card,-5\n"
        "P1,adult,barcode,,,,,0\n"
    )
    assert shufang("central", "import", "patrons", str(csv), "--db", cli_db) == 1
    err = capsys.readouterr().err
    for line, words in (
        (3, "card_kind"),
        (4, "pin_hash"),
        (5, "expires_on"),
        (6, "fines_cents"),
        (7, "repeats line 2"),
    ):
        assert f"patrons.csv:{line}: " in err and words in err
    assert "5 row(s) rejected; nothing imported" in err
    assert rows(cli_db, patrons) == []


def test_a_file_with_unknown_columns_is_refused(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "patrons.csv"
    csv.write_text("card_id,name,phone\nP1,Wang Li,13800000000\n")
    assert shufang("central", "import", "patrons", str(csv), "--db", cli_db) == 1
    assert "unknown column(s) name, phone" in capsys.readouterr().err


def test_every_central_subcommand_and_option_has_help() -> None:
    parser = argparse.ArgumentParser(prog="shufang")
    subparsers = parser.add_subparsers()
    central_cli.register(subparsers)
    central = subparsers.choices["central"]
    actions = next(a for a in central._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help for a in actions._choices_actions}
    assert set(helps) >= {"serve", "enrol", "revoke", "import"}
    for name, sub in actions.choices.items():
        assert helps[name], name
        for action in sub._actions:
            if action.dest != "help":
                assert action.help, f"central {name} {action.dest} has no help"


def test_importing_the_cli_module_loads_no_web_or_database_library() -> None:
    code = (
        "import sys, kiosk.cli.central; "
        "print(sorted(m for m in ('fastapi', 'sqlalchemy', 'uvicorn', 'psycopg') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_serve_with_two_workers_shares_one_port_and_records_every_beat(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two worker processes start on the one port, migrated once by the parent, and every
    beat sent to that port is recorded."""
    from sync.central.server import free_port

    tokens = []
    for n in range(8):
        enrol = ("central", "enrol", f"k{n}", "--branch", "main", "--db", cli_db, "--create")
        assert shufang(*enrol) == 0
        tokens.append(capsys.readouterr().out.strip())
    port = free_port()
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "kiosk", "central", "serve", "--db", cli_db]
    command += ["--port", str(port), "--workers", "2"]
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        deadline = time.monotonic() + 60
        while log.read_text().count("Application startup complete") < 2:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        body = {"state": "in_service", "outbox_depth": 3, "software_version": "t"}
        for token in tokens:  # one connection each: the kernel spreads them over the workers
            reply = requests.post(
                base + "/heartbeat", json=body, headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )  # fmt: skip
            assert reply.status_code == 200, reply.text
        assert len(set(_worker_pids(log.read_text()))) == 2
    finally:
        process.terminate()
        process.wait(30)
    engine = make_engine(cli_db)
    try:
        with engine.connect() as conn:
            seen = conn.execute(
                sa.select(sa.func.count()).select_from(kiosks).where(kiosks.c.outbox_depth == 3)
            ).scalar_one()
    finally:
        engine.dispose()
    assert seen == 8


def test_serve_refuses_zero_workers(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert shufang("central", "serve", "--db", cli_db, "--workers", "0") == 2
    assert "--workers" in capsys.readouterr().err


def _worker_pids(log: str) -> list[str]:
    return re.findall(r"Started server process \[(\d+)\]", log)


def test_staff_accounts_from_the_command_line(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Passwords come from stdin (never argv); only an argon2id hash is stored; actions audited."""
    import io

    from sync.central import staff_accounts
    from sync.central.database import make_engine, reading
    from sync.central.staff_tables import staff_accounts as table

    monkeypatch.setattr("sys.stdin", io.StringIO("long enough secret\n"))
    assert shufang("central", "staff", "add", "Li.Gong", "--role", "administrator",
                   "--password-stdin", "--db", cli_db, "--create") == 0  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert shufang("central", "staff", "add", "wang", "--password-stdin", "--db", cli_db) == 1
    assert "at least 10 characters" in capsys.readouterr().err
    assert shufang("central", "staff", "role", "nobody", "--role", "viewer", "--db", cli_db) == 1
    assert shufang("central", "staff", "disable", "li.gong", "--db", cli_db) == 0
    assert shufang("central", "staff", "list", "--db", cli_db) == 0
    assert "li.gong\tadministrator\tdisabled" in capsys.readouterr().out
    engine = make_engine(cli_db)
    try:
        with reading(engine) as conn:
            stored = conn.execute(sa.select(table.c.password_hash)).scalar_one()
            log = [(r.action, r.subject) for r in staff_accounts.audit_log(conn)]
    finally:
        engine.dispose()
    assert stored.startswith("$argon2id$") and "long enough secret" not in stored
    assert log == [("staff.disable", "li.gong"), ("staff.add", "li.gong")]


def test_ecard_issues_a_qr_card_a_kiosk_verifies_with_the_public_key(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``shufang central ecard``: only the central signs e-cards (#14); the first one makes
    the first key pair, whose public half is what kiosks receive."""
    from datetime import UTC, datetime, timedelta

    from kiosk import ecard
    from sync.central import catalog
    from sync.central.database import reading

    csv = tmp_path / "patrons.csv"
    csv.write_text("card_id,category\nP0001,adult\n", encoding="utf-8")
    assert shufang("central", "import", "patrons", str(csv), "--db", cli_db, "--create") == 0
    capsys.readouterr()
    png = tmp_path / "card.png"
    assert (
        shufang("central", "ecard", "P0001", "--days", "3", "--qr", str(png), "--db", cli_db) == 0
    )
    out = capsys.readouterr()
    token = out.out.strip()
    assert token.startswith("SF2.") and "valid until" in out.err
    assert png.read_bytes()[:4] == b"\x89PNG"
    engine = make_engine(cli_db)
    try:
        with reading(engine) as conn:
            public = {
                k.key_id: ecard.decode_key(k.public_key)
                for k in catalog.current_policy(conn).ecard_keys
            }
    finally:
        engine.dispose()
    card = ecard.verify(token, public, datetime.now(UTC))
    assert card.card_id == "P0001"
    assert timedelta(days=2) < card.expires_at - datetime.now(UTC) <= timedelta(days=3)
    assert shufang("central", "ecard", "NOBODY", "--db", cli_db) == 1
    assert "no patron" in capsys.readouterr().err
    assert shufang("central", "ecard", "P0001", "--days", "0", "--db", cli_db) == 2
