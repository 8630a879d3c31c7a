"""The collection rotation pages over plain HTTP, on SQLite and PostgreSQL: who may make a
plan, the proposal from unborrowed items, progress, the pick list and its CSV."""

from __future__ import annotations

import csv
import io
import re

import requests
import sqlalchemy as sa
from openpyxl import load_workbook

from sync.central import rotation, rotation_moves
from sync.central.database import reading, writing
from sync.central.schema import items
from sync.central.web import session
from tests.fixtures.central import Central, txn
from tests.fleet.conftest import signed_in
from tests.fleet.rotationdata import BOOKS, LENT_TODAY, WEST_BOOKS, boxed, seed


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no form on the page"
    return found.group(1)


def _session_csrf(central: Central, web: requests.Session) -> str:
    """The token a page would put in this session's forms (a viewer's pages show none)."""
    with reading(central.engine) as conn:
        found = session.session_for(conn, web.cookies.get(session.COOKIE), central.clock.now())
    assert found is not None
    return found.csrf


def _make(web: requests.Session, central: Central, **fields: str) -> requests.Response:
    return web.post(central.url + "/dashboard/rotation", data=fields, allow_redirects=False)


def test_a_technician_makes_a_plan_from_the_proposal_and_follows_it(central: Central) -> None:
    seed(central)
    web = signed_in(central, "li.tech", "technician")
    page = web.get(central.url + "/dashboard/rotation?source=main&to=west&days=180&clc=I")
    assert page.status_code == 200
    proposed = re.findall(r'<tr data-pii="(\d+)">', page.text)
    # shelf order (call number); the K book is another class, the one lent today too recent
    assert proposed == ["31007", "31003", "31002", "31004", "31001"]
    assert LENT_TODAY not in proposed
    made = _make(
        web, central, csrf=_csrf(page.text), source="main", to="west", days="180", clc="I",
        limit="200", note="十二月批次",
    )  # fmt: skip
    assert made.status_code == 303, made.text
    assert made.headers["location"] == "/dashboard/rotation/1?made=1"

    # A reader borrows one planned book; another is returned at the room's kiosk.
    kiosk = central.enrol("k-main2", "main")
    kiosk.push(txn(1, "checkout", "31001"), boxed(txn(2, "checkin", "31002")))
    plan = web.get(central.url + "/dashboard/rotation/1").text
    states = dict(re.findall(r'<tr data-pii="(\d+)" data-state="(\w+)">', plan))
    assert states == {
        "31007": "on_shelf", "31003": "on_shelf", "31002": "in_transit", "31004": "on_shelf",
        "31001": "on_loan",
    }  # fmt: skip
    assert "城东书房" in plan and "城西书房" in plan and "十二月批次" in plan

    picklist = web.get(central.url + "/dashboard/rotation/1/picklist").text
    pick = re.findall(r'<tr data-pii="(\d+)"><td class="tick">', picklist)
    assert pick == ["31007", "31003", "31004"]  # on the shelf, in shelf order
    rows = list(csv.reader(io.StringIO(
        web.get(central.url + "/dashboard/rotation/1/picklist.csv").content.decode("utf-8-sig")
    )))  # fmt: skip
    assert rows[0][0].startswith("索书号") and len(rows) == 6
    assert rows[1][:3] == ["I207.2/5", "人间词话", "31007"]
    sheet = load_workbook(
        io.BytesIO(web.get(central.url + "/dashboard/rotation/1/picklist.xlsx").content)
    ).active
    assert [c.value for c in sheet[4]][:3] == ["I207.2/5", "人间词话", "31007"]
    assert "城东书房 → 城西书房" in sheet["A1"].value

    # The shelf is emptied into the box, then the box arrives.
    csrf = _csrf(plan)
    for state in ("in_transit", "arrived"):
        moved = web.post(
            central.url + "/dashboard/rotation/1/mark",
            data={"csrf": csrf, "state": state},
            allow_redirects=False,
        )
        assert moved.status_code == 303
    plan = web.get(central.url + "/dashboard/rotation/1").text
    states = dict(re.findall(r'<tr data-pii="(\d+)" data-state="(\w+)">', plan))
    assert sorted(states.values()) == ["arrived"] * 4 + ["on_loan"]
    with reading(central.engine) as conn:  # the catalog moved the books that arrived
        held = dict(conn.execute(sa.select(items.c.pii, items.c.branch)).all())
    assert [held[p] for p in ("31007", "31003", "31002", "31004")] == ["west"] * 4
    assert held["31001"] == "main"  # still on loan: not moved yet
    assert len(BOOKS) + len(WEST_BOOKS) == len(held)


