"""The central service's config file, read alike by ``shufang central serve`` and the admin
commands (enrol, revoke, import), so a token is always issued into the database the service
uses.

Where it comes from, first found wins: ``--config FILE``, ``$SHUFANG_CENTRAL_CONFIG``,
``/etc/shufang/central.toml`` when it exists, else the built-in defaults. ``--db`` and
``$SHUFANG_CENTRAL_DB`` override the file's ``database.url``. Imports only the standard
library: ``kiosk.cli.central`` loads it without the web stack.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_CONFIG = "/etc/shufang/central.toml"
ENV_CONFIG = "SHUFANG_CENTRAL_CONFIG"
ENV_DB = "SHUFANG_CENTRAL_DB"
#: Without any config: a SQLite file in the current folder, for a demo or a test bench only.
DEFAULT_DB = "sqlite:///shufang-central.db"
#: Like the kiosks (``kiosk.timezone``): the fleet pages and each day's statistics are local.
DEFAULT_TIMEZONE = "Asia/Shanghai"

SAMPLE = f"""\
# Shufang central service: read by `shufang central serve` and by the admin commands
# (`shufang central enrol|revoke|import`), so both use the same database.
# Default location {DEFAULT_CONFIG}; another with --config FILE or ${ENV_CONFIG}.

[database]
# postgresql://user@host/name (a fleet) or sqlite:////var/lib/shufang-central/central.db
url = "postgresql://shufang-central@/shufang"

[service]
host = "127.0.0.1"
port = 8470
# API processes sharing the port (PostgreSQL only); or run several shufang-central@PORT units.
workers = 1
# The fleet pages' times and the statistics' days.
timezone = "{DEFAULT_TIMEZONE}"
# A kiosk without a heartbeat for this long counts as offline.
online_window_s = 180
# Log every request (off: request paths can carry card numbers).
access_log = false

# Alerts to the technicians (`shufang central alerts run`, its own service). Uncomment a
# channel to use it; this file then holds its keys: keep it readable only by the service.
[alerts]
# Rooms' opening hours (local time): nothing is sent outside them, and a kiosk switched
# off at night is not "offline". A policy with enforce_hours = true sets them instead.
opening_hours = "08:00-21:00"
offline_minutes = 15
fault_minutes = 30
out_of_service_minutes = 60
backlog_rows = 500
backlog_minutes = 360
remind_minutes = 240
# page_url = "https://central.example"
# wecom_webhooks = ["https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"]
# dingtalk = [{{ url = "https://oapi.dingtalk.com/robot/send?access_token=…", secret = "SEC…" }}]
# smtp = {{ host = "smtp.example", port = 587, starttls = true, username = "alerts",
#          password_file = "/etc/shufang/smtp-password", sender = "shufang@example",
#          to = ["tech@example"] }}
# (port 465 with ssl = true instead of starttls; cafile = "…" for a city's own CA)
"""


class CentralConfigError(ValueError):
    """The config file is missing, unreadable or has a wrong value; the message says which."""


@dataclass(frozen=True, slots=True)
class CentralConfig:
    db: str = DEFAULT_DB
    host: str = "127.0.0.1"
    port: int = 8470
    workers: int = 1
    timezone: str = DEFAULT_TIMEZONE
    online_window_s: int = 180
    access_log: bool = False
    #: The ``[alerts]`` table as written (checked by ``sync.central.alerts.settings.parse``
    #: when the file is read); None when the file has no such section.
    alerts: dict[str, object] | None = None
    #: The file these values came from; None for the built-in defaults.
    source: str | None = None


_FIELDS: dict[tuple[str, str], tuple[str, type]] = {
    ("database", "url"): ("db", str),
    ("service", "host"): ("host", str),
    ("service", "port"): ("port", int),
    ("service", "workers"): ("workers", int),
    ("service", "timezone"): ("timezone", str),
    ("service", "online_window_s"): ("online_window_s", int),
    ("service", "access_log"): ("access_log", bool),
}


def mode_warnings(config: CentralConfig) -> list[str]:
    """The central's files that other accounts may read: the config when it holds a secret
    (alert webhooks and mail settings, a database URL with a password) and a SQLite database
    (staff accounts, kiosk tokens, patrons and their PIN hashes). Empty when all is private."""
    from urllib.parse import urlsplit

    from kiosk.file_modes import database_files, exposure

    warnings = []
    secret = config.alerts is not None or bool(urlsplit(config.db).password)
    problem = exposure(config.source) if config.source and secret else None
    if problem:
        warnings.append(
            f"{config.source}: {problem}; it holds secrets (alert keys, database password): "
            "chown root:shufang-central and chmod 0640"
        )
    if config.db.startswith("sqlite:///"):
        for path in database_files(config.db.removeprefix("sqlite:///")):
            problem = exposure(path)
            if problem:
                warnings.append(
                    f"{path}: {problem}; it holds staff accounts, kiosk tokens and patrons: "
                    "chmod 0600"
                )
    return warnings


def config_path(explicit: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The file to read: the option, the environment, the default file if present, or None."""
    env = os.environ if environ is None else environ
    path = explicit or env.get(ENV_CONFIG)
    if path is None and os.path.exists(DEFAULT_CONFIG):
        path = DEFAULT_CONFIG
    return path


def load_central_config(
    explicit: str | None = None,
    db: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> CentralConfig:
    """The central's settings as the service will run with them (see the module docstring)."""
    env = os.environ if environ is None else environ
    path = config_path(explicit, env)
    values: dict[str, object] = {}
    if path is not None:
        values = _read(Path(path))
        values["source"] = path
    override = db or env.get(ENV_DB)
    if override:
        values["db"] = override
    config = CentralConfig(**values)  # type: ignore[arg-type]
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise CentralConfigError(f"{path}: unknown time zone {config.timezone!r}") from error
    return config


def _read(path: Path) -> dict[str, object]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CentralConfigError(f"{path}: cannot read: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise CentralConfigError(f"{path}: {error}") from error
    values: dict[str, object] = {}
    for section, table in data.items():
        if not isinstance(table, dict):
            raise CentralConfigError(f"{path}: {section} must be a [section]")
        if section == "alerts":
            from sync.central.alerts.settings import AlertSettingsError, parse

            try:
                parse(table)
            except AlertSettingsError as error:
                raise CentralConfigError(f"{path}: {error}") from None
            values["alerts"] = table
            continue
        for key, value in table.items():
            if (section, key) not in _FIELDS:
                raise CentralConfigError(f"{path}: unknown setting {section}.{key}")
            name, kind = _FIELDS[(section, key)]
            if type(value) is not kind:
                raise CentralConfigError(
                    f"{path}: {section}.{key} must be {kind.__name__}, not {value!r}"
                )
            values[name] = value
    return values
