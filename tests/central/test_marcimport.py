"""Catalog imports from MARC exports, against records other projects published (pymarc's test
data: a real UNIMARC record from ICCU, a real MARC 21 record, real MARCXML) and a CNMARC file
in GBK; see tests/data/marc/README.md for each file's source. Expected values are read by
eye from the records, not produced by our code."""

from __future__ import annotations

from pathlib import Path

import pymarc
import pytest

from sync.central import marcimport
from sync.central.schema import items
from tests.central.test_cli import cli_db, rows, shufang

__all__ = ["cli_db"]  # the fixture, shared with the CLI tests

DATA = Path(__file__).resolve().parents[1] / "data" / "marc"


def bibliographic(name: str) -> list[tuple[str, str, str]]:
    """(title, author, ISBN) of each record, mapped with a made-up holding added so the
    bibliographic fields show even in records that carry no holdings."""
    out = []
    for _, record in marcimport._binary_records((DATA / name).read_bytes()):
        assert not isinstance(record, marcimport.Rejected), record
        marc21 = bool(record.get_fields("245"))
        record.add_field(
            pymarc.Field(
                tag="952" if marc21 else "995",
                indicators=pymarc.Indicators(" ", " "),
                subfields=[pymarc.Subfield("p" if marc21 else "f", "X1")],
            )
        )
        [item] = marcimport._marc21(record) if marc21 else marcimport._unimarc(record)
        out.append((item.record.title, item.record.author, item.isbn))
    return out


def test_a_real_unimarc_record_from_iccu() -> None:
    # 200 $a carries non-sorting markers around "L'"; 700 $a Asimov $b , Isaac; 010 $a 88-04-40682-8
    assert bibliographic("pymarc-testunimarc.dat") == [
        ("L'altra faccia della spirale", "Asimov, Isaac", "8804406828")
    ]
    found = marcimport.read_marc(DATA / "pymarc-testunimarc.dat")
    assert found.records == 1 and found.without_holdings == 1 and not found.items


def test_a_real_marc21_record_with_koha_holdings() -> None:
    found = marcimport.read_marc(DATA / "marc21-koha-holdings.mrc")
    assert [(i.record.pii, i.record.branch, i.record.call_number) for i in found.items] == [
        ("39074500724638", "MAIN", "BF575.L7 T68 1962"),
        ("39074500724639", "MAIN", "BF575.L7 T68 1962"),
    ]
    first = found.items[0]
    assert first.record.title == "Escape from loneliness"  # 245 $a "Escape from loneliness /"
    assert first.record.author == "Tournier, Paul"
    assert first.clc == ""  # a Library of Congress call number is not a 中图法 class


def test_real_marcxml_records_are_read() -> None:
    found = marcimport.read_marc(DATA / "pymarc-batch.xml")
    assert found.records == 2 and found.without_holdings == 2 and not found.rejected


def test_cnmarc_in_gbk_gives_one_item_per_905_barcode() -> None:
    found = marcimport.read_marc(DATA / "cnmarc-gbk-sample.iso")
    assert found.records == 3 and found.without_holdings == 1 and not found.rejected
    got = {
        i.record.pii: (i.record.title, i.record.author, i.record.call_number, i.record.branch,
                       i.isbn, i.clc)
        for i in found.items
    }  # fmt: skip
    assert got == {
        "31010000001": (
            "三体",
            "刘慈欣",
            "I247.55/1043",
            "朝阳城市书房",
            "9787536692930",
            "I247.55",
        ),
        "31010000002": (
            "三体",
            "刘慈欣",
            "I247.55/1043",
            "望京城市书房",
            "9787536692930",
            "I247.55",
        ),
        "31010000003": (
            "红楼梦",
            "曹雪芹",
            "I242.4/C111",
            "朝阳城市书房",
            "9787020002207",
            "I242.4",
        ),
    }


def test_the_command_imports_a_marc_file_and_refuses_a_broken_one(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = DATA / "cnmarc-gbk-sample.iso"
    assert shufang("central", "import", "catalog", str(source), "--db", cli_db, "--create") == 0
    err = capsys.readouterr().err
    assert "3 MARC record(s), 3 item(s) with a barcode, 1 record(s) without holdings" in err
    stored = {r.pii: r for r in rows(cli_db, items)}
    assert stored["31010000003"].title == "红楼梦" and stored["31010000001"].author == "刘慈欣"
    assert (stored["31010000001"].isbn, stored["31010000001"].clc_class) == (
        "9787536692930",
        "I247.55",
    )
    assert (stored["31010000003"].isbn, stored["31010000003"].clc_class) == (
        "9787020002207",
        "I242.4",
    )
    broken = tmp_path / "broken.mrc"
    data = (DATA / "marc21-koha-holdings.mrc").read_bytes()
    broken.write_bytes(source.read_bytes() + b"00099nam  22000xx   4500garbage\x1d" + data[:200])
    assert shufang("central", "import", "catalog", str(broken), "--db", cli_db) == 1
    err = capsys.readouterr().err
    assert "broken.mrc:4: " in err and "nothing imported" in err
    assert len(rows(cli_db, items)) == 3
