"""Fixtures for the fleet pages: signed-in sessions, Chromium, a page signed in through it.

The central service's fixtures (a live uvicorn on SQLite and on a real PostgreSQL) are the
shared ones of ``tests/fixtures/central.py``.

Chromium is Debian's ``/usr/bin/chromium`` driven by Playwright; when it cannot start, the
browser tests fail and say why, they never skip.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from kiosk.clock import ManualClock
from sync.central import staff_accounts
from sync.central.database import writing
from tests.fixtures.central import Central, start_central

CHROMIUM = Path(os.environ.get("SHUFANG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(os.environ.get("SHUFANG_FLEET_SHOTS", "/tmp/fleet-shots"))


def staff_token(central: Central) -> str:
    """The bearer token of the fixture's staff member (``librarian``), for the API."""
    return central.staff.session.headers["Authorization"].removeprefix("Bearer ")


#: Passwords of the accounts ``staff_account`` opens (test data, never a real one).
PASSWORD = "correct horse battery"


def staff_account(
    central: Central, name: str = "librarian", role: str = "administrator"
) -> tuple[str, str]:
    """Open a staff account unless it exists; its username and password."""
    with writing(central.engine) as conn:
        if staff_accounts.active_account(conn, name) is None:
            staff_accounts.add(conn, name, PASSWORD, role, central.clock.now(), actor="test")
    return name, PASSWORD


def signed_in(
    central: Central, name: str = "librarian", role: str = "administrator"
) -> requests.Session:
    """A plain HTTP session that signed in through the form, as a browser would."""
    username, password = staff_account(central, name, role)
    web = requests.Session()
    reply = web.post(
        central.url + "/dashboard/signin",
        data={"username": username, "password": password},
        allow_redirects=False,
        timeout=30,
    )
    assert reply.status_code == 303, reply.text
    return web


@pytest.fixture
def sqlite_central(tmp_path: Path, central_clock: ManualClock) -> Iterator[Central]:
    """One service on SQLite, for the browser tests (the page tests cover PostgreSQL)."""
    c = start_central(f"sqlite:///{tmp_path / 'central.db'}", central_clock)
    yield c
    c.server.stop()
    c.engine.dispose()


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[object]:
    """A fresh headless Chromium profile (its own user-data-dir) that accepts downloads."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as error:
        pytest.fail(f"the Python package playwright is missing: {error}", pytrace=False)
    if not CHROMIUM.exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's chromium (or set SHUFANG_CHROMIUM)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        try:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"),
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_FLAGS,
                accept_downloads=True,
                locale="zh-CN",
                timezone_id="UTC",
                viewport={"width": 1280, "height": 900},
            )
        except Error as error:
            pytest.fail(f"Chromium ({CHROMIUM}) could not be started: {error}", pytrace=False)
        context.set_default_timeout(15_000)
        yield context
        context.close()


#: ``signed_in_page(central, path, name, role)``: a new page showing ``path``.
SignedInPage = Callable[[Central, str, str, str], Any]


@pytest.fixture
def signed_in_page(chromium: Any) -> SignedInPage:
    """Opens ``path`` in a new Chromium page and signs in through the form the central
    answers with, as staff ``name`` in ``role``; returns the page once it shows ``path``."""

    def open_signed_in(central: Central, path: str, name: str, role: str) -> Any:
        username, password = staff_account(central, name, role)
        page = chromium.new_page()
        page.goto(central.url + path)
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("button.primary")
        wanted = urlsplit(path).path
        page.wait_for_url(lambda url: urlsplit(url).path == wanted)
        return page

    return open_signed_in


def disable_staff(central: Central, name: str = "librarian") -> None:
    with writing(central.engine) as conn:
        staff_accounts.disable(conn, name, central.clock.now(), actor="test")
