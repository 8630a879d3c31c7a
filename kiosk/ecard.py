"""Patron QR e-cards: Ed25519-signed tokens the central issues and a kiosk verifies offline.

Form: ``SF2.<key id>.<card id, base64url>.<expiry, unix seconds>.<signature, base64url>``;
the signature is Ed25519 (RFC 8032) over the first four parts joined by dots, as ASCII.
The central keeps the private keys; a kiosk holds only the 32-byte public keys, so a stolen
kiosk disk can check cards but never make one. The key id lets the central rotate keys while
older cards stay valid until expiry or revocation.

``SF1`` cards (HMAC-SHA256 with a secret every kiosk held) are refused: any kiosk could mint
them.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "SF2"
#: The HMAC form kiosks used to sign themselves; still recognised so a reader is told it
#: cannot be used rather than the text being taken for a library card number.
RETIRED_PREFIXES = ("SF1",)
PUBLIC_KEY_BYTES = 32
#: An e-card lives at most ten years, like a printed card (the central refuses longer).
MAX_DAYS = 3650
#: Unix seconds up to the year 5138: a longer expiry is a crafted card, not one we issued.
MAX_EXPIRY_DIGITS = 11


class ECardError(ValueError):
    """The token is not a valid e-card; ``expired`` tells the two cases readers care about."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True, slots=True)
class ECard:
    card_id: str
    key_id: str
    expires_at: datetime


def decode_key(key_b64: str) -> bytes:
    """Raw key bytes from base64url (padding optional), as configs and the wire carry them."""
    return base64.urlsafe_b64decode(key_b64 + "=" * (-len(key_b64) % 4))


def encode_key(raw: bytes) -> str:
    return _b64(raw)


def public_key_of(private_seed: bytes) -> bytes:
    """The raw 32-byte public key of an Ed25519 private key seed (central side)."""
    return Ed25519PrivateKey.from_private_bytes(private_seed).public_key().public_bytes_raw()


def new_private_seed() -> bytes:
    """A fresh Ed25519 private key as its 32-byte seed (RFC 8032 section 5.1.5)."""
    return Ed25519PrivateKey.generate().private_bytes_raw()


def sign(card_id: str, key_id: str, private_seed: bytes, expires_at: datetime) -> str:
    """An e-card for ``card_id``; only the central (or the demo) holds ``private_seed``."""
    if "." in key_id or not key_id:
        raise ValueError("key id must be non-empty and contain no dot")
    body = ".".join((PREFIX, key_id, _b64(card_id.encode()), str(int(expires_at.timestamp()))))
    signature = Ed25519PrivateKey.from_private_bytes(private_seed).sign(body.encode("ascii"))
    return f"{body}.{_b64(signature)}"


def looks_like_ecard(text: str) -> bool:
    return text.split(".", 1)[0] in (PREFIX, *RETIRED_PREFIXES) and text.count(".") == 4


def verify_signature(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Ed25519 verification with a raw public key: the one place a kiosk checks a signature."""
    if len(public_key) != PUBLIC_KEY_BYTES:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def verify(token: str, keys: Mapping[str, bytes], now: datetime) -> ECard:
    """Check signature and expiry against public keys; raise ECardError saying what is wrong."""
    parts = token.strip().split(".")
    if len(parts) == 5 and parts[0] in RETIRED_PREFIXES:
        raise ECardError("old-style e-card (SF1): no longer accepted, a new one is needed")
    if len(parts) != 5 or parts[0] != PREFIX or not token.isascii():
        # Every part is base64url or ASCII digits: anything else (a lone surrogate, Arabic
        # or full-width digits that int() would take) is not a card we issued.
        raise ECardError("not a Shufang e-card")
    _, key_id, card_b64, expiry, signature = parts
    key = keys.get(key_id)
    if key is None:
        raise ECardError(f"unknown e-card key id {key_id!r}")
    body = ".".join(parts[:4])
    try:
        if not (expiry.isdigit() and len(expiry) <= MAX_EXPIRY_DIGITS):
            raise ValueError("expiry is not unix seconds")
        given = _unb64(signature)
        card_id = _unb64(card_b64).decode("utf-8")
        expires_at = datetime.fromtimestamp(int(expiry), UTC)
    except (ValueError, binascii.Error, OverflowError, OSError):
        # OSError: the C library's own limit on a huge timestamp (EOVERFLOW); a bad UTF-8
        # card id is a ValueError (UnicodeDecodeError)
        raise ECardError("damaged e-card") from None
    if not verify_signature(key, body.encode("ascii"), given):
        raise ECardError("e-card signature does not match")
    if now >= expires_at:
        raise ECardError("e-card has expired", expired=True)
    return ECard(card_id=card_id, key_id=key_id, expires_at=expires_at)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
