"""``shufang demo``: the kiosk with simulated hardware and demo data, on one machine."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from kiosk.cli.common import Subcommands
from kiosk.config import Config


def register(subparsers: Subcommands) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the kiosk with simulated devices and demo data",
        description="Seed a demo database and run the kiosk with simulated hardware and a "
        "simulator panel. Where there is no display (or with --headless) a scripted tour "
        "drives the real screens offscreen, prints each step and saves screenshots.",
    )
    parser.add_argument(
        "--dir",
        metavar="DIR",
        help="folder for the demo database, receipts and screenshots "
        "(default: a new temporary folder)",
    )
    parser.add_argument(
        "--headless",
        action="store_true",
        help="run the scripted tour offscreen even if a display exists",
    )
    parser.add_argument(
        "--scenario",
        metavar="FILE",
        help="with --headless: run this scenario (one step per line) instead of the built-in "
        "one; a JSON summary is printed at the end",
    )
    parser.add_argument(
        "--uhf",
        action="store_true",
        help="items carry UHF tags (ISO/TS 28560-4) on an LLRP reader emulator at "
        "llrp://127.0.0.1:PORT instead of HF tags on the simulated pad",
    )
    parser.add_argument(
        "--core-only",
        action="store_true",
        help="print the circulation core walkthrough without any UI",
    )
    parser.set_defaults(func=run_demo)


#: The demo's own e-card key pair: it stands in for the central, which alone signs e-cards
#: in a real fleet. The private seed is in the code for all to see, so its public key goes
#: only into the demo's config; no real kiosk trusts "demo1".
DEMO_ECARD_KEY_ID = "demo1"
DEMO_ECARD_SEED = b"shufang-demo-ecard-key-000000000"


def demo_config(folder: Path) -> Config:
    from kiosk import ecard
    from kiosk.config.loader import defaults

    public = ecard.encode_key(ecard.public_key_of(DEMO_ECARD_SEED))
    return defaults().replace(
        database__path=str(folder / "kiosk.db"),
        kiosk__id="demo-kiosk-01",
        kiosk__isil="CN-110000-1",
        kiosk__branch="main",
        kiosk__branch_name="朝阳城市书房",
        # A made-up help line and page, so the demo shows what a room without staff offers.
        kiosk__help_phone="010-6402 8888",
        kiosk__help_url="https://library.example/help",
        ecard__keys={DEMO_ECARD_KEY_ID: public},
        upstream__kind="none",
        # spoken prompts rendered into the demo's folder; a library's recordings would go in
        # voice/ there (e.g. voice/borrow.place_items.zh_CN.wav)
        voice__cache_folder=str(folder / "voice-cache"),
        voice__override_folder=str(folder / "voice"),
    )


def run_demo(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from kiosk.core import open_core
    from kiosk.demo.seed import seed

    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="shufang-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    config = demo_config(folder)
    core = open_core(config)
    counts = seed(
        core.store, isil=config["kiosk.isil"], branch=config["kiosk.branch"], now=datetime.now(UTC)
    )
    print(
        f"Shufang demo: {counts['items']} items, {counts['patrons']} patrons (PIN 1234), "
        f"folder {folder}"
    )
    if args.core_only:
        from kiosk.demo.walkthrough import run_walkthrough

        online = {"up": True}
        core.circulation.set_online_source(lambda: online["up"])
        run_walkthrough(core, lambda up: online.update(up=up))
        core.close()
        return 0
    core.close()
    headless = args.headless or not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return _run_ui(config, folder, headless, args.scenario, uhf=args.uhf)


def _run_ui(
    config: Config, folder: Path, headless: bool, scenario: str | None = None, *, uhf: bool = False
) -> int:
    from kiosk.cli.run import start_kiosk
    from kiosk.core import open_core
    from ui.app import application

    llrp = None
    if uhf:  # a UHF reader on the network, as an LLRP emulator on 127.0.0.1
        from drivers.rfid.emulators.llrp import LlrpEmulator, LlrpEmulatorServer
        from drivers.rfid.field import TagField

        llrp = LlrpEmulatorServer(LlrpEmulator(TagField())).start()
        config = config.replace(devices__rfid=llrp.uri)
        print(f"UHF reader (LLRP emulator) at {llrp.uri}")
    central, config = _start_central(config, folder)
    daemon, switch = _start_daemon(config)

    def set_online(up: bool) -> None:
        switch.down = not up  # the cable: the daemon meets a real outage and says so
        daemon.wake()

    app = application()
    process = start_kiosk(config, receipt_folder=str(folder / "receipts"))
    station, kiosk = process.station, process.controller
    if llrp is not None:
        from drivers.rfid.emulators.uhf_tags import UhfPadHands

        station.hands = UhfPadHands(
            llrp.llrp.field, isil=config["kiosk.isil"], afi_secured=config["policy.afi_secured"]
        )
    control = open_core(config)  # the demo's own handle for its switches
    print(
        f"central service {central.url}  fleet page {central.url}/dashboard  "
        f"(sign in as {central.staff_name}, password {central.staff_password})  "
        f"API staff token {central.staff_token}"
    )
    try:
        if headless:
            return _run_scenario(
                kiosk,
                station,
                control,
                folder,
                scenario,
                set_online,
                daemon=daemon,
                central=central,
            )
        from kiosk.demo.seed import DEMO_ID_CARD_CHIP
        from ui.simulator import DemoCard, DemoItem, SimulatorPanel

        items = [DemoItem(i.pii, i.title, i.set_size) for i in _demo_items(control)]
        cards = [
            DemoCard(c, note, _ecard(c))
            for c, note in (
                ("P0001", "adult"),
                ("P0002", "adult"),
                ("C0001", "child"),
                ("P0090", "expired"),
                ("P0091", "lost"),
                ("P0092", "fines"),
            )
        ]
        cards.append(DemoCard(DEMO_ID_CARD_CHIP, "ID card 身份证", resident_id=True))
        panel = SimulatorPanel(
            station.hands,
            kiosk.events,
            items,
            cards,
            scan=station.raw_scanner.scan,
            tap=lambda card: station.raw_card.tap(b"\x04" + card.encode()[:6], ndef_texts=(card,)),
            tap_id_card=lambda chip: station.raw_card.tap(
                bytes.fromhex(chip), "106B", resident_id=True
            ),
            set_online=set_online,
            set_out_of_service=control.set_out_of_service,
        )
        kiosk.window.resize(1000, 1000)
        kiosk.window.show()
        panel.show()
        return app.exec()
    finally:
        control.close()
        process.stop()
        daemon.stop()
        central.stop()
        if llrp is not None:
            llrp.stop()


def _ecard(card: str) -> str:
    """A QR e-card for the demo's simulator panel, signed as the central would sign it."""
    from datetime import UTC, datetime, timedelta

    from kiosk import ecard

    expires = datetime.now(UTC) + timedelta(days=1)
    return ecard.sign(card, DEMO_ECARD_KEY_ID, DEMO_ECARD_SEED, expires)


