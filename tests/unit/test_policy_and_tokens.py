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
#: Ed25519 private seeds, as only the central holds them; kiosks get PUBLIC.
SEEDS = {"k1": b"a" * 32, "k2": b"b" * 32}
PUBLIC = {kid: ecard.public_key_of(seed) for kid, seed in SEEDS.items()}

# RFC 8032 section 7.1 (Test Vectors for Ed25519), TEST 1 (empty message) and TEST 2
# (one octet, 0x72): SECRET KEY, PUBLIC KEY, MESSAGE, SIGNATURE as the RFC prints them.
RFC8032 = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555"
        "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
]


@pytest.mark.parametrize(("secret", "public", "message", "signature"), RFC8032)
def test_rfc8032_vectors_pass_the_kiosks_signature_check(secret, public, message, signature):
    pub, msg, sig = bytes.fromhex(public), bytes.fromhex(message), bytes.fromhex(signature)
    assert ecard.public_key_of(bytes.fromhex(secret)) == pub  # the central's derivation
    assert ecard.verify_signature(pub, msg, sig)  # the kiosk's check, the one verify() uses
    flipped = bytes([sig[0] ^ 1]) + sig[1:]
    assert not ecard.verify_signature(pub, msg, flipped)
    assert not ecard.verify_signature(pub, msg + b"!", sig)
    assert not ecard.verify_signature(pub[:31], msg, sig)  # not a public key: refused


def test_ecard_round_trip_with_rotated_keys():
    for kid in SEEDS:
        token = ecard.sign("P0001", kid, SEEDS[kid], NOW + timedelta(days=1))
        assert token.startswith("SF2.") and ecard.looks_like_ecard(token)
        card = ecard.verify(token, PUBLIC, NOW)
        assert (card.card_id, card.key_id) == ("P0001", kid)


def _with(token: str, index: int, value: str) -> str:
    parts = token.split(".")
    parts[index] = value
    return ".".join(parts)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t.replace("SF2", "SF3", 1),
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: _with(t, 2, "UDAwMDI"),  # another card
        lambda t: _with(t, 3, str(int(t.split(".")[3]) + 86400)),  # a day longer
        lambda t: _with(t, 1, "k2"),  # a key id the signature was not made with
        lambda t: _with(t, 1, "k9"),  # an unknown key id
        lambda t: t + ".x",
        lambda t: "SF2.k1.%%%.1.2",
        lambda t: _with(t, 3, "9" * 400),  # a huge expiry
    ],
)
def test_tampered_ecard_is_refused(mutate):
    token = ecard.sign("P0001", "k1", SEEDS["k1"], NOW + timedelta(days=1))
    with pytest.raises(ecard.ECardError) as caught:
        ecard.verify(mutate(token), PUBLIC, NOW)
    assert not caught.value.expired


def test_expired_ecard_says_so():
    token = ecard.sign("P0001", "k1", SEEDS["k1"], NOW)
    with pytest.raises(ecard.ECardError) as caught:
        ecard.verify(token, PUBLIC, NOW)
    assert caught.value.expired


def test_an_hmac_sf1_card_is_refused_even_with_its_old_secret():
    """Before #14 kiosks held the HMAC secret and could mint SF1 cards; none is accepted."""
    import hashlib
    import hmac

    secret = b"a" * 32
    body = "SF1.k1." + ecard.encode_key(b"P0001") + f".{int(NOW.timestamp()) + 86400}"
    mac = hmac.new(secret, body.encode(), hashlib.sha256).digest()
    token = body + "." + ecard.encode_key(mac)
    assert ecard.looks_like_ecard(token)
    with pytest.raises(ecard.ECardError, match="SF1") as caught:
        ecard.verify(token, {"k1": secret, **PUBLIC}, NOW)
    assert not caught.value.expired


def test_a_public_key_cannot_sign():
    """What a kiosk holds (32 public bytes) is no private key: cards made with it fail."""
    forged = ecard.sign("P0001", "k1", PUBLIC["k1"], NOW + timedelta(days=1))
    with pytest.raises(ecard.ECardError, match="signature"):
        ecard.verify(forged, PUBLIC, NOW)
