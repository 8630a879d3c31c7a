"""The cover fetcher against a real HTTP server on 127.0.0.1 (issue #13): a good picture, and
the hostile or broken servers it must cut short — wrong content type, a page posing as a
picture, a 50 MB body, a slow-loris server trickling headers or body, a redirect loop."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kiosk.covers import CoverCache
from sync.daemon.covers import CoverFetcher, catalog_cursor, cover_references
from tests.waiting import wait_until

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8  # SOI + APP0 (JFIF)
FIFTY_MB = 50 * 1024 * 1024


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        route = self.path.split("?")[0]
        try:
            if route == "/good.jpg":
                self._send(200, JPEG, "image/jpeg; charset=binary")
            elif route == "/page":
                self._send(200, b"<html>login</html>", "text/html")
            elif route == "/posing.jpg":  # says image/jpeg, sends a web page
                self._send(200, b"<!doctype html><html>portal</html>", "image/jpeg")
            elif route == "/huge-declared.jpg":  # 50 MB announced; nothing should be read
                self._send(200, JPEG[:16], "image/jpeg", length=FIFTY_MB)
            elif route == "/huge.jpg":  # 50 MB sent, chunked, no length given
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                block = JPEG[:16] + b"\x00" * (1024 * 1024 - 16)
                for _ in range(50):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
                self.wfile.write(b"0\r\n\r\n")
            elif route == "/slow-body.jpg":  # a byte every 50 ms, for ever
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.write(JPEG[:4])
                while True:
                    self.wfile.write(b"\x00")
                    self.wfile.flush()
                    time.sleep(0.05)
            elif route == "/slow-headers.jpg":  # the status line, then a header byte at a time
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                while True:
                    self.wfile.write(b"a")
                    self.wfile.flush()
                    time.sleep(0.05)
            elif route.startswith("/loop"):
                n = int(route.removeprefix("/loop") or 0)
                self.send_response(302)
                self.send_header("Location", f"/loop{n + 1}")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif route == "/moved":
                self.send_response(301)
                self.send_header("Location", "/good.jpg")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._send(404, b"no", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the fetcher hung up, as it should


class Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client the fetcher hung up on is the point of these servers


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.paths = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def url(server: ThreadingHTTPServer, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def fetcher(tmp_path: Path, refs: list[str], **options: float) -> CoverFetcher:
    cache = CoverCache(tmp_path / "covers", max_file_bytes=2 * 1024 * 1024)
    return CoverFetcher(cache, lambda: refs, **{"deadline_s": 2.0, **options})


def test_a_cover_is_fetched_into_the_cache_and_a_redirect_followed(server, tmp_path) -> None:
    refs = [url(server, "/good.jpg?size=M"), url(server, "/moved")]
    covers = fetcher(tmp_path, refs)
    report = covers.fetch_missing()
    assert report.stored == refs and report.refused == {}
    assert covers.cache.cached(refs[0]).read_bytes() == JPEG
    assert covers.cache.cached(refs[1]).read_bytes() == JPEG
    asked = len(server.paths)
    assert covers.fetch_missing().stored == []  # cached: not asked again
    assert len(server.paths) == asked


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/page", "content type text/html, not image/*"),
        ("/posing.jpg", "not a JPEG, PNG, GIF or WebP picture"),
        ("/huge-declared.jpg", f"Content-Length {FIFTY_MB} is larger than 2097152 bytes"),
        ("/huge.jpg", "larger than 2097152 bytes"),
        ("/slow-body.jpg", "still downloading after 2 s"),
        ("/slow-headers.jpg", "still downloading after 2 s"),
        ("/loop", "more than 3 redirects"),
        ("/missing.jpg", "HTTP 404"),
    ],
)
def test_a_hostile_server_is_cut_short_and_logged(server, tmp_path, caplog, path, why) -> None:
    covers = fetcher(tmp_path, [url(server, path)])
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="sync.daemon.covers"):
        report = covers.fetch_missing()
    assert report.refused == {url(server, path): why}
    assert time.monotonic() - started < 4.0  # the 2 s deadline, not the server, decides
    assert covers.cache.cached(url(server, path)) is None
    assert not list((tmp_path / "covers").glob("*")) if (tmp_path / "covers").exists() else True
    assert f"cover not kept: {url(server, path).split('?')[0]}: {why}" in caplog.text


def test_a_refused_cover_is_not_asked_for_again_until_the_retry_time(server, tmp_path) -> None:
    now = [1000.0]
    covers = fetcher(tmp_path, [url(server, "/page")], retry_after_s=3600, monotonic=lambda: now[0])
    covers.fetch_missing()
    covers.fetch_missing()
    assert server.paths == ["/page"]
    now[0] += 3601
    covers.fetch_missing()
    assert server.paths == ["/page", "/page"]


def test_the_fetcher_reads_the_catalog_and_wakes_when_a_pull_moved_the_cursor(
    server, tmp_path
) -> None:
    from kiosk.models import Item
    from kiosk.store import Store
    from kiosk.store.state import CURSOR_KEY

    db = tmp_path / "kiosk.db"
    store = Store(db)
    assert cover_references(db) == [] and catalog_cursor(db) == ""
    covers = CoverFetcher.for_database(db)
    covers.poll_s = 0.05
    covers.start()
    try:
        good = url(server, "/good.jpg")
        store.items.upsert([Item("A", "With a cover", cover=good), Item("B", "Without")])
        store.state.set(CURSOR_KEY, 7)  # what a pull does after applying a page
        wait_until(lambda: covers.cache.cached(good) is not None, timeout=10)
        assert cover_references(db) == [good]
    finally:
        covers.stop()
        store.close()
    assert not covers._thread.is_alive()


def test_offline_a_round_stops_asking_the_host_and_cached_covers_stay(server, tmp_path) -> None:
    """No network: one try per host, nothing marked refused (asked again next round), and
    what the cache holds stays for the screen."""
    good = url(server, "/good.jpg")
    covers = fetcher(tmp_path, [good])
    covers.fetch_missing()
    port = server.server_address[1]
    server.shutdown()
    server.server_close()  # nothing listens on the port now
    gone = [f"http://127.0.0.1:{port}/a.jpg", f"http://127.0.0.1:{port}/b.jpg"]
    covers.references = lambda: [good, *gone]
    report = covers.fetch_missing()
    assert list(report.unreachable) == ["127.0.0.1"] and "Connection refused" in str(
        report.unreachable
    )
    assert report.refused == {} and report.stored == []
    assert covers.cache.cached(good) is not None  # offline, the screen still has it
    assert covers._failed == {}  # tried again next round, not in an hour
