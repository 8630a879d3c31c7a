"""Book covers on the kiosk: what a catalog's cover reference may be, and the cover cache.

A catalog row names its cover by an http(s) URL or, in a kiosk's own CSV import, by a file
beside the import file (kept as a ``file://`` URI). The sync daemon fetches covers in the
background into a cache folder under the kiosk's data directory; the screen only ever reads
that folder, so a loan never waits on a download and covers keep showing offline.

Only real pictures are kept: the bytes must start like a JPEG, PNG, GIF or WebP file and fit
``max_file_bytes``; the folder as a whole is trimmed to ``max_bytes``, the least recently
used covers first (showing a cover refreshes its file's time). No network code lives here:
the fetching is ``sync/daemon/covers.py``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: Leading bytes of the picture formats Qt reads on every kiosk, by name.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
#: The longest reference kept: a real cover URL is far shorter; a longer one is junk.
MAX_REFERENCE_CHARS = 1000


class CoverProblem(ValueError):
    """A cover reference or picture that is refused, and why (no patron data in it)."""


def image_kind(data: bytes) -> str | None:
    """ "jpeg", "png", "gif" or "webp" when ``data`` starts like one; None otherwise."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def cover_reference(text: str, base_dir: Path | None = None) -> str:
    """The cover reference to store for a catalog cell: an http(s) URL as given, or a file
    path (relative to ``base_dir``, the import file's folder) as an absolute ``file://`` URI
    once the file is found to be a picture. "" stays "" (no cover)."""
    text = text.strip()
    if not text:
        return ""
    if len(text) > MAX_REFERENCE_CHARS:
        raise CoverProblem(f"cover is longer than {MAX_REFERENCE_CHARS} characters")
    scheme = urlsplit(text).scheme.lower()
    if scheme in ("http", "https"):
        if not urlsplit(text).hostname or any(ch.isspace() for ch in text):
            raise CoverProblem(f"cover {text!r} is not a usable web address")
        return text
    if scheme == "file":
        path = Path(unquote(urlsplit(text).path))
    elif len(scheme) > 1:  # "c:" is a Windows drive letter, not a scheme
        raise CoverProblem(f"cover {text!r}: only http(s) addresses or picture files")
    else:
        path = Path(text)
    if base_dir is None:
        raise CoverProblem("a cover file can only be given in a kiosk's own import")
    path = (base_dir / path).resolve()
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as error:
        raise CoverProblem(f"cover file {text!r} cannot be read: {error.strerror}") from None
    if image_kind(head) is None:
        raise CoverProblem(f"cover file {text!r} is not a JPEG, PNG, GIF or WebP picture")
    return path.as_uri()


def cache_folder_for(database: str | Path) -> Path:
    """The cover cache: a folder beside the kiosk database, in the kiosk's data directory."""
    return Path(database).resolve().parent / "covers"


def local_path(reference: str) -> Path | None:
    """The file of a ``file://`` reference; None for a web address."""
    parts = urlsplit(reference)
    return Path(unquote(parts.path)) if parts.scheme == "file" else None


@dataclass(frozen=True, slots=True)
class CoverCache:
    """A folder of cover pictures named by a hash of their reference.

    ``max_file_bytes`` refuses one oversized picture; ``max_bytes`` caps the folder, trimmed
    least recently used first. Writes go to a temporary file renamed into place, so the
    screen never reads half a picture.
    """

    folder: Path
    max_bytes: int = 64 * 1024 * 1024
    max_file_bytes: int = 2 * 1024 * 1024

    @staticmethod
    def name_for(reference: str) -> str:
        return hashlib.sha256(reference.encode()).hexdigest()[:40] + ".img"

    def path_for(self, reference: str) -> Path:
        return self.folder / self.name_for(reference)

    def cached(self, reference: str) -> Path | None:
        """The cached picture of ``reference``, or None (no cover, not fetched yet)."""
        if not reference:
            return None
        path = self.path_for(reference)
        return path if path.is_file() else None

    def touch(self, path: Path) -> None:
        """Mark a picture as just used, so trimming keeps it longest."""
        # trimmed meanwhile, or a read-only folder: the picture still shows
        with contextlib.suppress(OSError):
            os.utime(path)

    def check(self, data: bytes) -> str:
        """The picture's kind, or CoverProblem saying why these bytes are refused."""
        if not data:
            raise CoverProblem("empty")
        if len(data) > self.max_file_bytes:
            raise CoverProblem(f"larger than {self.max_file_bytes} bytes")
        kind = image_kind(data)
        if kind is None:
            raise CoverProblem("not a JPEG, PNG, GIF or WebP picture")
        return kind

    def store(self, reference: str, data: bytes) -> Path:
        """Keep ``data`` as the cover of ``reference`` (checked first), then trim the folder."""
        self.check(data)
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path_for(reference)
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.trim(keep=target)
        return target

    def copy_local(self, reference: str) -> Path:
        """A ``file://`` cover: read from its file (checked like a download) into the cache."""
        path = local_path(reference)
        if path is None:
            raise CoverProblem("not a file reference")
        try:
            size = path.stat().st_size
            if size > self.max_file_bytes:
                raise CoverProblem(f"larger than {self.max_file_bytes} bytes")
            data = path.read_bytes()
        except OSError as error:
            raise CoverProblem(f"cannot be read: {error.strerror}") from None
        return self.store(reference, data)

    def trim(self, keep: Path | None = None) -> list[Path]:
        """Remove the least recently used pictures until the folder fits ``max_bytes``
        (``keep``, the one just stored, goes last of all); also leftover ``.part`` files."""
        entries = []
        for path in self.folder.glob("*"):
            try:
                stat = path.stat()
            except OSError:
                continue
            if path.suffix == ".part":
                if stat.st_mtime < time.time() - 60:  # a writer's, unless left by a crash
                    path.unlink(missing_ok=True)
                continue
            entries.append((path == keep, stat.st_mtime, path, stat.st_size))
        total = sum(size for *_, size in entries)
        removed = []
        for _kept, _mtime, path, size in sorted(entries, key=lambda e: (e[0], e[1])):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
            removed.append(path)
        return removed
