"""What every request handler needs: the engine, the clock and the settings of one app."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from kiosk.clock import Clock
from sync.central.settings import CentralSettings


@dataclass(frozen=True, slots=True)
class Runtime:
    engine: Engine
    clock: Clock
    settings: CentralSettings
