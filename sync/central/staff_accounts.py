"""Staff accounts for the pages: passwords as argon2id hashes, roles, throttled sign-in, audit.

Tokens (``auth``) stay for scripts and the API; people sign in to the pages with a username
and a password. A password is stored only as an argon2id hash (salted, memory-hard), so a
copied database does not give the passwords away. Repeated wrong passwords lock the account
for a while that doubles with each further failure, which makes guessing hopeless without
locking a colleague out for long. Every staff action worth asking about later is written to
``staff_audit`` in the same transaction as the action itself.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection

from sync.central.staff_tables import central_secrets, staff_accounts, staff_audit

#: Least to most: each role may do what the ones before it may.
ROLES = ("viewer", "technician", "administrator")
#: Wrong passwords in a row before the account locks.
FREE_ATTEMPTS = 5
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
#: Verified against when the username is unknown, so that case takes as long as a wrong
#: password and timing does not tell which usernames exist.
_DECOY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A staff command that cannot be done as asked (the message says why)."""


@dataclass(frozen=True, slots=True)
class Account:
    username: str
    role: str
    session_epoch: int


@dataclass(frozen=True, slots=True)
class Locked:
    """Too many wrong passwords: no password is checked until ``until``."""

    until: datetime


def may(role: str, needed: str) -> bool:
    """Whether ``role`` includes what ``needed`` may do (unknown roles may nothing)."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not (2 <= len(name) <= 64) or not set(name) <= USERNAME_CHARS:
        raise AccountError(
            "a username is 2–64 characters: lower-case letters, digits, '.', '_' or '-'"
        )
    return name


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")


def add(
    conn: Connection, username: str, password: str, role: str, now: datetime, actor: str
) -> Account:
    name = check_username(username)
    check_password(password)
    _check_role(role)
    if _row(conn, name) is not None:
        raise AccountError(f"{name} exists already (use passwd, or disable it first)")
    conn.execute(
        staff_accounts.insert().values(
            username=name, password_hash=_hasher.hash(password), role=role, created_at=now
        )
    )
    audit(conn, now, actor, "staff.add", name, f"role={role}")
    return Account(name, role, 0)


def set_password(conn: Connection, username: str, password: str, now: datetime, actor: str) -> None:
    """A new password also unlocks the account and ends its sessions."""
    name = check_username(username)
    check_password(password)
    _change_ending_sessions(
        conn, _existing(conn, name),
        password_hash=_hasher.hash(password), failed_signins=0, locked_until=None,
        disabled_at=None,
    )  # fmt: skip
    audit(conn, now, actor, "staff.passwd", name)


def set_role(conn: Connection, username: str, role: str, now: datetime, actor: str) -> None:
    name = check_username(username)
    _check_role(role)
    row = _existing(conn, name)
    _change_ending_sessions(conn, row, role=role)
    audit(conn, now, actor, "staff.role", name, f"{row.role} -> {role}")


def disable(conn: Connection, username: str, now: datetime, actor: str) -> None:
    """The account stays (the audit log names it) but can no longer sign in."""
    name = check_username(username)
    _change_ending_sessions(conn, _existing(conn, name), disabled_at=now)
    audit(conn, now, actor, "staff.disable", name)


def authenticate(
    conn: Connection, username: str, password: str, now: datetime
) -> Account | Locked | None:
    """The account for a right password; ``Locked`` while throttled; else None.

    Run in a writing transaction: a failure is counted, a success clears the count.
    """
    try:
        name = check_username(username)
    except AccountError:
        name = ""
    row = _row(conn, name, for_update=True) if name else None
    if row is None or row.disabled_at is not None:
        _verify(_DECOY_HASH, password)
        return None
    if row.locked_until is not None and row.locked_until > now:
        return Locked(row.locked_until)
    if not _verify(row.password_hash, password):
        failures = row.failed_signins + 1
        locked_until = None
        if failures >= FREE_ATTEMPTS:
            lock = min(FIRST_LOCK * 2 ** (failures - FREE_ATTEMPTS), LONGEST_LOCK)
            locked_until = now + lock
        conn.execute(
            staff_accounts.update()
            .where(staff_accounts.c.username == name)
            .values(failed_signins=failures, locked_until=locked_until)
        )
        audit(conn, now, name, "signin.failed", name, f"failures={failures}")
        return Locked(locked_until) if locked_until else None
    values: dict[str, object] = {"failed_signins": 0, "locked_until": None, "last_signin_at": now}
    if _hasher.check_needs_rehash(row.password_hash):
        values["password_hash"] = _hasher.hash(password)
    conn.execute(staff_accounts.update().where(staff_accounts.c.username == name).values(values))
    audit(conn, now, name, "signin", name)
    return Account(name, row.role, row.session_epoch)


def active_account(conn: Connection, username: str) -> Account | None:
    row = _row(conn, username)
    if row is None or row.disabled_at is not None:
        return None
    return Account(row.username, row.role, row.session_epoch)


def accounts(conn: Connection) -> list[sa.Row[tuple[object, ...]]]:
    return list(
        conn.execute(
            sa.select(
                staff_accounts.c.username,
                staff_accounts.c.role,
                staff_accounts.c.created_at,
                staff_accounts.c.disabled_at,
                staff_accounts.c.last_signin_at,
                staff_accounts.c.locked_until,
            ).order_by(staff_accounts.c.username)
        )
    )


def audit(
    conn: Connection, now: datetime, actor: str, action: str, subject: str = "", detail: str = ""
) -> None:
    conn.execute(
        staff_audit.insert().values(
            at=now, actor=actor, action=action, subject=subject, detail=detail[:2000]
        )
    )


def audit_log(conn: Connection, limit: int = 200) -> list[sa.Row[tuple[object, ...]]]:
    return list(conn.execute(sa.select(staff_audit).order_by(staff_audit.c.id.desc()).limit(limit)))


#: The key that signs staff sessions and their forms' CSRF tokens.
SESSION_SECRET = "staff-sessions"


def ensure_secret(conn: Connection, name: str, now: datetime) -> None:
    """Make a random secret, shared by every process on this database (the migration does)."""
    found = conn.execute(
        sa.select(central_secrets.c.name).where(central_secrets.c.name == name)
    ).first()
    if found is None:
        conn.execute(
            central_secrets.insert().values(name=name, value=secrets.token_hex(32), created_at=now)
        )


def server_secret(conn: Connection, name: str) -> bytes:
    row = conn.execute(
        sa.select(central_secrets.c.value).where(central_secrets.c.name == name)
    ).first()
    if row is None:
        raise LookupError(f"no {name} secret: run the central's migration")
    return bytes.fromhex(row.value)


def _existing(conn: Connection, name: str) -> sa.Row[tuple[object, ...]]:
    row = _row(conn, name)
    if row is None:
        raise AccountError(f"no staff account {name}")
    return row


def _change_ending_sessions(
    conn: Connection, row: sa.Row[tuple[object, ...]], **values: object
) -> None:
    """Change an account and end its sessions (the cookies carry the old epoch)."""
    conn.execute(
        staff_accounts.update()
        .where(staff_accounts.c.username == row.username)
        .values(session_epoch=row.session_epoch + 1, **values)
    )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _row(
    conn: Connection, name: str, for_update: bool = False
) -> sa.Row[tuple[object, ...]] | None:
    query = sa.select(staff_accounts).where(staff_accounts.c.username == name)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).first()
