"""Staff sign-in sessions as signed cookies, and the CSRF token of the forms they post.

The cookie carries the username, an expiry and the account's session epoch, signed with an
HMAC under the server's secret (``central_secrets``, shared through the database, so every
API process checks it without a sessions table). A new password, a role change or disabling
the account bumps the epoch, which ends every older session at once; the lifetime bounds a
forgotten browser.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection

from sync.central import staff_accounts
from sync.central.staff_accounts import Account

COOKIE = "shufang_staff"
#: A working day and a bit: staff sign in once per shift, a forgotten browser logs out.
LIFETIME = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class StaffSession:
    name: str
    role: str
    expires_at: datetime
    #: Goes into every form this session posts; a page on another site cannot know it.
    csrf: str

    def may(self, needed: str) -> bool:
        return staff_accounts.may(self.role, needed)


def cookie_for(conn: Connection, account: Account, now: datetime) -> str:
    expires = int((now + LIFETIME).timestamp())
    return _seal(account.username, expires, account.session_epoch, _secret(conn))


def session_for(conn: Connection, cookie: str | None, now: datetime) -> StaffSession | None:
    """The session a cookie proves, or None when forged, expired or its account changed."""
    if not cookie:
        return None
    parts = cookie.split(".")
    if len(parts) != 4:
        return None
    encoded_name, expires_text, epoch_text, signature = parts
    try:
        name = base64.urlsafe_b64decode(encoded_name + "=" * (-len(encoded_name) % 4)).decode()
        expires = int(expires_text)
        epoch = int(epoch_text)
    except (ValueError, UnicodeDecodeError):
        return None
    secret = _secret(conn)
    expected = _seal(name, expires, epoch, secret).rsplit(".", 1)[1]
    if not hmac.compare_digest(expected, signature):
        return None
    expires_at = datetime.fromtimestamp(expires, tz=now.tzinfo)
    if expires_at <= now:
        return None
    account = staff_accounts.active_account(conn, name)
    if account is None or account.session_epoch != epoch:
        return None
    csrf = hmac.new(secret, f"csrf|{cookie}".encode(), hashlib.sha256).hexdigest()[:32]
    return StaffSession(name=name, role=account.role, expires_at=expires_at, csrf=csrf)


def _secret(conn: Connection) -> bytes:
    return staff_accounts.server_secret(conn, staff_accounts.SESSION_SECRET)


def _seal(name: str, expires: int, epoch: int, key: bytes) -> str:
    encoded = base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")
    message = f"shufang-staff-session|{encoded}|{expires}|{epoch}".encode()
    signature = hmac.new(key, message, hashlib.sha256).hexdigest()
    return f"{encoded}.{expires}.{epoch}.{signature}"
