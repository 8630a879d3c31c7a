"""Who may read the files that hold secrets or patron data: the check behind the warnings.

The config holds the kiosk's token, e-card keys and the technician's PIN hash; the database
holds patrons, PIN hashes and loans. Both are meant for the service user (and its group, as
the package installs the config 0640 root:shufang). ``shufang config check`` and
``shufang diag`` warn when a file lets every account on the machine read it, or lets the
group change it.
"""

from __future__ import annotations

import stat
from pathlib import Path

#: "other" may do nothing; the group may read (0640) but never write.
TOO_OPEN = stat.S_IRWXO | stat.S_IWGRP


def exposure(path: str | Path) -> str | None:
    """Why ``path``'s mode is too open (like "mode 0644: every account can read it"), or
    None when it is private enough or does not exist."""
    try:
        mode = stat.S_IMODE(Path(path).stat().st_mode)
    except OSError:
        return None
    if not mode & TOO_OPEN:
        return None
    who = []
    if mode & (stat.S_IROTH | stat.S_IWOTH):
        can = (
            "read and change"
            if mode & stat.S_IWOTH and mode & stat.S_IROTH
            else ("change" if mode & stat.S_IWOTH else "read")
        )
        who.append(f"every account can {can} it")
    if mode & stat.S_IWGRP:
        who.append("its group can change it")
    if not who:  # only execute for others
        who.append("other accounts have access to it")
    return f"mode {mode:04o}: {' and '.join(who)}"


def database_files(path: str | Path) -> list[Path]:
    """The database and the WAL files beside it (they hold the same data)."""
    base = Path(path)
    return [base, Path(f"{base}-wal"), Path(f"{base}-shm")]
