"""Covers in a kiosk's own catalog import (issue #13): an http(s) URL or a picture file beside
the CSV; what is refused, and how the reference is kept in the kiosk database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.covers import (
    CoverCache,
    CoverProblem,
    cache_folder_for,
    cover_reference,
    image_kind,
    local_path,
)
from kiosk.importer import read_catalog
from kiosk.models import Item
from kiosk.store import Store
from kiosk.store.rows import item_row_from_record

# The first bytes of each format, from the formats' own specifications: JPEG SOI + APP0
# (ITU-T T.81 / JFIF), the PNG signature (RFC 2083 §3.1), GIF89a (GIF89a spec §17), and the
# RIFF/WEBP header (RFC 9649 §2.5).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 50
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 50
GIF = b"GIF89a" + b"\x00" * 50
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 50


def test_picture_kinds_are_told_by_their_first_bytes() -> None:
    assert [image_kind(b) for b in (JPEG, PNG, GIF, WEBP)] == ["jpeg", "png", "gif", "webp"]
    assert image_kind(b"<!doctype html><html>") is None
    assert image_kind(b"%PDF-1.7") is None
    assert image_kind(b"RIFF\x24\x00\x00\x00WAVEfmt ") is None  # a WAV is RIFF too


def test_a_web_address_is_kept_as_given() -> None:
    url = "https://img.example.org/covers/9787536692930.jpg?size=M"
    assert cover_reference(url) == url
    assert cover_reference("  ") == ""


@pytest.mark.parametrize(
    "text",
    [
        "ftp://example.org/a.jpg",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "https:///no-host.jpg",
        "https://example.org/a b.jpg",
        "https://example.org/" + "a" * 1000,
    ],
)
def test_other_references_are_refused(text: str) -> None:
    with pytest.raises(CoverProblem):
        cover_reference(text, Path("/tmp"))


def test_a_file_beside_the_import_becomes_a_file_uri(tmp_path: Path) -> None:
    (tmp_path / "covers").mkdir()
    (tmp_path / "covers" / "三体.jpg").write_bytes(JPEG)
    reference = cover_reference("covers/三体.jpg", tmp_path)
    assert reference.startswith("file:///")
    assert local_path(reference) == tmp_path / "covers" / "三体.jpg"
    with pytest.raises(CoverProblem, match="kiosk's own import"):
        cover_reference("covers/三体.jpg")  # the central: no folder to look in


def test_a_file_that_is_missing_or_not_a_picture_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.jpg").write_text("not a picture")
    with pytest.raises(CoverProblem, match="cannot be read"):
        cover_reference("gone.jpg", tmp_path)
    with pytest.raises(CoverProblem, match="not a JPEG"):
        cover_reference("notes.jpg", tmp_path)


def test_the_catalog_import_reads_the_cover_column(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(PNG)
    text = (
        "pii,title,cover\n"
        "100001,三体,https://img.example.org/1.jpg\n"
        "100002,活着,a.png\n"
        "100003,围城,\n"
        "100004,红楼梦,missing.png\n"
    )
    report = read_catalog(text, tmp_path)
    assert report.rejected == [
        (5, "cover file 'missing.png' cannot be read: No such file or directory")
    ]
    assert [i.cover for i in report.accepted] == [
        "https://img.example.org/1.jpg",
        (tmp_path / "a.png").as_uri(),
        "",
    ]


def test_shufang_import_keeps_covers_in_the_kiosk_database(tmp_path: Path) -> None:
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "b.gif").write_bytes(GIF)
    csv = tmp_path / "catalog.csv"
    csv.write_text("pii,title,cover\nB1,Book one,pics/b.gif\nB2,Book two,https://x.example/2.png\n")
    db = tmp_path / "kiosk.db"
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[database]\npath = "{db}"\n')
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "import", "catalog", str(csv), "--config", str(config)],
        capture_output=True,
        text=True,
        cwd="/",  # the cover path is relative to the CSV, not to where the command runs
    )
    assert done.returncode == 0, done.stderr
    assert "cached 1 cover file(s)" in done.stdout
    cached = CoverCache(cache_folder_for(db)).cached((tmp_path / "pics" / "b.gif").as_uri())
    assert cached is not None and cached.read_bytes() == GIF  # shown even with no sync running
    store = Store(db)
    assert store.items.get("B1").cover == (tmp_path / "pics" / "b.gif").as_uri()
    assert store.items.get("B2").cover == "https://x.example/2.png"


def test_a_replicated_record_without_a_cover_keeps_the_stored_one(tmp_path: Path) -> None:
    store = Store(tmp_path / "kiosk.db")
    store.items.upsert([Item("C1", "Cover kept", cover="https://x.example/c1.jpg")])
    # a rotation's move (no cover member) and an older central's record (null)
    store.items.replicate_records(
        [item_row_from_record({"pii": "C1", "title": "Cover kept", "branch": "east"})]
    )
    assert store.items.get("C1").cover == "https://x.example/c1.jpg"
    assert store.items.get("C1").branch == "east"
    store.items.replicate_records([item_row_from_record({"pii": "C1", "title": "x", "cover": ""})])
    assert store.items.get("C1").cover == ""  # "" says: no cover any more
    store.items.replicate_records([item_row_from_record({"pii": "C2", "title": "new"})])
    assert store.items.get("C2").cover == ""
