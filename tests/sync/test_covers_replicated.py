"""Covers from the central's catalog imports to a kiosk's database (issue #13).

MARC facts from the MARC 21 Bibliographic format, field 856 Electronic Location and Access
(loc.gov/marc/bibliographic/bd856.html): first indicator 4 = HTTP, second indicator 2 =
related resource, $3 materials specified, $q electronic format type, $u URI, $z public
note; LC's BEAT enrichment writes "856 42 $3 Table of contents only" and publisher records
"$3 Cover image". UNIMARC (and CNMARC, which follows it) has 856 with the same $u and $q.
"""

from __future__ import annotations

from pathlib import Path

import pymarc
import sqlalchemy as sa

from sync import wire
from sync.central import catalog, csvimport, marcimport, staff_wire
from sync.central.database import writing
from sync.central.schema import items
from tests.fixtures.central import Central
from tests.sync.kiosks import Kiosk


def _record(title_tag: str, *links: list[tuple[str, str]]) -> pymarc.Record:
    record = pymarc.Record(force_utf8=True)
    title = pymarc.Field(
        tag=title_tag,
        indicators=pymarc.Indicators("1", "0"),
        subfields=[pymarc.Subfield("a", "三体")],
    )
    holding = (
        pymarc.Field(tag="952", indicators=pymarc.Indicators(" ", " "),
                     subfields=[pymarc.Subfield("p", "M1")])
        if title_tag == "245"
        else pymarc.Field(tag="995", indicators=pymarc.Indicators(" ", " "),
                          subfields=[pymarc.Subfield("f", "M1")])
    )  # fmt: skip
    record.add_field(title, holding)
    for subfields in links:
        record.add_field(
            pymarc.Field(
                tag="856",
                indicators=pymarc.Indicators("4", "2"),
                subfields=[pymarc.Subfield(code, value) for code, value in subfields],
            )
        )
    return record


def _cover(record: pymarc.Record) -> str | None:
    reader = marcimport._marc21 if record.get_fields("245") else marcimport._unimarc
    [item] = reader(record)
    return item.record.cover


def test_marc_856_names_the_cover_where_real_records_carry_it() -> None:
    toc = [("3", "Table of contents only"), ("u", "http://www.loc.gov/catdir/toc/ecip0715/1.html")]
    said = [("3", "Cover image"), ("u", "https://covers.example.org/c/1?id=7")]
    typed = [("q", "image/jpeg"), ("u", "https://covers.example.org/c/2")]
    named = [("u", "http://img.example.cn/cover/9787536692930.JPG")]
    chinese = [("u", "https://img.example.cn/x"), ("z", "封面")]
    assert _cover(_record("245", toc)) is None  # a link, not a picture: says nothing
    assert _cover(_record("245", toc, said)) == "https://covers.example.org/c/1?id=7"
    assert _cover(_record("245", typed)) == "https://covers.example.org/c/2"
    assert _cover(_record("200", named)) == "http://img.example.cn/cover/9787536692930.JPG"
    assert _cover(_record("200", chinese)) == "https://img.example.cn/x"
    assert _cover(_record("245", [("3", "Cover image"), ("u", "ftp://x.example/c.jpg")])) is None


def test_a_marc_file_with_a_cover_link_imports_it(tmp_path: Path) -> None:
    path = tmp_path / "export.mrc"
    said = [("3", "Cover image"), ("u", "https://covers.example.org/c/1.jpg")]
    path.write_bytes(_record("245", said).as_marc())
    found = marcimport.read_marc(path)
    assert [i.record.cover for i in found.items] == ["https://covers.example.org/c/1.jpg"]


def test_the_central_csv_takes_web_covers_and_refuses_files(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text(
        "pii,title,cover\nA,One,https://x.example/a.jpg\nB,Two,\nC,Three,covers/c.jpg\n"
    )
    parsed = csvimport.read_items(path)
    assert [(r.pii, r.cover) for r in parsed.records] == [
        ("A", "https://x.example/a.jpg"),
        ("B", ""),
    ]
    assert [(r.line, r.reason) for r in parsed.rejected] == [
        (4, "a cover file can only be given in a kiosk's own import")
    ]
    plain = tmp_path / "plain.csv"
    plain.write_text("pii,title\nA,One\n")
    assert [r.cover for r in csvimport.read_items(plain).records] == [None]


def _upsert(central: Central, *records: wire.ItemRecord) -> staff_wire.UpsertResult:
    with writing(central.engine) as conn:
        return catalog.upsert_items(conn, list(records), central.clock.now())


def test_covers_reach_the_kiosk_and_a_record_without_one_keeps_it(
    kiosk: Kiosk, central: Central
) -> None:
    url = "https://covers.example.org/I1.jpg"
    assert _upsert(central, wire.ItemRecord(pii="I1", title="Book 1", cover=url)).updated == 1
    assert kiosk.sync().ok
    assert kiosk.store.items.get("I1").cover == url
    # the same import again sends nothing; a new cover is sent
    assert _upsert(central, wire.ItemRecord(pii="I1", title="Book 1", cover=url)).updated == 0
    other = "https://covers.example.org/I1-b.jpg"
    assert _upsert(central, wire.ItemRecord(pii="I1", title="Book 1", cover=other)).updated == 1
    # a change that says nothing of the cover (a rotation's move) leaves the kiosk's
    assert _upsert(central, wire.ItemRecord(pii="I1", title="Book 1", branch="east")).updated == 1
    assert kiosk.sync().ok
    assert kiosk.store.items.get("I1").cover == other
    assert kiosk.store.items.get("I1").branch == "east"
    # the central keeps the cover on the item (step 4), so a re-import compares it there
    # instead of searching the change log
    with central.engine.connect() as conn:
        stored = conn.execute(sa.select(items.c.cover).where(items.c.pii == "I1")).scalar_one()
    assert stored == other
    # "" takes it away
    assert _upsert(central, wire.ItemRecord(pii="I1", title="Book 1", branch="east", cover=""))
    assert kiosk.sync().ok
    assert kiosk.store.items.get("I1").cover == ""
