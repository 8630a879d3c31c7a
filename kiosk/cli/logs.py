"""Logging for the long-running commands (``run``, ``sync``): journal-friendly, no patron data.

Under systemd (``$JOURNAL_STREAM`` set) each line starts with the sd-daemon(3) priority
prefix (``<4>`` for a warning) and carries no time stamp, since the journal adds one and
filters on the priority; elsewhere lines carry their time. Only the logger's name and the
message are written: the code logs ids and counts, never a reader's name, card or PIN.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import TextIO

#: sd-daemon(3) / syslog(3) priorities of Python's levels.
PRIORITIES = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}


class JournalFormatter(logging.Formatter):
    """``<N>name: message``; every line of a traceback gets the prefix too, so the journal
    keeps them at the record's priority."""

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{priority_of(record.levelno)}>"
        text = super().format(record)
        return "\n".join(prefix + line for line in text.splitlines() or [""])


def priority_of(level: int) -> int:
    for threshold in sorted(PRIORITIES, reverse=True):
        if level >= threshold:
            return PRIORITIES[threshold]
    return 7


def under_journal(environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    return bool(environ.get("JOURNAL_STREAM") or environ.get("INVOCATION_ID"))


def setup_logging(
    level: int = logging.INFO,
    *,
    stream: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> logging.Handler:
    """Send every ``shufang``/library record at ``level`` and above to stderr; returns the
    handler (replacing one an earlier call installed)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if under_journal(environ):
        handler.setFormatter(JournalFormatter("%(name)s: %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.set_name("shufang")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "shufang"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # nfcpy logs every frame it exchanges at DEBUG, card UIDs and resident ID chip numbers
    # included: --verbose must not put them in the journal
    logging.getLogger("nfc").setLevel(max(level, logging.INFO))
    return handler
