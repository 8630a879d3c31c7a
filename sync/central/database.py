"""Engines and transactions for SQLite and PostgreSQL behind one code path."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar, TypeVarTuple, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from kiosk.store.database import create_private

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

#: PostgreSQL error codes after which a whole write transaction may simply be run again.
RETRYABLE_PGCODES = frozenset({"40001", "40P01"})  # serialization failure, deadlock


#: Every database failure, for callers in ``kiosk/`` (the CLI), which may not import
#: SQLAlchemy themselves (tests/unit/test_import_rules.py).
DatabaseError = sa.exc.SQLAlchemyError


def normalize_url(db: str) -> str:
    """Accept ``postgresql://``, ``postgres://``, ``sqlite:///file`` or a bare file path."""
    if db.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    if "://" not in db:
        return "sqlite:///" + os.path.abspath(db)
    return db


def holds_central_schema(db: str) -> bool:
    """Whether ``db`` already is a central database, found without creating anything: an
    admin command run against the wrong URL must not start a new, empty database."""
    url = sa.engine.make_url(normalize_url(db))
    if url.get_backend_name() == "sqlite":
        path = url.database
        if not path or path == ":memory:" or not os.path.isfile(path):
            return False
        import sqlite3
        from urllib.parse import quote

        with closing(
            sqlite3.connect(f"file:{quote(os.path.abspath(path))}?mode=ro", uri=True)
        ) as conn:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            ).fetchone()
        return found is not None
    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            return sa.inspect(conn).has_table("schema_migrations")
    finally:
        engine.dispose()


def make_engine(db: str) -> Engine:
    """An engine whose transactions behave the same on both databases.

    SQLite gets WAL and ``BEGIN IMMEDIATE`` for writes, so two writers queue on the lock
    instead of failing half way with "database is locked" when a read upgrades to a write.
    """
    url = normalize_url(db)
    if url.startswith("sqlite"):
        file = sa.engine.make_url(url).database
        if file and file != ":memory:" and not file.startswith("file:"):
            create_private(file)  # staff sessions, kiosk tokens and patrons live in it
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _make_sqlite_transactional(engine)
        return engine
    # No pre-ping: it costs a round trip per transaction. After a database restart the first
    # use of a dead pooled connection fails, SQLAlchemy then recycles the whole pool, and
    # ``write_with_retry`` runs the write again on a fresh connection.
    # No JIT: compiling a query with LLVM takes 100-300 ms, a stall for every request waiting
    # on it, and gains nothing on short OLTP statements like these.
    return sa.create_engine(
        url, pool_size=40, max_overflow=10, connect_args={"options": "-c jit=off"}
    )


def _make_sqlite_transactional(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the driver) emit BEGIN, so savepoints and IMMEDIATE work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")  # revoked keys, replaced PIN hashes: zeroed
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get("shufang_read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction: committed on success, rolled back on any error."""
    with engine.begin() as conn:
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """One read-only transaction (a plain deferred BEGIN on SQLite)."""
    with engine.connect().execution_options(shufang_read_only=True) as conn, conn.begin():
        yield conn


def write_with_retry(engine: Engine, work: Callable[[Connection], T], attempts: int = 5) -> T:
    """Run ``work`` in a write transaction, again from scratch after losing a race.

    Losing means a PostgreSQL deadlock or serialization failure, or a unique constraint
    broken by a transaction that committed first. All of ``work`` rolled back, so repeating it
    is safe, and the repeat sees the winner's rows (a duplicate, a loan already taken).
    A connection found dead (the database restarted) is also a reason to run again; should
    it have died just after a commit, the repeat finds its own rows as duplicates.
    """
    for attempt in range(attempts):
        try:
            with writing(engine) as conn:
                return work(conn)
        except sa.exc.IntegrityError:
            if attempt == attempts - 1:
                raise
        except sa.exc.DBAPIError as error:
            code = getattr(error.orig, "sqlstate", None)
            again = error.connection_invalidated or code in RETRYABLE_PGCODES
            if not again or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def tuples(conn: Connection, query: sa.Select[*Ts]) -> Iterator[tuple[*Ts]]:
    """The rows of ``query``, typed as the plain tuples they unpack as.

    SQLAlchemy 2.1 deprecates ``Result.tuples()`` and ``Row._tuple()`` because its ``Row``
    is declared a ``Tuple[*Ts]`` for type checkers; mypy still loses the column types when it
    unpacks a class derived from a variadic tuple. The cast (nothing at run time) states
    what SQLAlchemy declares, in this one place.
    """
    for row in conn.execute(query):
        yield cast("tuple[*Ts]", row)


def insert_row(conn: Connection, insert: sa.Insert) -> int:
    """Run a one-row ``insert`` and return the id the database gave the row."""
    key = conn.execute(insert).inserted_primary_key
    assert key is not None  # an INSERT into a table with a key always has one
    row_id: int = key[0]
    return row_id


def keyed_select(
    key: sa.Column[Any],
    *columns: sa.Column[Any],
    lock: bool = False,
    where: sa.ColumnElement[bool] | None = None,
) -> sa.Select[Any]:
    """``key`` and ``columns`` (every column of the table when none are named) of the rows
    whose ``key`` is in the bound list ``keys``; run it with :func:`rows_for_keys`.

    Built once, a hot path reads only the columns it decides on. With ``lock`` the rows are
    locked FOR UPDATE in key order (PostgreSQL; SQLite's write lock already serialises
    writers): taking locks in one global order is what keeps two batches lending the same
    books in different orders from deadlocking.
    """
    picked = columns or tuple(c for c in key.table.c if c is not key)
    query = sa.select(key, *picked).where(key.in_(sa.bindparam("keys", expanding=True)))
    if where is not None:
        query = query.where(where)
    if lock:
        query = query.order_by(key).with_for_update()
    return query


def rows_for_keys(conn: Connection, query: sa.Select[Any], keys: Iterable[str]) -> dict[str, Any]:
    """Rows of a :func:`keyed_select` by key, looked up in chunks, since SQLite limits the
    bound parameters of one statement."""
    found: dict[str, Any] = {}
    unique = sorted(set(keys))
    for start in range(0, len(unique), 500):
        for row in conn.execute(query, {"keys": unique[start : start + 500]}):
            found[row[0]] = row
    return found


def rows_by_key(
    conn: Connection,
    column: sa.Column[Any],
    keys: Iterable[str],
    *,
    lock: bool = False,
    where: sa.ColumnElement[bool] | None = None,
) -> dict[str, Any]:
    """Whole rows of ``column``'s table whose ``column`` is one of ``keys``, by key."""
    return rows_for_keys(conn, keyed_select(column, lock=lock, where=where), keys)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, stored naive in UTC on both databases."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a naive datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)
