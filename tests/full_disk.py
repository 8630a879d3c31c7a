"""A real full disk for tests: a small tmpfs of its own, filled to the last byte.

SQLite then meets ENOSPC exactly as on a kiosk's full SD card ("database or disk is full",
SQLITE_FULL); nothing in the code under test is replaced. Mounting needs root, which CI and
the project's machines have; elsewhere the test fails saying so rather than skipping.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def mounted_small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB filesystem of its own (tmpfs), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.fail("mounting a small tmpfs needs root (CI and the project's machines run as root)")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Write a filler file until the filesystem refuses another byte."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            pass
        try:
            while True:
                out.write(b"\0")
        except OSError:
            pass
    return filler


@contextmanager
def read_only(disk: Path) -> Iterator[None]:
    """The filesystem remounted read-only (a failing SD card that the kernel remounts so,
    or a technician's mistake), then writable again on leaving."""
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    try:
        yield
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
