"""The cover cache's own rules (issue #13): only pictures, a size cap per picture and for the
folder, least recently used trimmed first, never half a file."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kiosk.covers import CoverCache, CoverProblem, cache_folder_for

# A JPEG's SOI + APP0 marker (ITU-T T.81 / JFIF 1.02) and the PNG signature (RFC 2083 §3.1).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PNG = b"\x89PNG\r\n\x1a\n"


def picture(size: int, head: bytes = JPEG) -> bytes:
    return head + b"\x00" * (size - len(head))


def test_the_cache_lives_beside_the_kiosk_database(tmp_path: Path) -> None:
    assert cache_folder_for(tmp_path / "data" / "kiosk.db") == tmp_path / "data" / "covers"


def test_a_stored_picture_is_found_by_its_reference(tmp_path: Path) -> None:
    cache = CoverCache(tmp_path / "covers")
    assert cache.cached("https://x.example/a.jpg") is None
    path = cache.store("https://x.example/a.jpg", picture(1000))
    assert cache.cached("https://x.example/a.jpg") == path
    assert path.read_bytes()[:3] == b"\xff\xd8\xff"
    assert cache.cached("https://x.example/b.jpg") is None
    assert cache.cached("") is None
    assert not list(cache.folder.glob("*.part"))


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "empty"),
        (b"<html><body>Not found</body></html>", "not a JPEG"),
        (picture(3000), "larger than 2048 bytes"),
    ],
)
def test_what_is_not_a_picture_or_too_big_is_refused(tmp_path: Path, data: bytes, why: str) -> None:
    cache = CoverCache(tmp_path, max_file_bytes=2048)
    with pytest.raises(CoverProblem, match=why):
        cache.store("https://x.example/a.jpg", data)
    assert list(tmp_path.iterdir()) == []


def test_the_folder_is_trimmed_least_recently_used_first(tmp_path: Path) -> None:
    cache = CoverCache(tmp_path, max_bytes=3000, max_file_bytes=1000)
    old = time.time() - 1000
    for n, name in enumerate(("a", "b", "c")):
        path = cache.store(f"https://x.example/{name}.jpg", picture(1000))
        os.utime(path, (old + n, old + n))  # a first, then b, then c
    cache.touch(cache.path_for("https://x.example/a.jpg"))  # a shown just now
    cache.store("https://x.example/d.png", picture(1000, PNG))
    kept = {name for name in "abcd" if cache.cached(f"https://x.example/{name}.jpg")}
    assert cache.cached("https://x.example/d.png") is not None
    assert kept == {"a", "c"}  # b was the least recently used
    assert sum(p.stat().st_size for p in tmp_path.iterdir()) <= 3000


def test_the_picture_just_stored_goes_last_and_only_if_alone_over_the_cap(tmp_path: Path) -> None:
    cache = CoverCache(tmp_path, max_bytes=500, max_file_bytes=1000)
    cache.store("https://x.example/a.jpg", picture(400))
    cache.store("https://x.example/b.jpg", picture(800))
    assert cache.cached("https://x.example/a.jpg") is None
    assert cache.cached("https://x.example/b.jpg") is None  # over the cap on its own: gone too
    cache.store("https://x.example/c.jpg", picture(450))
    assert cache.cached("https://x.example/c.jpg") is not None


def test_a_crashed_writers_partial_file_is_cleared_but_a_live_one_is_not(tmp_path: Path) -> None:
    cache = CoverCache(tmp_path)
    stale = tmp_path / "x.part"
    stale.write_bytes(b"half")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    live = tmp_path / "y.part"
    live.write_bytes(b"being written")
    cache.trim()
    assert not stale.exists() and live.exists()


def test_a_local_cover_file_is_copied_in(tmp_path: Path) -> None:
    source = tmp_path / "src.png"
    source.write_bytes(picture(500, PNG))
    cache = CoverCache(tmp_path / "covers", max_file_bytes=1000)
    cache.copy_local(source.as_uri())
    assert cache.cached(source.as_uri()).read_bytes() == source.read_bytes()
    source.write_bytes(picture(2000, PNG))
    with pytest.raises(CoverProblem, match="larger than"):
        cache.copy_local(source.as_uri())
    with pytest.raises(CoverProblem, match="cannot be read"):
        cache.copy_local((tmp_path / "gone.png").as_uri())
