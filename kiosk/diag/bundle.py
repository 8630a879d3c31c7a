"""The diagnostics bundle: what a technician takes away on a USB stick, with no secrets in it.

Config (secrets replaced), the fault log, a database integrity report with the health checks,
and the tail of each log file. No patron, loan or journal rows are copied: counts only.
"""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk import __version__
from kiosk.clock import to_text
from kiosk.config import Config
from kiosk.diag.checks import SECRET_SETTINGS, Check
from kiosk.store import Store

# SECRET_SETTINGS (from checks): never written to a bundle.
REDACTED = "<redacted>"
LOG_TAIL_BYTES = 1_000_000
FAULT_LIMIT = 2000


def redacted_config(config: Config) -> dict[str, Any]:
    """Every setting; secrets that are set become ``<redacted>`` (empty ones stay empty)."""
    return {
        key: (REDACTED if key in SECRET_SETTINGS and value else value)
        for key, value in sorted(config.values.items())
    }


def bundle_files(
    *,
    config: Config,
    store: Store,
    at: datetime,
    checks: Sequence[Check] = (),
    log_paths: Iterable[str | Path] = (),
) -> dict[str, bytes]:
    """File name inside the bundle -> content."""
    faults = [
        {k: to_text(v) if isinstance(v, datetime) else v for k, v in asdict(f).items()}
        for f in store.faults.recent(limit=FAULT_LIMIT)
    ]
    integrity = {
        "problems": store.integrity_problems(),
        "schema_steps": store.schema_steps(),
        "row_counts": store.counts(),
        "outbox_depth": store.journal.outbox_depth(),
        "checks": [c.to_json_dict() for c in checks],
    }
    manifest = {
        "kiosk_id": config["kiosk.id"],
        "branch": config["kiosk.branch"],
        "software": __version__,
        "created_at": to_text(at),
        "config_source": config.source,
    }
    files = {
        "manifest.json": _json(manifest),
        "config.json": _json(redacted_config(config)),
        "faults.json": _json(faults),
        "integrity.json": _json(integrity),
    }
    for path in map(Path, log_paths):
        if path.is_file():
            files[f"logs/{path.name}"] = _tail(path)
    return files


def export_bundle(target: str | Path, files: dict[str, bytes], stem: str) -> Path:
    """Write ``files`` to ``target``: a ``.zip`` or ``.tar.gz`` file, else into a new folder.

    A folder target (a USB stick's mount point) gets a subfolder named ``stem``, so two
    exports never overwrite each other.
    """
    target = Path(target)
    name = target.name.lower()
    if name.endswith(".zip"):
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for inner, content in files.items():
                archive.writestr(f"{stem}/{inner}", content)
        return target
    if name.endswith((".tar.gz", ".tgz")):
        target.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(target, "w:gz") as archive:
            for inner, content in files.items():
                info = tarfile.TarInfo(f"{stem}/{inner}")
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
        return target
    folder = target / stem
    for inner, content in files.items():
        path = folder / inner
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return folder


def bundle_stem(kiosk_id: str, at: datetime) -> str:
    return f"shufang-diag-{kiosk_id}-{at:%Y%m%dT%H%M%SZ}"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def _tail(path: Path) -> bytes:
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - LOG_TAIL_BYTES))
        return handle.read()
