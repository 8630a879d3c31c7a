"""The small library the circulation tests lend from: its PIN, e-card key and readers."""

from __future__ import annotations

from kiosk import ecard
from kiosk.pin import hash_pin

PIN = "2468"
PIN_HASH = hash_pin(PIN, n=2**10)  # cheap cost for tests; verification reads n from the hash
SEED = b"k" * 32  # the central's private key; kiosks get KEY, its public half
KEY = ecard.public_key_of(SEED)


def who(store, card):
    return store.patrons.get(card)