def test_a_viewer_reads_plans_but_cannot_make_or_move_them(central: Central) -> None:
    seed(central)
    tech = signed_in(central, "li.tech", "technician")
    page = tech.get(central.url + "/dashboard/rotation?source=main&to=west").text
    assert _make(tech, central, csrf=_csrf(page), source="main", to="west").status_code == 303
    viewer = signed_in(central, "wang.viewer", "viewer")
    listing = viewer.get(central.url + "/dashboard/rotation?source=main&to=west").text
    assert 'data-plan="1"' in listing and 'id="make"' not in listing
    plan = viewer.get(central.url + "/dashboard/rotation/1").text
    assert 'id="mark-picked"' not in plan and 'id="cancel"' not in plan
    csrf = _session_csrf(central, viewer)  # even with the session's own token
    refused = _make(viewer, central, csrf=csrf, source="main", to="west")
    assert refused.status_code == 403
    refused = viewer.post(
        central.url + "/dashboard/rotation/1/cancel", data={"csrf": csrf}, allow_redirects=False
    )
    assert refused.status_code == 403


def test_forms_without_the_session_token_or_between_one_room_are_refused(
    central: Central,
) -> None:
    seed(central)
    web = signed_in(central, "li.tech", "technician")
    assert _make(web, central, source="main", to="west").status_code == 403  # no csrf
    token = _session_csrf(central, web)
    same = _make(web, central, csrf=token, source="main", to="main")
    assert same.status_code == 422 and "two different rooms" in same.text
    typed = _make(web, central, csrf=token, source="main", to="west", piis="31005\nNOPE")
    assert typed.status_code == 422 and "NOPE" in typed.text
    assert web.get(central.url + "/dashboard/rotation/99").status_code == 404


def test_the_city_suggestion_pairs_the_rooms_and_links_to_the_proposal(central: Central) -> None:
    """Main holds five novels (I) nobody borrowed; west lent both of its own: send them west.
    Main's one history book (K) has nowhere that reads K."""
    seed(central)
    web = signed_in(central, "wang.viewer", "viewer")  # reading suggestions is for everyone
    page = web.get(central.url + "/dashboard/rotation?suggest=1&days=90&batch=4").text
    assert re.findall(r'<tr data-pair="([^"]+)">', page) == ["main west I"]
    row = page[page.index('data-pair="main west I"') :]
    assert "<strong>4</strong>" in row.split("</tr>")[0]  # five unborrowed, a batch of four
    link = re.search(r'href="(/dashboard/rotation\?source=main[^"]+)"', row).group(1)
    proposal = web.get(central.url + link.replace("&amp;", "&")).text
    assert re.findall(r'<tr data-pii="(\d+)">', proposal) == ["31007", "31003", "31002", "31004"]


def test_the_efficiency_pages_unborrowed_share_leads_to_the_rooms_proposal(
    central: Central,
) -> None:
    seed(central)
    web = signed_in(central, "wang.viewer", "viewer")
    page = web.get(central.url + "/dashboard/efficiency?since=2026-11-01&until=2026-11-24").text
    link = re.search(r'<a class="stale" href="([^"]+)"', page)
    assert link is not None
    proposal = web.get(central.url + link.group(1).replace("&amp;", "&")).text
    assert re.findall(r'<tr data-pii="(\d+)">', proposal) == [
        "31007", "31003", "31002", "31004", "31001", "31005",
    ]  # fmt: skip


def test_the_box_labels_list_the_plans_under_way_and_need_a_session(central: Central) -> None:
    """Labels for the live plans only (a cancelled one has no box), one plan's on its own
    address, and nothing without signing in."""
    seed(central)
    web = signed_in(central, "wang.view", "viewer")
    now = central.clock.now()
    with writing(central.engine) as conn:
        live = rotation.create_plan(conn, "main", "west", ["31001", "31002"], "t", now)
        gone = rotation.create_plan(conn, "main", "west", ["31003"], "t", now)
        rotation_moves.cancel(conn, gone, "t", now)
    page = web.get(central.url + "/dashboard/rotation/labels")
    assert page.status_code == 200
    assert re.findall(r'data-plan="(\d+)" data-room="(\w+)"', page.text) == [(str(live), "west")]
    assert "城西书房" in page.text and "城西区" in page.text and '<svg class="qr"' in page.text
    one = web.get(central.url + f"/dashboard/rotation/{gone}/label")
    assert one.status_code == 200 and f'data-plan="{gone}"' in one.text
    assert (
        web.get(central.url + "/dashboard/rotation/labels?source=west").text.count(
            'class="box-label"'
        )
        == 0
    )
    assert web.get(central.url + "/dashboard/rotation/0/label").status_code in (404, 422)
    anonymous = requests.get(
        central.url + "/dashboard/rotation/labels", allow_redirects=False, timeout=30
    )
    assert anonymous.status_code == 303 and "/dashboard/signin" in anonymous.headers["Location"]
