"""The sync daemon's cover fetcher: downloads the catalog's cover pictures into the cache.

It runs on its own thread in the daemon process, so a slow picture server never holds up a
push of loans, and the kiosk's screen never waits on it: the screen shows what the cache
holds, and a placeholder otherwise. Hostile or broken servers are cut short — a reply that
is not ``image/*``, a picture larger than the cache allows (by Content-Length or by what
arrives), a download still going at its deadline (a slow-loris server is cut by closing the
socket from a timer), more than ``max_redirects`` redirects (a loop), anything but http(s).
Each refusal is logged with its reason (a catalog URL, never a reader's data) and the URL is
not tried again for ``retry_after_s``.

http.client rather than requests: the socket has to be at hand for the deadline to close it.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from kiosk.covers import CoverCache, CoverProblem, cache_folder_for, local_path
from kiosk.store.state import CURSOR_KEY

log = logging.getLogger(__name__)

USER_AGENT = "shufang-kiosk cover fetcher"


@dataclass
class FetchReport:
    stored: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # reference → why


def _read_only(database: str | Path, sql: str) -> list[tuple[str]]:
    """Rows of ``sql`` on a read-only connection of the calling thread's own: the fetcher
    writes nothing to the kiosk database, so it never waits on or blocks a loan."""
    uri = f"{Path(database).resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=5)
        try:
            return list(conn.execute(sql))
        finally:
            conn.close()
    except sqlite3.Error:  # not there or not migrated yet (no cover column): nothing to do
        return []


def cover_references(database: str | Path) -> list[str]:
    """The covers the catalog names."""
    return [r[0] for r in _read_only(database, "SELECT DISTINCT cover FROM items WHERE cover > ''")]


def catalog_cursor(database: str | Path) -> str:
    """Where the last pull of the central's changes ended: new catalog rows move it."""
    found = _read_only(database, f"SELECT value FROM state WHERE key = '{CURSOR_KEY.name}'")
    return found[0][0] if found else ""


