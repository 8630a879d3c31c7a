"""Health checks shared by diagnostics mode and ``shufang diag``: each says ok, warning or fail.

They read the store and the config only; device checks get a probe from the caller, because
opening a device is the composition root's business, not the core's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from kiosk.config import Config, check_file
from kiosk.core import link_state
from kiosk.file_modes import database_files, exposure
from kiosk.store import SCHEMA_VERSION, Store
from kiosk.store.state import OFFLINE_SINCE_KEY, OUT_OF_SERVICE_KEY

#: Unsent journal rows above which the sync queue is worth a look (about a busy day offline).
OUTBOX_WARNING = 200
DEVICE_KINDS = ("rfid", "scanner", "card", "printer")
FAILING_SEVERITIES = frozenset({"error", "critical"})

#: ``probe(kind, uri)`` opens and closes one device; returns "" when it works, else why not.
DeviceProbe = Callable[[str, str], str]


class Status(StrEnum):
    OK = "ok"
    WARNING = "warning"
    FAIL = "fail"


@dataclass(frozen=True)
class Check:
    """One line of a health report; ``name`` is stable (``database.integrity``) for scripts."""

    name: str
    status: Status
    detail: str
    value: str = ""  # the measured thing alone (a count, a time, names), for screens to word

    @property
    def failed(self) -> bool:
        return self.status is Status.FAIL

    def to_json_dict(self) -> dict[str, str]:
        return {**asdict(self), "status": self.status.value}


def config_check(path: str | Path | None) -> Check:
    if path is None:
        return Check("config", Status.WARNING, "no config file: built-in defaults are in use")
    issues = check_file(path)
    if issues:
        return Check("config", Status.FAIL, "; ".join(str(i) for i in issues))
    return Check("config", Status.OK, f"{path} is valid")


#: Credentials and the technician's own keys: never in a bundle, and a config holding any
#: of them must not be open to other accounts.
SECRET_SETTINGS = ("upstream.token", "ecard.keys", "technician.pin_hash", "technician.cards")
#: What to do about a file others can read (DESIGN: config 0640 root:shufang, data private).
CONFIG_MODE_ADVICE = "it holds secrets ({}): chown root:shufang and chmod 0640"
DATABASE_MODE_ADVICE = (
    "it holds patrons, PIN hashes and loans: chown shufang and chmod 0600 (with -wal, -shm)"
)


def file_mode_checks(config_path: str | Path | None, config: Config) -> list[Check]:
    """Warn about the config (when it holds a secret) and the database when their modes let
    other accounts in; a config without secrets (like the sample) may be world-readable."""
    checks = []
    secrets = [key for key in SECRET_SETTINGS if config[key]]
    if config_path is not None and Path(config_path).is_file() and secrets:
        problem = exposure(config_path)
        advice = CONFIG_MODE_ADVICE.format(", ".join(secrets))
        checks.append(
            Check("files.config", Status.WARNING, f"{config_path}: {problem}; {advice}")
            if problem
            else Check("files.config", Status.OK, f"{config_path} is not open to other accounts")
        )
    database = config["database.path"]
    problems = [f"{p}: {exposure(p)}" for p in database_files(database) if exposure(p)]
    if problems:
        detail = f"{'; '.join(problems)}; {DATABASE_MODE_ADVICE}"
        checks.append(Check("files.database", Status.WARNING, detail))
    elif Path(database).is_file():
        checks.append(
            Check("files.database", Status.OK, f"{database} is not open to other accounts")
        )
    return checks


def technician_check(config: Config) -> Check:
    if not config["technician.pin_hash"] and not config["technician.cards"]:
        return Check(
            "technician", Status.WARNING, "no technician PIN or card: diagnostics mode is locked"
        )
    return Check("technician", Status.OK, "diagnostics mode can be opened")


def database_checks(store: Store) -> list[Check]:
    problems = store.integrity_problems()
    integrity = (
        Check("database.integrity", Status.FAIL, "; ".join(problems[:5]))
        if problems
        else Check("database.integrity", Status.OK, "integrity and foreign-key checks pass")
    )
    steps = len(store.schema_steps())
    schema = Check(
        "database.schema",
        Status.OK if steps == SCHEMA_VERSION else Status.FAIL,
        f"schema step {steps} of {SCHEMA_VERSION}",
    )
    return [integrity, schema]


def sync_checks(store: Store, config: Config | None = None) -> list[Check]:
    """Network as the sync daemon last saw it, and the queue of rows not yet sent.

    With the ``config`` (``shufang diag``), a kiosk that cannot have synced (no token) or
    whose daemon never finished a pass says "never synced" instead of the flag's default.
    """
    network = _never_synced(store, config) if config is not None else None
    if network is None:
        online = link_state(store) is not False
        since = store.state.get(OFFLINE_SINCE_KEY) or "unknown"
        network = (
            Check("network", Status.OK, "upstream answered recently")
            if online
            else Check(
                "network",
                Status.WARNING,
                f"offline since {since}: lending decides locally",
                since,
            )
        )
    depth = store.journal.outbox_depth()
    outbox = Check(
        "sync.outbox",
        Status.WARNING if depth > OUTBOX_WARNING else Status.OK,
        f"{depth} journal rows waiting to be sent",
        str(depth),
    )
    return [network, outbox]


def _never_synced(store: Store, config: Config) -> Check | None:
    kind = config["upstream.kind"]
    if kind == "none":
        return Check("network", Status.OK, "no upstream configured: lending decides locally")
    if kind == "central" and not config["upstream.token"]:
        return Check(
            "network",
            Status.WARNING,
            "never synced: upstream.token is empty (enrol with `shufang central enrol`)",
            "never",
        )
    if link_state(store) is None:  # the daemon writes it after its first pass
        return Check(
            "network",
            Status.WARNING,
            "never synced: the sync daemon has not reached the upstream yet "
            "(`systemctl status shufang-sync`, `shufang sync --once`)",
            "never",
        )
    return None


def service_check(store: Store) -> Check:
    if store.state.get(OUT_OF_SERVICE_KEY):
        return Check("service", Status.WARNING, "out of service (set by a technician)")
    return Check("service", Status.OK, "in service")


def faults_check(store: Store) -> Check:
    open_faults = [
        f for f in store.faults.recent(open_only=True, limit=1000) if f.severity != "info"
    ]
    failing = [f for f in open_faults if f.severity in FAILING_SEVERITIES]
    names = ", ".join(sorted({f"{f.device}/{f.code}" for f in open_faults}))
    if failing:
        return Check("faults", Status.FAIL, f"{len(open_faults)} open: {names}", names)
    if open_faults:
        return Check("faults", Status.WARNING, f"{len(open_faults)} open: {names}", names)
    return Check("faults", Status.OK, "no open faults")


def transfer_box_check(store: Store) -> Check:
    """What the 调拨 box by the kiosk should hold: books returned here that rotation plans
    send to other rooms (issue #17), by room; staff take them along with the pick list."""
    rooms = store.rotations.returned_for_rooms()
    total = sum(n for _, n in rooms)
    if not total:
        return Check("rotation.box", Status.OK, "no books for other rooms", "")
    value = ", ".join(f"{room} {n}" for room, n in rooms)
    return Check("rotation.box", Status.OK, f"{total} books for other rooms: {value}", value)


def store_checks(
    store: Store, *, integrity: bool = True, config: Config | None = None
) -> list[Check]:
    """Everything that needs only the database: what the diagnostics status page shows.

    ``integrity=False`` skips the integrity scan, which reads the whole file: the status page
    runs it once when shown, and the cheap checks every few seconds.
    """
    database = database_checks(store) if integrity else []
    return [
        *database,
        *sync_checks(store, config),
        service_check(store),
        faults_check(store),
        transfer_box_check(store),
    ]


def device_checks(config: Config, probe: DeviceProbe) -> list[Check]:
    checks = []
    for kind in DEVICE_KINDS:
        uri = config[f"devices.{kind}"]
        name = f"device.{kind}"
        if uri == "none":
            checks.append(Check(name, Status.OK, "not installed (none)"))
            continue
        problem = probe(kind, uri)
        checks.append(
            Check(name, Status.FAIL, f"{uri}: {problem}")
            if problem
            else Check(name, Status.OK, f"{uri} opens")
        )
    return checks


def all_failed(checks: Iterable[Check]) -> list[Check]:
    return [c for c in checks if c.failed]
