"""Technician diagnostics mode: entry by card or gesture + PIN, device self-tests, tag tools."""

from __future__ import annotations

from ui.diagnostics.context import DiagnosticsContext, context_from
from ui.diagnostics.mode import DiagnosticsMode, install, restart_application

__all__ = [
    "DiagnosticsContext",
    "DiagnosticsMode",
    "context_from",
    "install",
    "restart_application",
]