class CoverFetcher:
    """Fills ``cache`` with the pictures ``references()`` names, a round at a time."""

    def __init__(
        self,
        cache: CoverCache,
        references: Callable[[], list[str]],
        *,
        connect_timeout_s: float = 5.0,
        deadline_s: float = 20.0,
        max_redirects: int = 3,
        retry_after_s: float = 3600.0,
        interval_s: float = 900.0,
        poll_s: float = 30.0,
        probe: Callable[[], object] = lambda: None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cache = cache
        self.references = references
        self.connect_timeout_s = connect_timeout_s
        self.deadline_s = deadline_s
        self.max_redirects = max_redirects
        self.retry_after_s = retry_after_s
        self.interval_s = interval_s
        self.poll_s = poll_s
        self.probe = probe
        self.monotonic = monotonic
        self._failed: dict[str, float] = {}  # reference → when it was last refused
        self._woken = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_database(cls, database: str | Path) -> CoverFetcher:
        """The fetcher ``shufang sync`` runs: the cache beside the database, a round when a
        pull moved the changes cursor (looked at every ``poll_s``) or every ``interval_s``."""
        return cls(
            CoverCache(cache_folder_for(database)),
            lambda: cover_references(database),
            probe=lambda: catalog_cursor(database),
        )

    # --- one round ----------------------------------------------------------------------------

    def fetch_missing(self) -> FetchReport:
        """Fetch every named cover not cached yet, except those refused a short while ago."""
        report = FetchReport()
        now = self.monotonic()
        for reference in self.references():
            if self._stopping.is_set():
                break
            if self.cache.cached(reference) is not None:
                continue
            if now - self._failed.get(reference, -self.retry_after_s) < self.retry_after_s:
                continue
            try:
                if local_path(reference) is not None:
                    self.cache.copy_local(reference)
                else:
                    self.cache.store(reference, self.download(reference))
            except (CoverProblem, OSError) as problem:
                why = str(problem) or type(problem).__name__
                self._failed[reference] = self.monotonic()
                report.refused[reference] = why
                log.info("cover not kept: %s: %s", _shown(reference), why)
                continue
            self._failed.pop(reference, None)
            report.stored.append(reference)
        return report

    def download(self, url: str) -> bytes:
        """The picture at ``url`` following at most ``max_redirects`` redirects, all within
        ``deadline_s``; CoverProblem saying why when it is refused."""
        deadline = self.monotonic() + self.deadline_s
        for _hop in range(self.max_redirects + 1):
            location = self._get(url, deadline)
            if isinstance(location, bytes):
                return location
            url = location
        raise CoverProblem(f"more than {self.max_redirects} redirects")

    def _get(self, url: str, deadline: float) -> bytes | str:
        """The body, or the next URL of a redirect."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CoverProblem(f"not an http(s) address: {parts.scheme or '?'}")
        kind = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        conn = kind(parts.hostname, parts.port, timeout=self.connect_timeout_s)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        # The deadline closes the socket under a read that a trickling server keeps alive.
        cutoff = threading.Timer(max(0.0, deadline - self.monotonic()), _cut, (conn,))
        cutoff.daemon = True
        cutoff.start()
        try:
            conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "image/*"})
            reply = conn.getresponse()
            if self.monotonic() >= deadline:  # cut off mid-headers: what came is not the reply
                raise CoverProblem(f"still downloading after {self.deadline_s:g} s")
            if reply.status in (301, 302, 303, 307, 308):
                target = reply.getheader("Location") or ""
                if not target:
                    raise CoverProblem(f"HTTP {reply.status} without a Location")
                return urljoin(url, target)
            if reply.status != 200:
                raise CoverProblem(f"HTTP {reply.status}")
            content_type = (reply.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if not content_type.startswith("image/"):
                raise CoverProblem(f"content type {content_type or 'missing'}, not image/*")
            return self._body(reply, deadline)
        except (OSError, http.client.HTTPException) as error:
            if self.monotonic() >= deadline:
                raise CoverProblem(f"still downloading after {self.deadline_s:g} s") from None
            raise CoverProblem(f"{type(error).__name__}: {error}") from None
        finally:
            cutoff.cancel()
            conn.close()

    def _body(self, reply: http.client.HTTPResponse, deadline: float) -> bytes:
        limit = self.cache.max_file_bytes
        length = reply.getheader("Content-Length") or ""
        if length.isdigit() and int(length) > limit:
            raise CoverProblem(f"Content-Length {length} is larger than {limit} bytes")
        data = bytearray()
        while True:
            chunk = reply.read1(65536)
            if not chunk:
                break
            data += chunk
            if len(data) > limit:
                raise CoverProblem(f"larger than {limit} bytes")
            if self.monotonic() >= deadline:
                break
        if self.monotonic() >= deadline:  # the cutoff ends a read as if the body had ended
            raise CoverProblem(f"still downloading after {self.deadline_s:g} s")
        if length.isdigit() and len(data) != int(length):
            raise CoverProblem(f"the reply ended after {len(data)} of {length} bytes")
        return bytes(data)

    # --- on its own thread --------------------------------------------------------------------

    def start(self) -> CoverFetcher:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="cover-fetcher", daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        """New catalog rows arrived: look for covers to fetch now rather than at the interval."""
        self._woken.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._woken.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        seen, last = self.probe(), float("-inf")
        while not self._stopping.is_set():
            if self.monotonic() - last >= self.interval_s or self._woken.is_set():
                self._woken.clear()
                last = self.monotonic()
                try:
                    self.fetch_missing()
                except Exception:  # a bug here must not end the daemon; say so and go on
                    log.exception("cover fetching failed")
            self._woken.wait(self.poll_s)
            now = self.probe()
            if now != seen:
                seen = now
                self._woken.set()


def _cut(conn: http.client.HTTPConnection) -> None:
    """Shut the connection's socket: a read blocked on it returns at once."""
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # closed already
            sock.shutdown(socket.SHUT_RDWR)


def _shown(reference: str) -> str:
    """A reference as logged: a file's name, or the URL without its query."""
    path = local_path(reference)
    if path is not None:
        return path.name
    parts = urlsplit(reference)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
