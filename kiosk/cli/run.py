"""``shufang run``: the touch UI process with the devices named in the config.

Also the wiring ``shufang demo`` reuses: core on a worker thread, device station on driver
threads, and the controller in between.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.cli.common import Subcommands, add_config_options, config_or_fail
from kiosk.config import Config

if TYPE_CHECKING:
    from kiosk.core import Core

log = logging.getLogger(__name__)


def register(subparsers: Subcommands) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run the kiosk's touch screen with the configured devices",
        description="Start the touch UI. Devices come from [devices] in the config; the "
        "database is shared with `shufang sync`.",
    )
    add_config_options(parser)
    parser.add_argument(
        "--windowed",
        action="store_true",
        help="a normal window instead of full screen (for a desk)",
    )
    parser.add_argument("--verbose", action="store_true", help="log debug messages too")
    parser.set_defaults(func=run)


@dataclass
class KioskProcess:
    """Everything one kiosk UI process holds, so it can be stopped in order."""

    controller: Any
    station: Any

    def stop(self) -> None:
        self.station.stop()
        self.controller.stop()


def start_kiosk(
    config: Config, *, receipt_folder: str | None = None, **controller_options: Any
) -> KioskProcess:
    """The composition root: build the device station and the controller from ``config``
    and connect them (a Qt application must exist). The devices' callbacks are bound to
    the screen's device inbox, made first, so neither needs the other to be built."""
    from drivers.station import DeviceStation, StationCallbacks, StationConfig
    from kiosk.clock import SystemClock
    from kiosk.fault_log import StoreFaults
    from kiosk.store import Store
    from ui.app import build_controller
    from ui.device_watch import watch_devices
    from ui.devices import DeviceEvents
    from ui.diagnostics import context_from, install, restart_application

    events = DeviceEvents()
    callbacks = StationCallbacks(
        on_item=events.place,
        on_gone=events.remove,
        on_unreadable=events.unreadable_tag,
        on_scan=events.scan,
        on_card=events.tap,
        on_seen=events.seen,
    )
    # Device threads report faults through their own connection: short writes, WAL, and
    # the busy timeout keep them from disturbing the core worker's transactions.
    fault_store = Store(config["database.path"], busy_timeout_ms=config["database.busy_timeout_ms"])
    station = DeviceStation(
        StationConfig(
            rfid=config["devices.rfid"],
            scanner=config["devices.scanner"],
            card=config["devices.card"],
            printer=config["devices.printer"],
            poll_hz=config["devices.rfid_poll_hz"],
            afi_secured=config["policy.afi_secured"],
            afi_on_loan=config["policy.afi_on_loan"],
            isil=config["kiosk.isil"],
            tag_format=config["policy.tag_format"],
            card_number_rules=config["devices.card_number_rules"],
            receipt_folder=receipt_folder,
        ),
        StoreFaults(fault_store, SystemClock()),
        callbacks,
    )
    controller = build_controller(
        config,
        core_factory=core_factory(config),
        security=station.security,
        printer=station.printer,
        events=events,
        **controller_options,
    )
    watch_devices(controller, station.health)
    context = context_from(
        config,
        reader=station.reader,
        printer=station.printer,
        health=station.health,
        restart=restart_application,
    )
    context.voice = controller.guide.voice
    install(controller, context)
    station.start()
    return KioskProcess(controller, station)


def core_factory(config: Config) -> Callable[[], Core]:
    """Opens the core on the worker thread; with a SIP2 library system as the upstream, the
    library system decides online and the core decides offline when it allows that."""
    from kiosk.core import open_core

    def make() -> Core:
        core = open_core(config)
        if config["upstream.kind"] == "sip2":
            from sync.sip2.config import connector_from
            from sync.sip2.live import LiveCirculation

            connector = connector_from(config, core.store)
            core.closers.append(connector.client.close)
            core.circulation.set_online_source(connector.upstream.online)
            # the library system's path answers the same calls as the local rules (#12)
            core.circulation = LiveCirculation(  # type: ignore[assignment]
                core.circulation, connector.upstream
            )
        elif config["upstream.kind"] == "central":
            # Readers whose PIN hash this kiosk does not hold (pin_hash_scope) are checked
            # by the central while it answers.
            from sync.link.pin_check import central_pin_check

            core.circulation.pin_checker = central_pin_check(
                config["upstream.url"], config["upstream.token"], config["upstream.timeout_s"]
            )
        return core

    return make


def run(args: argparse.Namespace) -> int:
    from kiosk.cli.logs import setup_logging
    from kiosk.cli.sdnotify import Notifier

    setup_logging(logging.DEBUG if args.verbose else logging.INFO)
    config = config_or_fail(args)
    if isinstance(config, int):
        return config
    from ui.screen_fit import apply_scale

    apply_scale(config["ui.scale"])  # before Qt builds the application, which reads it once
    from ui.app import application
    from ui.watchdog import feed_from_event_loop

    app = application()
    process = start_kiosk(config)
    notifier = Notifier()
    feed_from_event_loop(app, notifier)
    log.info(
        "kiosk %s starting, watchdog %s",
        config["kiosk.id"],
        f"fed every {notifier.watchdog_interval_s:g} s" if notifier.watchdog_interval_s else "off",
    )
    window = process.controller.window
    if args.windowed:
        window.resize(1080, 1920) if config["ui.orientation"] == "portrait" else window.resize(
            1920, 1080
        )
        window.show()
    else:
        window.showFullScreen()
        check_fit(window, config)
    try:
        return app.exec()
    finally:
        notifier.stopping()
        process.stop()
        notifier.close()


def check_fit(window: Any, config: Config) -> None:
    """Say in the log when the screen is smaller than the layout, and the ui.scale that
    fits: a cut-off home screen is otherwise only seen by walking up to the kiosk."""
    from ui.screen_fit import fitting_scale

    hint, screen = window.minimumSizeHint(), window.screen().geometry()
    fit = fitting_scale(
        (hint.width(), hint.height()), (screen.width(), screen.height()), config["ui.scale"]
    )
    if fit is not None:
        log.warning(
            "the screen (%dx%d) is smaller than the layout needs (%dx%d): set ui.scale = %.2f",
            screen.width(), screen.height(), hint.width(), hint.height(), fit,
        )  # fmt: skip
