"""Staff sign-in sessions as signed cookies, keyed by the staff token's stored hash.

The cookie never holds the token. It carries the staff name and an expiry, signed with an
HMAC whose key is the token hash in ``staff_tokens``: every API process behind one database
can check it without a shared secret or a sessions table, and revoking or re-enrolling the
staff member (which changes or clears the hash) ends every session at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sync.central.auth import StaffIdentity, staff_for_token
from sync.central.schema import staff_tokens

COOKIE = "shufang_staff"
#: A working day and a bit: staff sign in once per shift, a forgotten browser logs out.
LIFETIME = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class StaffSession:
    name: str
    expires_at: datetime


def sign_in(conn: Connection, token: str, now: datetime) -> tuple[StaffIdentity, str] | None:
    """The identity and a cookie value for a valid staff token, else None."""
    identity = staff_for_token(conn, token.strip())
    if identity is None:
        return None
    key = _key(conn, identity.name)
    if key is None:  # revoked between the two reads
        return None
    return identity, _seal(identity.name, int((now + LIFETIME).timestamp()), key)


def session_for(conn: Connection, cookie: str | None, now: datetime) -> StaffSession | None:
    """The session a cookie proves, or None when it is forged, expired or its token revoked."""
    if not cookie:
        return None
    parts = cookie.split(".")
    if len(parts) != 3:
        return None
    encoded_name, expires_text, signature = parts
    try:
        name = base64.urlsafe_b64decode(encoded_name + "=" * (-len(encoded_name) % 4)).decode()
        expires = int(expires_text)
    except (ValueError, UnicodeDecodeError):
        return None
    key = _key(conn, name)
    if key is None:
        return None
    expected = _seal(name, expires, key).rsplit(".", 1)[1]
    if not hmac.compare_digest(expected, signature):
        return None
    expires_at = datetime.fromtimestamp(expires, tz=now.tzinfo)
    if expires_at <= now:
        return None
    return StaffSession(name=name, expires_at=expires_at)


def _key(conn: Connection, name: str) -> bytes | None:
    row = conn.execute(
        sa.select(staff_tokens.c.token_hash).where(
            staff_tokens.c.name == name, staff_tokens.c.revoked_at.is_(None)
        )
    ).first()
    return row.token_hash.encode() if row and row.token_hash else None


def _seal(name: str, expires: int, key: bytes) -> str:
    encoded = base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")
    message = f"shufang-staff-session|{encoded}|{expires}".encode()
    signature = hmac.new(key, message, hashlib.sha256).hexdigest()
    return f"{encoded}.{expires}.{signature}"
