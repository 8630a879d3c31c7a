"""Hostile and malformed requests get a clear 4xx on both databases, never a 500 or a
dropped connection, and the service goes on serving.

The cases are the ones the reliability campaign found (issue #14, finding 7): numbers
beyond 64 and 32 bits, year-1 and year-9999 dates with offsets, ``NaN``/``Infinity``/
``1e400``, NUL bytes, lone surrogates, deep nesting and a 50 MB body. What counts as valid
JSON is RFC 8259's: it has no NaN or Infinity, and its strings are Unicode (a lone
surrogate is not a character), so a server may refuse them; PostgreSQL's text type cannot
hold U+0000 (its documentation, "Character Types"), and ``integer`` columns are 32-bit.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests

from sync import wire
from sync.central.request_guard import DEFAULT_MAX_BODY
from sync.central.routes_kiosk import MAX_COUNT
from tests.fixtures.central import Central, open_loans, seed

TOO_WIDE = 2**70
INT32_OVER = 2**31


def txn_body(**change: Any) -> str:
    row = {
        "id": str(uuid.uuid4()),
        "seq": 1,
        "kind": "checkout",
        "patron_card": "P1",
        "item_pii": "I1",
        "at": "2026-11-24T02:00:00Z",
        "decision": "offline",
        "due_at": "2026-12-22T02:00:00Z",
    }
    row.update(change)
    return json.dumps({"transactions": [row]})


def beat(**change: Any) -> str:
    body = {"state": "in_service", "outbox_depth": 0, "software_version": "1.0"}
    body.update(change)
    return json.dumps(body)


# (who, method, path, raw body) — raw so that what json.dumps would refuse can be sent.
CASES: dict[str, tuple[str, str, str, str | None]] = {
    "seq beyond 64 bits": ("kiosk", "POST", "/transactions", txn_body(seq=TOO_WIDE)),
    "seq below -2**63": ("kiosk", "POST", "/transactions", txn_body(seq=-(2**63) - 1)),
    "at in year 1 at +14:00": (
        "kiosk", "POST", "/transactions", txn_body(at="0001-01-01T00:00:00+14:00"),
    ),
    "due in year 9999 at -14:00": (
        "kiosk", "POST", "/transactions", txn_body(due_at="9999-12-31T23:59:59-14:00"),
    ),
    "NUL in a card number": ("kiosk", "POST", "/transactions", txn_body(patron_card="P\x00")),
    "lone surrogate": (
        "kiosk", "POST", "/transactions", txn_body(patron_card="X").replace('"X"', '"\\ud800"'),
    ),
    "outbox depth NaN": ("kiosk", "POST", "/heartbeat", beat(outbox_depth=0).replace(
        '"outbox_depth": 0', '"outbox_depth": NaN')),
    "outbox depth 1e400": ("kiosk", "POST", "/heartbeat", beat(outbox_depth=0).replace(
        '"outbox_depth": 0', '"outbox_depth": 1e400')),
    "outbox depth beyond 32 bits": ("kiosk", "POST", "/heartbeat", beat(outbox_depth=INT32_OVER)),
    "NUL in the software version": ("kiosk", "POST", "/heartbeat", beat(software_version="1\x00")),
    "fault count beyond 32 bits": ("kiosk", "POST", "/heartbeat", beat(faults=[{
        "device": "printer", "code": "paper_out", "severity": "warning", "message": "m",
        "first_at": "2026-11-24T02:00:00Z", "last_at": "2026-11-24T02:00:00Z",
        "count": INT32_OVER}])),
    "pull cursor beyond 64 bits": ("kiosk", "GET", f"/changes?cursor={TOO_WIDE}", None),
    "opening hours Infinity": ("staff", "PUT", "/admin/branches",
        '{"branches": [{"branch": "main", "weekly_open_hours": Infinity}]}'),
    "set size beyond 32 bits": ("staff", "PUT", "/admin/items",
        json.dumps({"items": [{"pii": "X1", "title": "t", "set_size": INT32_OVER}]})),
    "fines beyond 32 bits": ("staff", "PUT", "/admin/patrons",
        json.dumps({"patrons": [{"card_id": "Z1", "fines_cents": INT32_OVER}]})),
    "visits in year 1": ("staff", "POST", "/visits", json.dumps({"visits": [
        {"branch": "main", "hour": "0001-01-01T00:00:00+01:00", "count": 1}]})),
    "visits beyond 64 bits": ("staff", "POST", "/visits", json.dumps({"visits": [
        {"branch": "main", "hour": "2026-11-24T02:00:00Z", "count": TOO_WIDE}]})),
    "loans since year 1": ("staff", "GET", "/loans?since=0001-01-01T00:00:00%2B14:00", None),
    "policy with NaN": ("staff", "PUT", "/admin/policy",
        '{"version": "x", "rules": {"loan_days": NaN}}'),
    "nesting 50,000 deep": ("staff", "PUT", "/admin/policy",
        '{"version": "x", "rules": ' + "[" * 50_000 + "]" * 50_000 + "}"),
    "body not UTF-8": ("staff", "PUT", "/admin/items", '{"items": []}'),
}  # fmt: skip


def send(
    central: Central, who: str, method: str, path: str, body: bytes | None
) -> requests.Response:
    api = central.staff if who == "staff" else central.enrol(f"k-{uuid.uuid4().hex[:6]}")
    return api.session.request(
        method,
        central.url + wire.API_PREFIX + path,
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_request_gets_a_clear_4xx_and_the_service_goes_on(
    central: Central, case: str
) -> None:
    seed(central)
    who, method, path, text = CASES[case]
    body = None if text is None else text.encode("utf-8", "surrogatepass")
    if case == "body not UTF-8":
        body = '{"items": [{"pii": "X1", "title": "书"}]}'.encode("gb18030")
    reply = send(central, who, method, path, body)
    assert 400 <= reply.status_code < 500, (reply.status_code, reply.text[:300])
    assert reply.json()["detail"], "the caller is told what is wrong"
    # Nothing was half applied and the service still answers.
    assert open_loans(central) == []
    assert central.staff.get("/fleet").status_code == 200


def test_a_body_over_the_limit_is_refused_before_it_is_read(central: Central) -> None:
    items = [{"pii": f"X{n}", "title": "t" * 1000} for n in range(50_000)]
    body = json.dumps({"items": items}).encode()
    assert len(body) > DEFAULT_MAX_BODY
    reply = send(central, "staff", "PUT", "/admin/items", body)
    assert reply.status_code == 413
    assert str(DEFAULT_MAX_BODY) in reply.json()["detail"]
    # The same items in batches under the limit go in.
    for start in range(0, 10_000, 5_000):
        part = json.dumps({"items": items[start : start + 5_000]}).encode()
        assert send(central, "staff", "PUT", "/admin/items", part).status_code == 200


def test_ordinary_values_at_the_edges_still_pass(central: Central) -> None:
    """The guard refuses only what cannot be stored: Chinese text, an old founding date,
    a long but ordinary due date and the largest outbox count are all accepted."""
    seed(central)
    branch = {"branch": "main", "district": "鼓楼区", "opened_on": "1904-05-01"}
    reply = send(central, "staff", "PUT", "/admin/branches",
                 json.dumps({"branches": [branch]}).encode())  # fmt: skip
    assert reply.status_code == 200, reply.text
    reply = send(central, "kiosk", "POST", "/transactions",
                 txn_body(due_at="2999-12-31T00:00:00+08:00").encode())  # fmt: skip
    assert reply.status_code == 200, reply.text
    assert reply.json()["results"][0]["status"] == "accepted"
    reply = send(central, "kiosk", "POST", "/heartbeat", beat(outbox_depth=MAX_COUNT).encode())
    assert reply.status_code == 200, reply.text
