"""Running the service with uvicorn: foreground for ``serve``, a thread for demo and tests."""

from __future__ import annotations

import asyncio
import socket
import threading
from types import TracebackType
from typing import TYPE_CHECKING

import uvicorn
from fastapi import FastAPI

if TYPE_CHECKING:
    from kiosk.cli.sdnotify import Notifier


def serve(
    app: FastAPI, host: str, port: int, log_level: str = "info", access_log: bool = False
) -> None:
    """Access logs are off by default: request paths can carry card numbers.

    Under a ``Type=notify`` unit it says READY=1 once it listens and feeds the watchdog
    from its event loop, so a loop that stops turning gets the instance restarted."""
    from kiosk.cli.sdnotify import Notifier

    settle_garbage_collector()
    config = uvicorn.Config(
        app, host=host, port=port, log_level=log_level, access_log=access_log, proxy_headers=True
    )
    notifier = Notifier()
    try:
        _NotifyingServer(config, notifier).run()
    finally:
        notifier.close()


class _NotifyingServer(uvicorn.Server):
    """uvicorn's server that tells systemd it is ready and feeds the watchdog from its loop."""

    def __init__(self, config: uvicorn.Config, notifier: Notifier) -> None:
        super().__init__(config)
        self._notifier = notifier
        self._feeding: asyncio.Task[None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.started:
            return
        self._notifier.ready(f"serving on {self.config.host}:{self.config.port}")
        interval = self._notifier.watchdog_interval_s
        if interval:
            self._feeding = asyncio.get_running_loop().create_task(self._feed(interval))

    async def _feed(self, interval: float) -> None:
        while not self.should_exit:
            self._notifier.watchdog()
            await asyncio.sleep(interval)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._notifier.stopping()
        if self._feeding is not None:
            self._feeding.cancel()
        await super().shutdown(sockets=sockets)


def settle_garbage_collector() -> None:
    """Move everything loaded at start-up out of the collector's sight (``gc.freeze``).

    The framework, SQLAlchemy's caches and the app are hundreds of thousands of objects that
    live as long as the process; without this, each full collection walks them all and
    stalls every request in flight for tens of milliseconds.
    """
    import gc

    gc.collect()
    gc.freeze()


def serve_workers(
    db: str,
    workers: int,
    host: str,
    port: int,
    *,
    online_window: int,
    timezone: str,
    access_log: bool = False,
) -> None:
    """Several API processes on one port (uvicorn's supervisor), each building its own app.

    The workers are fresh processes, so the settings travel in the environment and
    ``app_from_environment`` reads them back. The database must already be migrated.
    """
    import os

    os.environ.update(
        {
            ENV_DB: db,
            ENV_ONLINE_WINDOW: str(online_window),
            ENV_TIMEZONE: timezone,
        }
    )
    uvicorn.run(
        "sync.central.server:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        access_log=access_log,
        proxy_headers=True,
    )


ENV_DB = "SHUFANG_CENTRAL_DB"
ENV_ONLINE_WINDOW = "SHUFANG_CENTRAL_ONLINE_WINDOW"
ENV_TIMEZONE = "SHUFANG_CENTRAL_TIMEZONE"


def app_from_environment() -> FastAPI:
    """The app a ``serve_workers`` worker runs (already migrated by the parent)."""
    import os

    from sync.central.app import create_app
    from sync.central.settings import CentralSettings

    settings = CentralSettings.from_options(
        int(os.environ[ENV_ONLINE_WINDOW]), os.environ[ENV_TIMEZONE]
    )
    app = create_app(os.environ[ENV_DB], settings=settings, migrate_now=False)
    settle_garbage_collector()
    return app


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


class _SignallingServer(uvicorn.Server):
    """uvicorn's server, telling a waiting thread the moment it listens."""

    def __init__(self, config: uvicorn.Config, listening: threading.Event) -> None:
        super().__init__(config)
        self._listening = listening

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._listening.set()


class BackgroundServer:
    """A real uvicorn server on a thread, for the embedded demo service and API tests."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning", lifespan="off")
        self._listening = threading.Event()
        self._server = _SignallingServer(config, self._listening)
        self._thread = threading.Thread(target=self._server.run, name="central-api", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        self._thread.start()
        if not self._listening.wait(timeout):
            self.stop()
            raise RuntimeError(f"central service did not start on {self.url}")
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
