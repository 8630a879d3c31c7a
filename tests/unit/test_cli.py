"""The `shufang` command: help everywhere, imports all-or-nothing, loans, db check, cards."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import ecard
from kiosk.cli import build_parser, main
from kiosk.store import Store

ROOT = Path(__file__).resolve().parents[2]


def walk(parser: argparse.ArgumentParser, path=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                yield (*path, name), helps.get(name), sub
                yield from walk(sub, (*path, name))


def test_every_subcommand_and_option_has_help():
    commands = list(walk(build_parser()))
    assert {"demo", "config", "db", "import", "loans", "card"} <= {c[0][0] for c in commands}
    for path, help_text, sub in commands:
        assert help_text, f"shufang {' '.join(path)} has no help"
        for action in sub._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, f"{' '.join(path)} {action.option_strings} has no help"


def test_console_script_help_lists_commands():
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for name in ("demo", "config", "db", "import", "loans", "card"):
        assert name in out


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_catalog_import_with_one_bad_row_imports_nothing(tmp_path, capsys):
    db = tmp_path / "k.db"
    csv = write(tmp_path / "c.csv", "pii,title,set_size\n1,Emma,1\n2,,1\n3,三体,zero\n3,Dup,1\n")
    assert main(["import", "catalog", str(csv), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"{csv}:3: rejected: title is empty" in err
    assert f"{csv}:4: rejected: set_size 'zero' is not a whole number" in err
    assert "nothing imported" in err
    assert not db.exists() or Store(db).counts()["items"] == 0


def test_catalog_import_reports_duplicates_and_missing_columns(tmp_path, capsys):
    db = str(tmp_path / "k.db")
    csv = write(tmp_path / "c.csv", "pii,title\n1,A\n1,B\n")
    assert main(["import", "catalog", str(csv), "--db", db]) == 1
    assert ":3: rejected: duplicate of line 2" in capsys.readouterr().err
    csv = write(tmp_path / "d.csv", "barcode,name\n1,A\n")
    assert main(["import", "catalog", str(csv), "--db", db]) == 1
    assert "header lacks column(s): pii, title" in capsys.readouterr().err


def test_good_imports_land_and_keep_only_initials(tmp_path, capsys):
    db = tmp_path / "k.db"
    write(
        tmp_path / "c.csv",
        "pii,title,author,item_class,set_size\n100,三体,刘慈欣,book,1\n101,英语 + CD,,book,2\n",
    )
    write(
        tmp_path / "p.csv",
        "card_id,name,category,pin,expires_on,blocks\n"
        "P1,王小明,adult,1234,2027-01-31,\nP2,Jane Smith,child,,,manual;debt\n",
    )
    assert main(["import", "catalog", str(tmp_path / "c.csv"), "--db", str(db)]) == 0
    assert main(["import", "patrons", str(tmp_path / "p.csv"), "--db", str(db)]) == 0
    store = Store(db)
    assert store.items.get("101").set_size == 2
    p1, p2 = store.patrons.get("P1"), store.patrons.get("P2")
    assert p1.initials == "王**" and p2.initials == "J.S."
    assert p1.pin_hash.startswith("scrypt$") and "1234" not in p1.pin_hash
    assert p2.blocks == ("manual", "debt") and p2.pin_hash is None
    assert "王小明" not in db.read_bytes().decode("utf-8", "replace")


def test_patron_import_rejects_bad_pin_and_date(tmp_path, capsys):
    csv = write(
        tmp_path / "p.csv",
        "card_id,pin,expires_on,card_kind\nP1,12,,\nP2,,31/12/2027,\nP3,,,smoke\n",
    )
    assert main(["import", "patrons", str(csv), "--db", str(tmp_path / "k.db")]) == 1
    err = capsys.readouterr().err
    assert ":2: rejected: pin must be 4 to 12 digits" in err
    assert ":3: rejected: expires_on '31/12/2027'" in err
    assert ":4: rejected: card_kind 'smoke'" in err


def test_loans_and_db_check(tmp_path, capsys):
    db = tmp_path / "kiosk.db"
    assert main(["demo", "--dir", str(tmp_path), "--core-only"]) == 0
    capsys.readouterr()
    assert main(["loans", "--patron", "P0001", "--db", str(db), "--json"]) == 0
    loans = json.loads(capsys.readouterr().out)
    assert {row["title"] for row in loans} >= {"新概念英语（书 + CD）"}
    assert main(["db", "check", "--db", str(db), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["problems"] == [] and report["pending_outbox"] > 0
    assert main(["loans", "--patron", "NOBODY", "--db", str(db)]) == 1


def test_db_check_never_creates_the_database_it_checks(tmp_path, capsys):
    """Issue #15: `shufang db check` with no config created /var/lib/shufang/kiosk.db and
    then failed with "no such table"."""
    missing = tmp_path / "var" / "lib" / "shufang" / "kiosk.db"
    assert main(["db", "check", "--db", str(missing)]) == 1
    assert "no kiosk database at" in capsys.readouterr().err
    assert not missing.exists() and not missing.parent.exists()


def test_db_check_on_a_corrupt_file_fails_clearly(tmp_path, capsys):
    junk = write(tmp_path / "k.db", "garbage" * 500)
    assert main(["db", "check", "--db", str(junk)]) == 1
    assert "database check failed" in capsys.readouterr().err


def test_card_qr_on_a_kiosk_no_longer_mints_and_names_the_central_command(tmp_path, capsys):
    """A kiosk holds e-card public keys only (#14): it says where e-cards come from."""
    key = ecard.encode_key(ecard.public_key_of(b"s" * 32))
    config = write(tmp_path / "k.toml", f'[ecard]\nkeys = {{ k1 = "{key}" }}\n')
    png = tmp_path / "qr.png"
    assert main(["card", "qr", "P0001", "--config", str(config), "--png", str(png)]) == 2
    captured = capsys.readouterr()
    assert "shufang central ecard" in captured.err and captured.out == ""
    assert not png.exists()


def test_card_check_verifies_with_the_kiosks_public_keys(tmp_path, capsys):
    """A technician asks why a reader's e-card is refused: the kiosk checks it with what
    it holds, public keys only."""
    from datetime import UTC, datetime, timedelta

    seed = b"s" * 32  # the central's; the kiosk's config has the public half
    key = ecard.encode_key(ecard.public_key_of(seed))
    config = write(
        tmp_path / "k.toml",
        f'[database]\npath = "{tmp_path / "k.db"}"\n[ecard]\nkeys = {{ k1 = "{key}" }}\n',
    )
    good = ecard.sign("P0001", "k1", seed, datetime.now(UTC) + timedelta(days=2))
    assert main(["card", "check", good, "--config", str(config)]) == 0
    assert "accepted: card P0001, key k1" in capsys.readouterr().out
    old = datetime.now(UTC) - timedelta(days=1)
    assert main(["card", "check", ecard.sign("P1", "k1", seed, old), "--config", str(config)]) == 1
    assert "refused: e-card has expired" in capsys.readouterr().err
    sf1 = "SF1.k1.UDAwMDE.1893456000.c2lnbmF0dXJl"
    assert main(["card", "check", sf1, "--config", str(config)]) == 1
    assert "SF1" in capsys.readouterr().err


def test_bad_config_is_reported_by_every_command(tmp_path, capsys):
    config = write(tmp_path / "k.toml", "[ui]\nsounds = 3\n")
    assert main(["loans", "--patron", "P1", "--config", str(config)]) == 2
    assert "line 2: ui.sounds" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_runs_as_a_console_script(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "demo", "--headless", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "wait-for-text 网络中断期间每人最多借 3 本" in result.stdout  # offline limit shown
    assert '"integrity_ok": true' in result.stdout
    assert len(list((tmp_path / "screenshots").glob("*.png"))) == 10


def test_an_excel_gbk_csv_with_crlf_imports_and_a_broken_one_is_refused(tmp_path, capsys):
    """Excel on a zh-CN Windows saves "CSV" as GBK with CRLF; 红楼梦 is BA EC C2 A5 C3 CE there."""
    db = str(tmp_path / "k.db")
    gbk = tmp_path / "catalog.csv"
    gbk.write_bytes(b"pii,title\r\n3101,\xba\xec\xc2\xa5\xc3\xce\r\n3102,\x95\x32\x82\x36\r\n")
    assert main(["import", "catalog", str(gbk), "--db", db]) == 0
    assert "(read as GB18030)" in capsys.readouterr().out
    store = Store(db)
    assert (
        store.items.get("3101").title == "红楼梦" and store.items.get("3102").title == "\U00020000"
    )
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"pii,title\r\n3201,ok\r\n3202,\xff\xfe bad\r\n")
    assert main(["import", "catalog", str(broken), "--db", db]) == 2
    err = capsys.readouterr().err
    assert f"{broken}:3: nothing imported" in err and "ff fe" in err
    assert Store(db).items.get("3201") is None
