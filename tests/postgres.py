"""A throwaway PostgreSQL cluster for tests and benchmarks, started from Debian's binaries.

``initdb`` runs as the ``postgres`` user into a temporary directory and the server listens
on 127.0.0.1 only. When it cannot start, callers fail and say why; nothing is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa

from sync.central.server import free_port

PG_BIN = Path(os.environ.get("SHUFANG_PG_BIN", "/usr/lib/postgresql/15/bin"))


class PostgresServer:
    """A throwaway PostgreSQL cluster on 127.0.0.1, one database per test."""

    def __init__(self, durable: bool = False) -> None:
        """``durable`` keeps PostgreSQL's defaults (fsync, synchronous commit), as in
        production, for benchmarks; tests trade them for speed."""
        self.durable = durable
        self.base = Path(tempfile.mkdtemp(prefix="shufang-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *argv: str) -> None:
        command = [str(PG_BIN / argv[0]), *argv[1:]]
        if self.as_root:  # initdb and pg_ctl refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "LC_ALL": "C.UTF-8"},
        )
        if done.returncode:
            log = self.base / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(
                f"{' '.join(argv[:2])} failed ({done.returncode}):\n"
                f"{done.stdout}{done.stderr}{tail}"
            )

    def start(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError(
                f"no PostgreSQL server binaries in {PG_BIN} "
                "(install Debian's postgresql or set SHUFANG_PG_BIN)"
            )
        if self.as_root:
            shutil.chown(self.base, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self._pg_ctl_start()

    def _pg_ctl_start(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
        options += "-c max_connections=200"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.base / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )

    def restart(self) -> None:
        """Stop (ending every connection) and start again on the same port and data."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self._pg_ctl_start()

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _admin(self, statement: str) -> None:
        engine = sa.create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(statement)
        finally:
            engine.dispose()

    def create_database(self) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        self._admin(f"CREATE DATABASE {name}")
        return name

    def drop_database(self, name: str) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
