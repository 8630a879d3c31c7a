"""What every request handler needs: the engine, the clock and the settings of one app."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

from kiosk.clock import Clock
from sync.central.auth import TokenCache
from sync.central.beat_writer import HeartbeatWriter
from sync.central.settings import CentralSettings
from sync.central.throttle import AddressThrottle

T = TypeVar("T")

#: Threads for database work of async handlers. Few on purpose: one process gains nothing
#: from more Python threads than its database round trips can overlap, and forty threads
#: fighting for the interpreter lock cost more CPU than the work itself.
DB_THREADS = 4


@dataclass(frozen=True, slots=True)
class Runtime:
    engine: Engine
    clock: Clock
    settings: CentralSettings
    tokens: TokenCache = field(default_factory=TokenCache)
    signins: AddressThrottle = field(default_factory=AddressThrottle)
    heartbeats: HeartbeatWriter = field(init=False)
    db_threads: ThreadPoolExecutor = field(init=False)

    def __post_init__(self) -> None:
        writer = HeartbeatWriter(self.engine, self.settings.online_window)
        object.__setattr__(self, "heartbeats", writer)
        threads = ThreadPoolExecutor(DB_THREADS, thread_name_prefix="central-db")
        object.__setattr__(self, "db_threads", threads)

    async def run_db(self, work: Callable[..., T], *args: Any) -> T:
        """Run blocking database ``work`` on the runtime's few database threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.db_threads, functools.partial(work, *args))
