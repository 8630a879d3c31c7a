"""Packaging files stay true to the code: every command a unit runs exists."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

from kiosk.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def subcommands() -> set[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return set(action.choices)


def test_every_unit_runs_an_existing_shufang_command():
    known = subcommands()
    units = sorted((ROOT / "packaging" / "systemd").glob("*.service"))
    assert units
    for unit in units:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(unit)
        for key in ("ExecStart", "ExecStartPre"):
            command = parser["Service"].get(key)
            if not command:
                continue
            words = shlex.split(command)
            name = words[words.index("/usr/bin/shufang") + 1]
            assert name in known, f"{unit.name}: shufang {name} does not exist"


def test_udev_rules_are_well_formed():
    for line in (ROOT / "packaging" / "udev" / "70-shufang.rules").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert "==" in line and ("SYMLINK+=" in line or "MODE=" in line), line
