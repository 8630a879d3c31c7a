"""Technician diagnostics without Qt: health checks, tag tools and the diagnostics bundle."""

from __future__ import annotations

#: Device name of the records diagnostics mode writes to the fault log (severity "info").
DIAG_DEVICE = "diagnostics"
#: Exit status of ``shufang run`` when a technician asks for a restart; the systemd unit
#: restarts on it (``RestartForceExitStatus=75``), so a restart is never mistaken for a crash.
RESTART_EXIT_CODE = 75
