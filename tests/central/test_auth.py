"""Enrolment tokens: hashed at rest, required on every call, dead after revocation."""

from __future__ import annotations

import sqlalchemy as sa

from sync import wire
from sync.central import auth
from sync.central.database import writing
from sync.central.schema import kiosks
from tests.fixtures.central import Central, open_loans, seed, txn


def test_openapi_schema_is_published_under_api_v1(central: Central) -> None:
    reply = central.as_token(None).get("/openapi.json")
    assert reply.status_code == 200
    paths = reply.json()["paths"]
    for path in (
        "/api/v1/transactions",
        "/api/v1/changes",
        "/api/v1/heartbeat",
        "/api/v1/fleet",
        "/api/v1/conflicts/{conflict_id}/resolve",
    ):
        assert path in paths


def test_only_a_hash_of_the_token_is_stored(central: Central) -> None:
    central.enrol("k1")
    token = central.tokens["k1"]
    with central.engine.connect() as conn:
        stored = conn.execute(sa.select(kiosks.c.token_hash)).scalar_one()
    assert stored == auth.hash_token(token)
    assert token not in stored


def test_calls_without_a_known_token_get_401(central: Central) -> None:
    for api in (central.as_token(None), central.as_token("sfk_made-up")):
        reply = api.get("/changes")
        assert reply.status_code == 401
        assert reply.headers["WWW-Authenticate"] == "Bearer"
    assert central.as_token(None).post("/transactions", {"transactions": []}).status_code == 401


def test_a_kiosk_token_cannot_reach_staff_endpoints(central: Central) -> None:
    kiosk = central.enrol("k1")
    assert kiosk.get("/fleet").status_code == 401
    assert kiosk.put("/admin/items", {"items": []}).status_code == 401
    assert central.staff.get("/changes").status_code == 401


def test_a_revoked_kiosk_gets_401_and_re_enrolment_replaces_the_token(central: Central) -> None:
    seed(central)
    kiosk = central.enrol("k1")
    assert kiosk.push(txn(1, "checkout", "I1"))[0]["status"] == "accepted"
    with writing(central.engine) as conn:
        assert auth.revoke_kiosk(conn, "k1", central.clock.now())
    assert kiosk.post("/transactions", {"transactions": []}).status_code == 401
    assert kiosk.get("/changes").status_code == 401
    again = central.enrol("k1")
    assert kiosk.get("/changes").status_code == 401  # the old token stays dead
    assert again.get("/changes").status_code == 200


def test_bearer_header_parsing() -> None:
    assert auth.bearer_token("Bearer abc") == "abc"
    assert auth.bearer_token("bearer abc ") == "abc"
    assert auth.bearer_token("Basic abc") is None
    assert auth.bearer_token(None) is None


def test_the_root_leads_a_stranger_to_the_staff_sign_in(central: Central) -> None:
    """The fleet pages themselves are tested in tests/fleet."""
    reply = central.as_token(None).session.get(central.url + "/", timeout=30)
    assert reply.status_code == 200 and "/dashboard/signin" in reply.url
    assert "text/html" in reply.headers["content-type"]
    assert 'name="password"' in reply.text


def test_a_push_with_a_cached_identity_is_refused_once_the_token_is_revoked(
    central: Central,
) -> None:
    """The service caches who a token belongs to; the push's own transaction still checks
    the token, so nothing is applied after the revocation, on any process."""
    seed(central)
    kiosk = central.enrol("k1")
    assert [r["status"] for r in kiosk.push(txn(1, "checkout", "I1"))] == ["accepted"]
    with writing(central.engine) as conn:
        auth.revoke_kiosk(conn, "k1", central.clock.now())
    refused = kiosk.post("/transactions", wire.TransactionBatch([txn(2, "checkout", "I2")]))
    assert refused.status_code == 401
    assert [loan["item_pii"] for loan in open_loans(central)] == ["I1"]
    again = central.enrol("k1")  # re-enrolled: the new token works at once
    assert [r["status"] for r in again.push(txn(2, "checkout", "I2"))] == ["accepted"]
