"""The central's fixtures (a real server on SQLite and on the suite's PostgreSQL), by name."""

from tests.central.conftest import central, central_clock, db_url  # noqa: F401
