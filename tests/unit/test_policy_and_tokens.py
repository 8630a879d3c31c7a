"""Policy lookups, opening hours, PIN hashes and QR e-cards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk import ecard
from kiosk.config.loader import defaults
from kiosk.pin import hash_pin, verify_pin
from kiosk.policy import Policy, Rule

TZ = ZoneInfo("Asia/Shanghai")
POLICY = Policy(
    rules=(
        Rule("*", "*", loan_days=28),
        Rule("*", "dvd", loan_days=7),
        Rule("child", "*", loan_days=21),
        Rule("child", "dvd", loan_days=3),
        Rule("*", "reference", loanable=False),
    )
)


@pytest.mark.parametrize(
    ("category", "item_class", "days", "loanable"),
    [
        ("adult", "book", 28, True),
        ("adult", "dvd", 7, True),
        ("child", "book", 21, True),
        ("child", "dvd", 3, True),
        ("child", "reference", 0, False),
    ],
)
def test_most_specific_rule_wins(category, item_class, days, loanable):
    rule = POLICY.rule_for(category, item_class)
    assert rule.loanable is loanable
    if loanable:
        assert rule.loan_days == days


def test_no_matching_rule_means_not_loanable():
    assert not Policy(rules=(Rule("staff", "*"),)).rule_for("adult", "book").loanable


def test_max_loans_falls_back_to_star():
    policy = Policy(max_loans={"*": 10, "child": 5})
    assert policy.max_loans_for("child") == 5 and policy.max_loans_for("senior") == 10


def test_opening_hours_with_split_day_and_closed_day():
    policy = Policy(hours={"mon": "08:00-12:00,13:00-22:00", "sun": "closed"})
    at = lambda d, h, m: datetime(2026, 11, d, h, m, tzinfo=TZ)  # noqa: E731 - 23rd is a Monday
    assert policy.is_open(at(23, 9, 0), TZ) and not policy.is_open(at(23, 12, 30), TZ)
    assert not policy.is_open(at(23, 22, 0), TZ) and not policy.is_open(at(29, 10, 0), TZ)
    assert not policy.is_open(at(24, 10, 0), TZ)  # tuesday not listed: closed


def test_policy_round_trips_through_dict_and_from_config():
    assert Policy.from_dict(POLICY.to_dict()) == POLICY
    from_config = Policy.from_dict(defaults().section("policy"))
    assert from_config.rule_for("adult", "dvd").loan_days == 7
    assert from_config.afi_on_loan == 0xC2


def test_due_date_crosses_dst_free_zone_at_local_midnight():
    now = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # 01:00 on the 25th in Beijing
    due = POLICY.due_at(now, 1, TZ)
    assert due.astimezone(TZ).date().isoformat() == "2026-11-26"


def test_pin_hash_is_salted_and_verifies():
    first, second = hash_pin("1234", n=2**10), hash_pin("1234", n=2**10)
    assert first != second and first.startswith("scrypt$1024$")
    assert verify_pin("1234", first) and verify_pin("1234", second)
    assert not verify_pin("1235", first)
    assert not verify_pin("1234", "garbage") and not verify_pin("1234", "scrypt$x$y$z$a$b")


def test_default_pin_cost_is_slow_scrypt():
    assert hash_pin("1234").split("$")[1] == str(2**14)
    with pytest.raises(ValueError):
        hash_pin("")


NOW = datetime(2026, 11, 24, tzinfo=UTC)
KEYS = {"k1": b"a" * 32, "k2": b"b" * 32}


def test_ecard_round_trip_with_rotated_keys():
    for kid in KEYS:
        token = ecard.sign("P0001", kid, KEYS[kid], NOW + timedelta(days=1))
        assert ecard.looks_like_ecard(token)
        card = ecard.verify(token, KEYS, NOW)
        assert (card.card_id, card.key_id) == ("P0001", kid)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t.replace("SF1", "SF2", 1),
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: ".".join([*t.split(".")[:2], "UDAwMDI", *t.split(".")[3:]]),  # another card
        lambda t: ".".join([*t.split(".")[:1], "k9", *t.split(".")[2:]]),
        lambda t: t + ".x",
        lambda t: "SF1.k1.%%%.1.2",
    ],
)
def test_tampered_ecard_is_refused(mutate):
    token = ecard.sign("P0001", "k1", KEYS["k1"], NOW + timedelta(days=1))
    with pytest.raises(ecard.ECardError) as caught:
        ecard.verify(mutate(token), KEYS, NOW)
    assert not caught.value.expired


def test_expired_ecard_says_so():
    token = ecard.sign("P0001", "k1", KEYS["k1"], NOW)
    with pytest.raises(ecard.ECardError) as caught:
        ecard.verify(token, KEYS, NOW)
    assert caught.value.expired
