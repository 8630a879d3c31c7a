"""``shufang central alerts``: send the technicians alerts (run as its own service), once, or a
test message to check the channels.

One alert process per database is enough, however many API processes serve it; two would
not double messages (the run takes PostgreSQL's advisory lock) but would only wait.
"""

from __future__ import annotations

import argparse
import sys
import time

from kiosk.cli.central import CentralConfig, _add_config, _admin, _engine
from kiosk.cli.common import Subcommands


def register(actions: Subcommands) -> None:
    alerts = actions.add_parser(
        "alerts",
        help="alerts to WeCom / DingTalk group robots and e-mail ([alerts] in the config)",
        description="Evaluate the alert rules and tell the configured channels. "
        "`run` loops (the shufang-central-alerts service), `run-once` is one round "
        "(cron, tests), `test` sends a test message to every channel.",
    )
    commands = alerts.add_subparsers(
        dest="alerts_action", metavar="COMMAND", required=True, help="what to do"
    )
    for name, text in (
        ("run", "evaluate and send every --interval seconds until stopped"),
        ("run-once", "evaluate and send once, print what happened"),
        ("test", "send a test message to every configured channel"),
    ):
        command = commands.add_parser(name, help=text, description=text[0].upper() + text[1:])
        if name == "run":
            command.add_argument(
                "--interval", type=int, default=60, metavar="SECONDS", help="between rounds"
            )
        _add_config(command, admin=True)
        command.set_defaults(func=run_alerts)


@_admin
def run_alerts(args: argparse.Namespace, config: CentralConfig) -> int:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from kiosk.cli.sdnotify import Notifier
    from kiosk.clock import SystemClock
    from sync.central.alerts import channels as channel_module
    from sync.central.alerts import engine as alert_engine
    from sync.central.alerts.settings import parse
    from sync.central.database import DatabaseError

    settings = parse(config.alerts or {})
    channels = channel_module.channels_for(settings)
    if not channels:
        print("shufang: no alert channel configured ([alerts] in the config)", file=sys.stderr)
        return 2
    tz = ZoneInfo(config.timezone)
    if args.alerts_action == "test":
        message = channel_module.Message(
            subject="书房设备告警：测试消息 Shufang test alert",
            markdown="### 书房设备告警 测试\n- 这是一条测试消息，说明告警通道可用。 (test message)",
            text="这是一条测试消息，说明告警通道可用。\nThis test message shows the channel works.",
        )
        failed = 0
        for channel in channels:
            try:
                channel.send(message)
                print(f"{channel.name}: sent")
            except channel_module.DeliveryError as error:
                print(f"{channel.name}: FAILED {error}", file=sys.stderr)
                failed += 1
        return 1 if failed else 0
    try:
        engine = _engine(config.db, create=args.create)
    except DatabaseError as error:  # the service's restart will try again
        print(f"shufang: cannot reach the database: {type(error).__name__}", file=sys.stderr)
        return 1
    window = timedelta(seconds=config.online_window_s)
    clock = SystemClock()
    notifier = Notifier()
    try:
        while True:
            try:
                report = alert_engine.run_once(engine, clock.now(), tz, settings, channels, window)
            except DatabaseError as error:
                # The database restarting is no reason to stop: try again next round.
                print(f"shufang: alert round failed: {type(error).__name__}", file=sys.stderr)
                if args.alerts_action == "run-once":
                    return 1
                time.sleep(max(args.interval, 5))
                continue
            if report is not None and (report.opened or report.resolved or report.failed):
                print(
                    f"opened {report.opened}, reminded {report.reminded}, resolved "
                    f"{report.resolved}, sent {report.sent}, failed {report.failed}"
                    + (" (outside opening hours: held)" if report.quiet else ""),
                    flush=True,
                )
            if args.alerts_action == "run-once":
                return 1 if report is not None and report.failed else 0
            notifier.ready("alerts running")  # repeated READY=1 is harmless
            notifier.watchdog()
            time.sleep(max(args.interval, 5))
    except KeyboardInterrupt:
        return 0
    finally:
        notifier.close()
        engine.dispose()
