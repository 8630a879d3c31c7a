"""Packaging files stay true to the code: every command a unit runs exists, the units are
set up the way cage and systemd document, the udev rules and modprobe file are generated
from the supported models, whose NFC ids are nfcpy's own."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from drivers import usb_models
from kiosk.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "packaging" / "systemd"


def subcommands() -> set[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return set(action.choices)


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """A unit file as section -> key -> every value given (systemd allows repeats)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text().splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
        elif line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            current.setdefault(key, []).append(value)
    return sections


def test_every_unit_runs_an_existing_shufang_command():
    known = subcommands()
    units = sorted(UNITS.glob("*.service"))
    assert len(units) == 4
    for path in units:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(path)
        for key in ("ExecStart", "ExecStartPre"):
            command = parser["Service"].get(key)
            if not command or "/usr/bin/shufang" not in command:
                continue
            words = shlex.split(command)
            name = words[words.index("/usr/bin/shufang") + 1]
            assert name in known, f"{path.name}: shufang {name} does not exist"


def test_the_touch_screen_unit_is_set_up_as_cages_guide_prescribes():
    """Issue #15: the cage unit lacked the TTY, PAM session and seat settings of cage's
    "Starting Cage on boot with systemd" (cage-kiosk/cage wiki), so no screen showed."""
    kiosk = unit("shufang-kiosk.service")
    service, section = kiosk["Service"], kiosk["Unit"]
    for key, value in {
        "TTYPath": "/dev/tty1",
        "TTYReset": "yes",
        "TTYVHangup": "yes",
        "TTYVTDisallocate": "yes",
        "StandardInput": "tty-fail",
        "UtmpIdentifier": "tty1",
        "UtmpMode": "user",
        "PAMName": "shufang-kiosk",
        "User": "shufang",
    }.items():
        assert service[key] == [value], key
    assert "getty@tty1.service" in section["Conflicts"]
    assert any("systemd-logind.service" in v for v in section["Wants"])
    assert section["ConditionPathExists"] == ["/dev/tty0"]
    cage = shlex.split(service["ExecStart"][0])
    assert cage[0] == "/usr/bin/cage" and "-s" not in cage  # -s would allow VT switching
    assert any("consoleblank" in v for v in service["ExecStartPre"])  # no screen blanking
    assert {"audio", "dialout", "input", "plugdev"} <= set(
        service["SupplementaryGroups"][0].split()
    )
    pam = (ROOT / "packaging" / "pam" / "shufang-kiosk").read_text()
    assert re.search(r"^session\s+required\s+pam_systemd\.so", pam, re.M)


@pytest.mark.parametrize(
    "name",
    [
        "shufang-kiosk.service",
        "shufang-sync.service",
        "shufang-central@.service",
        "shufang-central-alerts.service",
    ],
)
def test_every_service_is_watched_and_hardened(name):
    service = unit(name)["Service"]
    assert service["Type"] == ["notify"]
    assert int(service["WatchdogSec"][0]) >= 10
    for key in ("NoNewPrivileges", "PrivateTmp", "ProtectKernelModules", "RestrictSUIDSGID"):
        assert service[key] == ["yes"], key
    assert service["ProtectSystem"] == ["strict"]
    assert service["Restart"] == ["always"]
    assert "CapabilityBoundingSet" in service


def test_the_kiosk_unit_accepts_notifications_from_the_app_cage_starts():
    assert unit("shufang-kiosk.service")["Service"]["NotifyAccess"] == ["all"]


def test_several_central_instances_share_one_config():
    central = unit("shufang-central@.service")["Service"]
    assert "--port %i" in central["ExecStart"][0]
    assert central["Environment"] == ["SHUFANG_CENTRAL_CONFIG=/etc/shufang/central.toml"]


def test_the_udev_rules_and_modprobe_file_are_generated_from_the_models():
    rules = (ROOT / "packaging" / "udev" / "70-shufang.rules").read_text()
    assert rules == usb_models.udev_rules(), "run: python -m drivers.usb_models rules > …"
    modprobe = (ROOT / "packaging" / "modprobe" / "shufang-nfc.conf").read_text()
    assert modprobe == usb_models.modprobe_conf(), "run: python -m drivers.usb_models modprobe"


def test_udev_rules_are_well_formed_and_name_every_kind():
    links = set()
    for line in (ROOT / "packaging" / "udev" / "70-shufang.rules").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert "==" in line and 'GROUP="shufang"' in line and 'MODE="0660"' in line, line
            assert line.count('"') % 2 == 0, line
            links.update(re.findall(r'SYMLINK\+="([^"]+)"', line))
    assert links == {"shufang/rfid", "shufang/scanner", "shufang/printer", "shufang/nfc"}


def test_every_usb_nfc_reader_nfcpy_drives_has_a_rule():
    """The ids come from nfcpy's own table, not from us (only the PN531s are left out:
    no kernel driver takes them and no kiosk maker ships them)."""
    from nfc.clf.device import usb_device_map

    ours = {(m.vendor, m.product) for m in usb_models.MODELS if m.kind == "nfc"}
    theirs = {ids for ids, chip in usb_device_map.items() if chip != "pn531"}
    assert ours == theirs


def test_the_kernel_nfc_drivers_are_blacklisted():
    """Issue #15: pn533/port100 grabbed the readers. port100 binds the RC-S380 (054c:06c1,
    054c:06c3, linux drivers/nfc/port100.c); pn533_usb the others."""
    conf = (ROOT / "packaging" / "modprobe" / "shufang-nfc.conf").read_text()
    blacklisted = set(re.findall(r"^blacklist (\S+)$", conf, re.M))
    assert blacklisted == {"pn533", "pn533_usb", "port100"}


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_systemd_analyze_security_scores_the_services_as_documented():
    """docs/install.md lists the exposure each unit gets; the figures stay true."""
    doc = (ROOT / "docs" / "install.md").read_text()
    for path in sorted(UNITS.glob("*.service")):
        out = subprocess.run(
            ["systemd-analyze", "security", "--offline=true", "--no-pager", str(path)],
            capture_output=True, text=True, check=False,
        ).stdout  # fmt: skip
        score = re.search(r"Overall exposure level for \S+: (\d+\.\d+) (\w+)", out)
        assert score, out[-500:]
        assert f"| `{path.name}` | {score[1]} {score[2]} |" in doc, (path.name, score[0])
