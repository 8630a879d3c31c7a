"""Writes the two derived sample files of this folder (run from the repository root:
``python tests/data/marc/make_samples.py``). See README.md for what they are and why.

The ISO 2709 framing is written out by hand here (leader, directory, 0x1E/0x1F/0x1D), not
with pymarc, so the importer's reading is checked against bytes pymarc did not produce.
"""

from __future__ import annotations

from pathlib import Path

import pymarc

HERE = Path(__file__).resolve().parent
FT, SF, RT = b"\x1e", b"\x1f", b"\x1d"


def iso2709(fields: list[tuple[str, bytes]], leader_tail: bytes = b"nam0 22") -> bytes:
    directory, body = b"", b""
    for tag, data in fields:
        data += FT
        directory += tag.encode() + b"%04d%05d" % (len(data), len(body))
        body += data
    base = 24 + len(directory) + 1
    length = base + len(body) + 1
    leader = b"%05d" % length + leader_tail + b"%05d" % base + b"   450 "
    assert len(leader) == 24
    return leader + directory + FT + body + RT


def datafield(ind: bytes, *subfields: tuple[str, str], encoding: str) -> bytes:
    return ind + b"".join(SF + code.encode() + value.encode(encoding) for code, value in subfields)


def cnmarc_gbk() -> bytes:
    """Two Chinese books with holdings and one record without, in GBK as Chinese systems
    export CNMARC (leader position 9 blank)."""
    gbk = "gbk"
    books = [
        ("012000001", "978-7-5366-9293-0", "三体", "刘慈欣", "I247.55", "1043",
         [("朝阳城市书房", "31010000001"), ("望京城市书房", "31010000002")]),
        ("012000002", "978-7-02-000220-7", "红楼梦", "曹雪芹", "I242.4", "C111",
         [("朝阳城市书房", "31010000003")]),
        ("012000003", "978-7-101-00358-8", "乡土中国", "费孝通", "C912.82", "F325", []),
    ]  # fmt: skip
    out = b""
    for control, isbn, title, author, clc, book_no, holdings in books:
        fields = [
            ("001", control.encode()),
            ("010", datafield(b"  ", ("a", isbn), encoding=gbk)),
            ("200", datafield(b"1 ", ("a", title), ("f", author), encoding=gbk)),
            ("690", datafield(b"  ", ("a", clc), ("v", "5"), encoding=gbk)),
            ("701", datafield(b" 0", ("a", author), ("4", "著"), encoding=gbk)),
        ]
        for library, barcode in holdings:
            fields.append(
                (
                    "905",
                    datafield(
                        b"  ",
                        ("a", library),
                        ("b", barcode),
                        ("d", clc),
                        ("e", book_no),
                        encoding=gbk,
                    ),
                )
            )
        out += iso2709(fields)
    return out


def marc21_with_koha_holdings() -> bytes:
    """pymarc's real MARC 21 record (utf8_with_leader_flag.dat) with two Koha 952 holdings
    added, as Koha's export writes them ($a home branch, $o call number, $p barcode)."""
    data = (HERE / "pymarc-utf8_with_leader_flag.dat").read_bytes()
    record = next(iter(pymarc.MARCReader(data)))
    for barcode in ("39074500724638", "39074500724639"):
        record.add_field(
            pymarc.Field(
                tag="952",
                indicators=pymarc.Indicators(" ", " "),
                subfields=[
                    pymarc.Subfield("a", "MAIN"),
                    pymarc.Subfield("o", "BF575.L7 T68 1962"),
                    pymarc.Subfield("p", barcode),
                ],
            )
        )
    return record.as_marc()


if __name__ == "__main__":
    (HERE / "cnmarc-gbk-sample.iso").write_bytes(cnmarc_gbk())
    (HERE / "marc21-koha-holdings.mrc").write_bytes(marc21_with_koha_holdings())