def _start_central(config: Config, folder: Path) -> tuple[Any, Config]:
    """An embedded central service on SQLite holding the same catalog and patrons."""
    from kiosk.store import Store
    from sync.daemon.embedded import seed_from_store, start_embedded_central

    central = start_embedded_central(
        folder / "central.db", config["kiosk.id"], config["kiosk.branch"]
    )
    store = Store(config["database.path"])
    seed_from_store(central, store)
    store.close()
    config = config.replace(
        upstream__kind="central",
        upstream__url=central.url,
        upstream__token=central.kiosk_token,
        sync__heartbeat_s=5,
    )
    return central, config


def _start_daemon(config: Config) -> tuple[Any, Any]:  # (SyncDaemon, NetworkSwitch)
    """The sync daemon on a thread, behind a switch that can 'pull the network cable'."""
    from kiosk.store import Store
    from sync.daemon.central_client import DaemonClient
    from sync.daemon.embedded import NetworkSwitch
    from sync.daemon.loop import SyncDaemon
    from sync.daemon.settings import SyncSettings

    settings = SyncSettings.from_config(config)
    switch = NetworkSwitch(DaemonClient(settings.url, settings.token, timeout=settings.timeout_s))
    store = Store(config["database.path"], busy_timeout_ms=config["database.busy_timeout_ms"])
    return SyncDaemon(store, switch, settings).start(), switch


def _voice_summary(kiosk: Any) -> dict[str, Any]:
    """What the kiosk said, or would have said where there is no audio device: prompt keys
    and their words (counts and due dates only; prompts never hold a reader's details)."""
    voice = kiosk.guide.voice
    if voice.player is not None:
        voice.wait_until_quiet(timeout_s=120)
    return {
        "audible": voice.audible,
        "device": voice.device_present,
        "prompts": [
            {"key": s["key"], "language": s["language"], "text": s["text"], "silent": s["silent"]}
            for s in voice.spoken
        ],
    }


def _demo_items(core: Any) -> list[Any]:  # a kiosk Core -> its Items
    wanted = [
        "100001",
        "100004",
        "100007",
        "100010",
        "100013",
        "100016",
        "100019",
        "100003",
        "100181",
        "300001",
        "300002",
        "300003",
        "300004",
    ]
    return [item for item in (core.store.items.get(p) for p in wanted) if item is not None]


def _run_scenario(
    kiosk: Any,
    station: Any,
    control: Any,
    folder: Path,
    scenario: str | None,
    set_online: Any,
    *,
    daemon: Any = None,
    central: Any = None,
) -> int:
    import json
    import time

    from ui.scenario import BUILTIN, Hands, ScenarioRunner

    path = Path(scenario) if scenario else BUILTIN
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        print(f"shufang: cannot read scenario {path}: {error}")
        return 2
    hands = Hands(
        pad=station.hands,
        scan=station.raw_scanner.scan,
        tap=lambda card: station.raw_card.tap(b"\x04" + card.encode()[:6], ndef_texts=(card,)),
        set_online=set_online,
        ecard=_ecard,
    )
    summary = ScenarioRunner(kiosk, hands, folder / "screenshots").run(text, path.name)
    store = control.store
    if daemon is not None:  # give the daemon its moment: everything queued should arrive
        daemon.wake()
        deadline = time.monotonic() + 20
        while store.journal.outbox_depth() and time.monotonic() < deadline:
            time.sleep(0.1)
    report = summary.to_json_dict()
    report["journal"] = {
        "rows": store.counts()["journal"],
        "waiting_for_upstream": store.journal.outbox_depth(),
        "integrity_ok": not store.integrity_problems(),
    }
    report["receipts"] = sorted(str(p) for p in (folder / "receipts").glob("*.png"))
    report["voice"] = _voice_summary(kiosk)
    if central is not None:
        from sync.daemon.embedded import what_central_knows

        report["central"] = what_central_knows(central)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if summary.ok else 1
