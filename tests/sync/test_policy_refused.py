"""One typo must not stop the fleet (issue 14, finding 2): a policy is checked by one schema.

The central refuses a policy a kiosk could not use with 422 and the field errors; a kiosk that
is served one anyway (a central from before the check, a hand-edited database) keeps lending
under its last good policy and raises a fault the fleet page shows.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from kiosk.outcomes import OutcomeKind
from kiosk.policy import Policy
from kiosk.policy_schema import PolicyInvalid, checked_policy, policy_errors
from sync.central import catalog, wire
from sync.central.database import writing
from sync.central.schema import policies
from sync.daemon.pull import POLICY_DEVICE, POLICY_REFUSED_CODE
from tests.sync.conftest import Kiosk

TYPOS = [
    ({"max_loans": 5}, ["max_loans"]),
    (
        {"rules": [{"category": "*", "item_class": "*", "loan_days": "28"}]},
        ["rules", 0, "loan_days"],
    ),
    ({"loan_days": 28}, ["loan_days"]),  # unknown: belongs in a rule
    ({"pin_required": "yes"}, ["pin_required"]),
    ({"afi_on_loan": 300}, ["afi_on_loan"]),
    ({"hours": {"mon": "9-5"}}, ["hours"]),
    ({"fee_items": "always"}, ["fee_items"]),
    ({"rules": []}, ["rules"]),
]


@pytest.mark.parametrize(("document", "loc"), TYPOS)
def test_the_central_answers_422_naming_the_field_of_a_policy_a_kiosk_cannot_use(
    central, document, loc
):
    """Regression: the central stored {"max_loans": 5} with 200 and every checkout crashed."""
    reply = central.staff.put("/admin/policy", wire.PolicyIn(document))
    assert reply.status_code == 422, reply.text
    assert [e["loc"] for e in reply.json()["detail"]] == [["body", "document", *loc]]
    assert central.enrol("k9").get("/changes").json()["changes"] == []


def test_every_error_of_a_document_is_named_at_once(central):
    document = {"max_loans": 5, "loan_days": "28", "pin_required": 1}
    reply = central.staff.put("/admin/policy", wire.PolicyIn(document))
    assert reply.status_code == 422
    assert sorted(e["loc"][-1] for e in reply.json()["detail"]) == [
        "loan_days",
        "max_loans",
        "pin_required",
    ]


def test_the_policy_and_the_schema_declare_the_same_fields():
    """A field added to Policy without a typed setting would pass the central unchecked."""
    document = Policy().to_dict()
    assert policy_errors(document) == []
    assert checked_policy(document) == Policy()


def _serve_unchecked(central, document: dict) -> None:
    """What an older central (or a hand edit) did: store and publish without the check."""
    with writing(central.engine) as conn:
        number = conn.execute(sa.select(sa.func.max(policies.c.version))).scalar() or 0
        document = {**document, "version": f"central-{number + 1}"}
        now = central.clock.now()
        conn.execute(policies.insert().values(version=number + 1, document=document, set_at=now))
        catalog._publish_policy(conn, now)


def _open_policy_faults(kiosk: Kiosk) -> list[str]:
    return [
        f.message
        for f in kiosk.store.faults(open_only=True)
        if (f.device, f.code) == (POLICY_DEVICE, POLICY_REFUSED_CODE)
    ]


def test_a_kiosk_served_an_unusable_policy_keeps_the_last_good_one_and_says_so(
    kiosk: Kiosk, central
):
    """Regression: a kiosk applied {"max_loans": 5} and every checkout raised AttributeError."""
    assert kiosk.sync().ok
    good = {"max_loans": {"*": 3}, "rules": [{"category": "*", "item_class": "*"}]}
    assert central.staff.put("/admin/policy", wire.PolicyIn(good)).status_code == 200
    assert kiosk.sync().ok
    assert kiosk.core.circulation.policy.version == "central-1"

    _serve_unchecked(central, {"max_loans": 5, "rules": [{"loan_days": "28"}]})
    report = kiosk.sync()
    assert report.ok and report.pull.policy_version is None
    assert kiosk.core.circulation.policy.version == "central-1"
    outcome = kiosk.core.circulation.checkout(kiosk.patron("P1"), "I1")
    assert outcome.kind is OutcomeKind.ACCEPTED, outcome.reason
    (message,) = _open_policy_faults(kiosk)
    assert "central-2" in message and "max_loans" in message and "loan_days" in message

    assert kiosk.sync().beat is not None  # the fault travels with the heartbeat
    (row,) = [k for k in central.staff.get("/fleet").json()["kiosks"] if k["kiosk_id"] == "k1"]
    assert [f["code"] for f in row["open_faults"]] == [POLICY_REFUSED_CODE]
    assert row["policy_version"] == "central-1"

    # The next good policy is applied and clears the fault.
    assert central.staff.put("/admin/policy", wire.PolicyIn(good)).status_code == 200
    assert kiosk.sync().ok
    assert kiosk.core.circulation.policy.version == "central-3"
    assert _open_policy_faults(kiosk) == []


def test_a_stored_policy_that_cannot_be_used_does_not_crash_a_checkout(kiosk: Kiosk):
    """A document stored before kiosks checked policies: the config's policy stays in force."""
    assert kiosk.sync().ok
    document = json.dumps({"version": "old-1", "max_loans": 5})
    kiosk.store.save_policy("old-1", document, kiosk.clock.now())
    outcome = kiosk.core.circulation.checkout(kiosk.patron("P1"), "I1")
    assert outcome.kind is OutcomeKind.ACCEPTED, outcome.reason
    assert kiosk.core.circulation.policy.version == kiosk.core.config["policy.version"]
    with pytest.raises(PolicyInvalid):
        checked_policy({"max_loans": 5})
