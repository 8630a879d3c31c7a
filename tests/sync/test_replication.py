"""End to end: a kiosk Store and the daemon against the real central (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from kiosk import ecard
from kiosk.models import CardKind, Decision
from kiosk.outcomes import OutcomeKind
from kiosk.reasons import Reason
from kiosk.store.state import ECARD_KEYS_KEY, OFFLINE_SINCE_KEY, ONLINE_KEY
from sync import wire
from sync.central import auth, catalog, staff_wire
from sync.central.database import reading, writing
from sync.central.schema import ecard_keys, kiosks, policies
from sync.daemon import SyncDaemon
from sync.daemon.central_client import DaemonClient
from sync.daemon.pull import cursor_of, pull_changes
from sync.link.client import Unavailable
from tests.fixtures.central import open_loans
from tests.sync.kiosks import Kiosk, restart_on_same_port


def _lend(kiosk: Kiosk, card: str, *piis: str) -> list[str]:
    patron = kiosk.patron(card)
    txn_ids = []
    for pii in piis:
        outcome = kiosk.core.circulation.checkout(patron, pii)
        assert outcome.kind is OutcomeKind.ACCEPTED, outcome.reason
        txn_ids.append(outcome.txn_id)
    return txn_ids


def test_first_pass_replicates_catalog_and_patrons_and_marks_online(kiosk: Kiosk):
    report = kiosk.sync()
    assert report.ok, report.error
    assert kiosk.store.items.get("I3") is not None and kiosk.store.patrons.get("P2") is not None
    assert kiosk.store.state.text(ONLINE_KEY) == "1"
    assert kiosk.store.state.text(OFFLINE_SINCE_KEY) == ""


def test_offline_loans_arrive_exactly_once_after_the_central_comes_back(kiosk: Kiosk, central):
    assert kiosk.sync().ok
    central.server.stop()

    down = kiosk.sync()
    assert not down.reachable
    assert kiosk.store.state.text(ONLINE_KEY) == "0"
    assert kiosk.store.state.text(OFFLINE_SINCE_KEY)
    ids = _lend(kiosk, "P1", "I1", "I2", "I3")
    assert all(kiosk.store.journal.get(i).decision is Decision.OFFLINE for i in ids)
    assert not kiosk.sync().reachable  # still down: nothing lost, nothing acknowledged
    assert kiosk.store.journal.outbox_depth() == 3

    back = restart_on_same_port(central)
    try:
        report = kiosk.sync()
        assert report.ok, report.error
        assert report.push.acked == 3
        assert kiosk.store.journal.outbox_depth() == 0
        assert [kiosk.store.journal.get(i).upstream_status for i in ids] == ["accepted"] * 3
        loans = open_loans(back, patron_card="P1")
        assert sorted(loan["txn_id"] for loan in loans) == sorted(ids)
        assert kiosk.store.state.text(ONLINE_KEY) == "1"
        again = kiosk.sync()
        assert again.push.sent == 0
        assert len(open_loans(back, patron_card="P1")) == 3
    finally:
        back.server.stop()
        back.engine.dispose()


class LostReply:
    """Forwards the push to the real central, then loses the reply (the daemon is killed)."""

    def __init__(self, client: DaemonClient) -> None:
        self.client = client
        self.pushed = 0

    def push_journal(self, txns):
        self.client.push_journal(txns)
        self.pushed += len(txns)
        raise Unavailable("killed before the reply was stored")

    def __getattr__(self, name):
        return getattr(self.client, name)


def test_a_daemon_killed_mid_batch_neither_duplicates_nor_loses(kiosk: Kiosk, central):
    assert kiosk.sync().ok
    kiosk.store.state.set_text(ONLINE_KEY, "0")  # lend offline so the rows queue
    ids = _lend(kiosk, "P1", "I1", "I2") + _lend(kiosk, "P2", "I5")
    lost = LostReply(kiosk.client)
    dying = SyncDaemon(kiosk.daemon.store, lost, kiosk.daemon.settings, clock=kiosk.clock)
    assert not dying.run_once().reachable
    assert lost.pushed == 3
    assert kiosk.store.journal.outbox_depth() == 3  # nothing acknowledged without a reply

    report = kiosk.sync()  # the restarted daemon sends the same rows again
    assert report.ok and report.push.duplicates == 3 and report.push.acked == 3
    assert kiosk.store.journal.outbox_depth() == 0
    assert {kiosk.store.journal.get(i).upstream_status for i in ids} == {"duplicate"}
    loans = open_loans(central)
    assert sorted(loan["txn_id"] for loan in loans) == sorted(ids)


def test_a_policy_change_on_central_is_enforced_by_the_kiosk(kiosk: Kiosk, central):
    assert kiosk.sync().ok
    _lend(kiosk, "P1", "I1")
    document = {"max_loans": {"*": 1}, "rules": [{"category": "*", "item_class": "*"}]}
    reply = central.staff.put("/admin/policy", staff_wire.PolicyIn(document))
    assert reply.status_code == 200, reply.text
    version = reply.json()["version"]

    report = kiosk.sync()
    assert report.ok and report.pull.policy_version == version
    assert kiosk.core.circulation.policy.version == version
    outcome = kiosk.core.circulation.checkout(kiosk.patron("P1"), "I2")
    assert outcome.reason is Reason.LIMIT_REACHED
    assert kiosk.sync().beat is not None  # the next heartbeat reports the version in force
    fleet = central.staff.get("/fleet").json()["kiosks"]
    assert [k["policy_version"] for k in fleet if k["kiosk_id"] == "k1"] == [version]


def test_a_patron_blocked_centrally_is_refused_after_the_pull(kiosk: Kiosk, central):
    assert kiosk.sync().ok
    assert kiosk.core.circulation.identify("P2").borrow_block is None
    blocked = staff_wire.PatronBatch([wire.PatronRecord(card_id="P2", blocks=["manual"])])
    assert central.staff.put("/admin/patrons", blocked).status_code == 200
    assert kiosk.sync().ok
    assert kiosk.core.circulation.identify("P2").borrow_block is Reason.PATRON_BLOCKED
    outcome = kiosk.core.circulation.checkout(kiosk.patron("P2"), "I4")
    assert outcome.reason is Reason.PATRON_BLOCKED


def test_deletes_and_holds_replicate(kiosk: Kiosk, central):
    assert kiosk.sync().ok
    assert central.staff.delete("/admin/items/I9").status_code in (200, 204)
    assert central.staff.delete("/admin/patrons/P2").status_code in (200, 204)
    hold = staff_wire.HoldBatch([wire.HoldRecord(item_pii="I7", patron_card="P1")])
    assert central.staff.post("/admin/holds", hold).status_code == 200
    assert kiosk.sync().ok
    assert kiosk.store.items.get("I9") is None and kiosk.store.patrons.get("P2") is None
    assert kiosk.store.holds.first("I7").patron_card == "P1"
    assert central.staff.post("/admin/holds/remove", hold).status_code == 200
    assert kiosk.sync().ok
    assert kiosk.store.holds.first("I7") is None


def test_a_fault_recorded_at_the_kiosk_shows_in_the_fleet_api_once(kiosk: Kiosk, central):
    kiosk.store.faults.record("printer", "paper_out", "error", "paper out", kiosk.clock.now())
    kiosk.store.state.set_text("devices.health", '{"printer": "error", "rfid": "ready"}')
    report = kiosk.sync()
    assert report.ok and report.beat.faults_sent == 1
    faults = central.staff.get("/faults", kiosk_id="k1").json()
    assert [(f["device"], f["code"], f["count"]) for f in faults] == [("printer", "paper_out", 1)]
    fleet = {k["kiosk_id"]: k for k in central.staff.get("/fleet").json()["kiosks"]}
    assert fleet["k1"]["devices"] == {"printer": "error", "rfid": "ready"}

    assert kiosk.sync().beat.faults_sent == 0  # nothing new: nothing resent
    kiosk.store.faults.record("printer", "paper_out", "error", "paper out", kiosk.clock.now())
    assert kiosk.sync().beat.faults_sent == 1
    kiosk.clock.advance(timedelta(minutes=1))
    kiosk.store.faults.clear("printer", "paper_out", kiosk.clock.now())
    assert kiosk.sync().beat.faults_sent == 1
    assert kiosk.sync().beat.faults_sent == 0
    (fault,) = central.staff.get("/faults", kiosk_id="k1").json()
    assert fault["count"] == 2 and fault["cleared_at"] is not None


def test_a_revoked_token_stops_pushes_keeps_rows_and_records_a_fault(kiosk: Kiosk, central):
    assert kiosk.sync().ok
    ids = _lend(kiosk, "P1", "I1")
    with writing(central.engine) as conn:
        auth.revoke_kiosk(conn, "k1", central.clock.now())
    report = kiosk.sync()
    assert not report.authorized
    assert (
        kiosk.store.journal.outbox_depth() == 1 and kiosk.store.journal.get(ids[0]).acked_at is None
    )
    faults = kiosk.store.faults.recent(open_only=True)
    assert [(f.device, f.code) for f in faults] == [("upstream", "unauthorized")]
    assert kiosk.store.state.text(ONLINE_KEY) == "0"
    assert kiosk.daemon.unauthorized
    # Re-enrolled: the next pass (a heartbeat first) finds the token good and pushes again.
    token = central.enrol("k1").session.headers["Authorization"]
    kiosk.client.session.headers["Authorization"] = token
    assert kiosk.sync().ok and kiosk.sync().push.acked == 1
    assert kiosk.store.faults.recent(open_only=True) == []


def test_central_ecard_keys_replace_the_config_keys_for_qr_cards(kiosk: Kiosk, central):
    reply = central.staff.post("/admin/ecard-keys")
    assert reply.status_code == 201, reply.text
    key = reply.json()
    assert set(key) == {"key_id", "public_key"}  # the private key stays at the central
    assert kiosk.sync().ok
    assert key["key_id"] in kiosk.store.state.text(ECARD_KEYS_KEY)
    issued = central.staff.post("/admin/ecards", {"card_id": "P1", "days": 30})
    assert issued.status_code == 200, issued.text
    assert issued.json()["key_id"] == key["key_id"]
    token = issued.json()["token"]
    found = kiosk.core.circulation.identify(token, CardKind.QR)
    assert found.ok and found.patron.card_id == "P1"
    forged = ecard.sign("P1", key["key_id"], bytes(32), datetime(2030, 1, 1, tzinfo=UTC))
    assert kiosk.core.circulation.identify(forged, CardKind.QR).reason is Reason.ECARD_INVALID


def test_a_card_the_central_issues_is_accepted_after_a_sync_and_the_kiosk_cannot_mint(
    kiosk: Kiosk, central
):
    """#14: the central signs e-cards (Ed25519); a kiosk gets public keys only, so what a
    stolen kiosk disk holds can check cards but not make them."""
    before = central.staff.post("/admin/ecards", {"card_id": "P2", "days": 7})
    assert before.status_code == 200, before.text  # the first card makes the first key
    token = before.json()["token"]
    assert token.startswith("SF2.")
    # Not yet synced: the kiosk does not know the key, so the card is refused, not trusted.
    assert kiosk.core.circulation.identify(token, CardKind.QR).reason is Reason.ECARD_INVALID
    assert kiosk.sync().ok
    found = kiosk.core.circulation.identify(token, CardKind.QR)
    assert found.ok and found.patron.card_id == "P2"

    stored = json.loads(kiosk.store.state.text(ECARD_KEYS_KEY))
    with reading(central.engine) as conn:
        private = dict(conn.execute(sa.select(ecard_keys.c.key_id, ecard_keys.c.secret)).all())
    assert set(stored) == set(private)
    for key_id, public in stored.items():
        raw = ecard.decode_key(public)
        assert len(public) == 43 and len(raw) == 32  # one raw Ed25519 public key, no more
        assert raw == ecard.public_key_of(ecard.decode_key(private[key_id]))
        for file in kiosk.db_path.parent.glob(kiosk.db_path.name + "*"):  # with -wal, -shm
            assert private[key_id].encode() not in file.read_bytes()
        # Using what the kiosk holds as a signing key makes cards no kiosk accepts.
        forged = ecard.sign("P1", key_id, raw, kiosk.clock.now() + timedelta(days=1))
        refused = kiosk.core.circulation.identify(forged, CardKind.QR)
        assert refused.reason is Reason.ECARD_INVALID
    tampered = token.replace(".UDI.", ".UDE.")  # P2 -> P1 in the signed body
    assert tampered != token
    assert kiosk.core.circulation.identify(tampered, CardKind.QR).reason is Reason.ECARD_INVALID

    assert central.staff.post("/admin/ecards", {"card_id": "NOBODY"}).status_code == 404
    assert central.staff.post("/admin/ecards", {"card_id": "P1", "days": 0}).status_code == 422
    assert central.staff.post("/admin/ecards", {"card_id": "P1", "days": 10**6}).status_code == 422
    assert central.as_token(None).post("/admin/ecards", {"card_id": "P1"}).status_code == 401
    as_kiosk = central.enrol("k2").post("/admin/ecards", {"card_id": "P1"})
    assert as_kiosk.status_code in (401, 403)  # a kiosk's token cannot have cards issued


def test_a_kiosk_keeps_no_e_card_secret_from_an_old_central_and_blanks_its_old_ones(tmp_path):
    """During an upgrade a central not yet on Ed25519 may still send ``secret``: the kiosk
    stores none of it, and the HMAC secrets an older kiosk kept are blanked."""
    from kiosk.clock import ManualClock
    from kiosk.store import Store
    from kiosk.store.state import LEGACY_ECARD_SECRETS_KEY
    from sync.daemon.pull import apply_policy

    store = Store(tmp_path / "k.db")
    try:
        store.state.set_text(LEGACY_ECARD_SECRETS_KEY, '{"kold": "c2VjcmV0LXNlY3JldC1zZWNyZXQ"}')
        public = ecard.encode_key(ecard.public_key_of(b"p" * 32))
        record = {
            "ecard_keys": [
                {"key_id": "kold", "secret": "c2VjcmV0LXNlY3JldC1zZWNyZXQ"},
                {"key_id": "knew", "public_key": public},
            ]
        }
        apply_policy(store, record, ManualClock(datetime(2026, 12, 4, tzinfo=UTC)))
        assert json.loads(store.state.text(ECARD_KEYS_KEY)) == {"knew": public}
        assert store.state.text(LEGACY_ECARD_SECRETS_KEY) == ""
    finally:
        store.close()


class Recording:
    """The daemon's client, noting after each page request what the central now takes the
    kiosk to know, next to the cursor the kiosk had stored when it asked."""

    def __init__(self, kiosk: Kiosk, central) -> None:
        self.kiosk = kiosk
        self.central = central
        self.seen: list[tuple[int, int]] = []  # (stored cursor, central's known cursor)

    def changes_json(self, cursor, limit, *, known=None):
        stored = cursor_of(self.kiosk.daemon.store)
        page = self.kiosk.client.changes_json(cursor, limit, known=known)
        with reading(self.central.engine) as conn:
            row = conn.execute(sa.select(kiosks.c.known_cursor).where(kiosks.c.kiosk_id == "k1"))
            self.seen.append((stored, row.scalar_one()))
        return page


def test_a_pull_fetching_ahead_never_claims_changes_it_has_not_stored(kiosk: Kiosk, central):
    """Regression: fetching page n+1 while applying page n sent n+1's cursor, which the
    central keeps as what the kiosk knew (it decides "blocked since last sync")."""
    batch = staff_wire.ItemBatch(
        [wire.ItemRecord(pii=f"X{n}", title=f"Extra {n}") for n in range(40)]
    )
    assert central.staff.put("/admin/items", batch).status_code == 200
    feed = Recording(kiosk, central)
    report = pull_changes(kiosk.daemon.store, feed, kiosk.clock, 10)
    assert report.pages == 6 and kiosk.store.counts()["items"] == 50
    assert all(known <= stored for stored, known in feed.seen)
    assert kiosk.sync().ok  # the next pass asks from the stored end: now the central knows it
    with reading(central.engine) as conn:
        row = conn.execute(sa.select(kiosks.c.known_cursor).where(kiosks.c.kiosk_id == "k1"))
        assert row.scalar_one() == cursor_of(kiosk.store)


def test_a_kiosk_refuses_a_policy_it_cannot_use_and_keeps_lending(kiosk: Kiosk, central):
    """Regression (#14 finding 2): a policy with wrong types reached by a central that did not
    check it (an older release, a hand edit in its database) must not stop the kiosk: it keeps
    the last good policy, goes on lending and raises a fault the fleet page shows."""
    good = {"max_loans": {"*": 3}, "rules": [{"category": "*", "item_class": "*"}]}
    assert central.staff.put("/admin/policy", staff_wire.PolicyIn(good)).status_code == 200
    assert kiosk.sync().ok
    kept = kiosk.core.circulation.policy.version
    bad = {"max_loans": 5, "rules": [{"category": "*", "item_class": "*", "loan_days": "28"}]}
    with writing(central.engine) as conn:  # past the central's own check, as an old one would
        conn.execute(
            policies.insert().values(
                version=99, document={**bad, "version": "central-99"}, set_at=central.clock.now()
            )
        )
        catalog._publish_policy(conn, central.clock.now())

    report = kiosk.sync()
    assert report.ok, report.error
    assert report.pull.policy_version != "central-99"
    assert kiosk.core.circulation.policy.version == kept
    outcome = kiosk.core.circulation.checkout(kiosk.patron("P1"), "I1")
    assert outcome.kind is OutcomeKind.ACCEPTED, outcome.reason
    faults = {(f.device, f.code): f for f in kiosk.store.faults.recent(open_only=True)}
    fault = faults[("policy", "policy_refused")]
    assert "central-99" in fault.message and "max_loans" in fault.message
    assert "rules[1].loan_days" in fault.message
    assert kiosk.sync().beat is not None  # the heartbeat carries the fault to the fleet page
    fleet = central.staff.get("/fleet").json()["kiosks"]
    (k1,) = [k for k in fleet if k["kiosk_id"] == "k1"]
    assert k1["policy_version"] == kept
    assert "policy_refused" in str(k1)
