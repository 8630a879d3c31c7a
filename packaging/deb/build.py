#!/usr/bin/env python3
"""Builds the Debian packages: ``shufang`` (the virtual environment under /opt/shufang with
the core and ``/usr/bin/shufang``), ``shufang-kiosk`` (Qt and the device libraries, units,
udev rules) and ``shufang-central`` (the web stack and its unit), so a kiosk never pulls in
the web stack and a server never pulls in Qt.

Every Python wheel is installed into the staged environment here, so installing needs no
network. The environment is built once and split by distribution (each one's RECORD says its
files): a distribution both sides need goes to ``shufang``. Run by ``make deb``; the standard
library and Debian's dpkg-deb only.

    python3 packaging/deb/build.py [--version 0.1.0-1] [--out dist] [--source .]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent


def _sibling(name: str) -> ModuleType:
    """A module next to this script, loaded by path as the tests load the script itself."""
    spec = importlib.util.spec_from_file_location(f"deb_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


package_files = _sibling("package_files")
PREFIX = package_files.PREFIX
#: Debian's Python, which the package depends on (not a pyenv or a venv on the build machine).
PYTHON = "/usr/bin/python3"
#: Roots of what only the touch screen and the devices need (and all they require).
KIOSK_ROOTS = {
    "pyside6-essentials",
    "pyserial",
    "nfcpy",
    "python-escpos",
    "pyusb",
    "evdev",
    "sllurp",  # UHF readers over LLRP (#18); GPL-3.0, so on kiosks only, never the central
}


def run(*command: str | Path, **options) -> subprocess.CompletedProcess:
    print("+", " ".join(str(c) for c in command), flush=True)
    return subprocess.run([str(c) for c in command], check=True, **options)


def project_version(source: Path) -> str:
    return tomllib.loads((source / "pyproject.toml").read_text())["project"]["version"]


def architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


# --- the environment ------------------------------------------------------------------------


def stage_environment(source: Path, work: Path, cache: Path) -> Path:
    """/opt/shufang as a venv under ``work/stage``, with shufang and every dependency."""
    stage = work / "stage"
    venv = stage / PREFIX.lstrip("/")
    run(PYTHON, "-m", "venv", venv)
    python = venv / "bin" / "python"
    wheels = work / "wheels"
    # A cache of its own: a wheel the build machine's other Pythons built from a source
    # release (evdev, nfcpy's pydes) would link against them, not against Debian's python3.
    env = {**os.environ, "PIP_CACHE_DIR": str(cache)}
    run(python, "-m", "pip", "install", "-q", "--upgrade", "pip", env=env)
    run(
        python, "-m", "pip", "wheel", "-q", "--wheel-dir", wheels, f"{source}[central,sip2]",
        env=env,
    )  # fmt: skip
    run(
        python, "-m", "pip", "install", "-q", "--no-index", "--no-compile",
        "--find-links", wheels, "shufang-kiosk[central,sip2]",
    )  # fmt: skip
    return venv


def distribution_files(venv: Path) -> dict[str, dict]:
    """name -> {"requires": [...], "extras_of": {...}, "files": [...]} from the staged venv."""
    probe = r"""
import json, re, sys
from importlib.metadata import distributions
from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name
out = {}
for dist in distributions():
    name = canonicalize_name(dist.metadata["Name"])
    needs = {"": []}
    for text in dist.requires or []:
        req = Requirement(text)
        extra = ""
        if req.marker is not None:
            if req.marker.evaluate({"extra": ""}):
                extra = ""
            else:
                found = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", str(req.marker))
                if not found:
                    continue  # another platform's dependency
                extra = canonicalize_name(found[1])
        needs.setdefault(extra, []).append(canonicalize_name(req.name))
    files = [str(dist.locate_file(f)) for f in dist.files or []]
    out[name] = {"needs": needs, "files": files}
json.dump(out, sys.stdout)
"""
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def closure(roots: set[str], dists: dict[str, dict]) -> set[str]:
    """``roots`` and what they need; an extra's needs count when they are installed (only
    the extras something asked for are, like psycopg[binary])."""
    seen: set[str] = set()
    todo = [r for r in roots if r in dists]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [n for group in dists[name]["needs"].values() for n in group if n in dists]
    return seen


def assign(dists: dict[str, dict]) -> dict[str, str]:
    """distribution -> Debian package."""
    own = dists["shufang-kiosk"]["needs"]
    central = closure(set(own.get("central", [])), dists)
    kiosk = closure(KIOSK_ROOTS, dists)
    common_roots = (set(own.get("", [])) | set(own.get("sip2", []))) - KIOSK_ROOTS
    common = closure(common_roots, dists) | {"shufang-kiosk", "pip", "setuptools"}
    owner = {}
    for name in dists:
        if name in common or (name in kiosk and name in central):
            owner[name] = "shufang"
        elif name in kiosk:
            owner[name] = "shufang-kiosk"
        elif name in central:
            owner[name] = "shufang-central"
        else:
            owner[name] = "shufang"
    return owner


def relocate(venv: Path) -> None:
    """Scripts and activation files name the staging folder: make them name /opt/shufang."""
    old = str(venv).encode()
    for path in [*(venv / "bin").iterdir(), venv / "pyvenv.cfg"]:
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        if old in data:
            path.write_bytes(data.replace(old, PREFIX.encode()))
    for direct_url in venv.glob("lib/python3*/site-packages/*.dist-info/direct_url.json"):
        direct_url.unlink()  # names the build folder; pip does not need it


def split(venv: Path, stage: Path, trees: dict[str, Path]) -> dict[str, list[str]]:
    """Move each distribution's files into its package tree; the rest of the venv (python
    links, activation scripts, pyvenv.cfg) goes to ``shufang``. Returns package -> dists."""
    dists = distribution_files(venv)
    owner = assign(dists)
    for cache in [p for p in venv.rglob("__pycache__") if p.is_dir()]:
        shutil.rmtree(cache)  # compiled on the target by py3compile (maintainer scripts)
    claimed: dict[Path, str] = {}
    for name, info in dists.items():
        for file in info["files"]:
            path = Path(os.path.normpath(file))
            if path.is_relative_to(venv) and (path.exists() or path.is_symlink()):
                if path.suffix == ".pyc" or "__pycache__" in path.parts:
                    continue
                previous = claimed.setdefault(path, owner[name])
                if previous != owner[name]:
                    raise SystemExit(f"{path} is in {previous} and {owner[name]}")
    for path in sorted(venv.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        package = claimed.get(path, "shufang")
        target = trees[package] / path.relative_to(stage)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(path, target)
    packages: dict[str, list[str]] = {p: [] for p in trees}
    for name, package in sorted(owner.items()):
        packages[package].append(name)
    return packages


def build(source: Path, out: Path, version: str, work: Path) -> list[Path]:
    arch = architecture()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    venv = stage_environment(source, work, work.parent / "pip-cache")
    relocate(venv)
    trees = {p: work / "trees" / p for p in package_files.DESCRIPTIONS}
    packages = split(venv, work / "stage", trees)
    built = []
    out.mkdir(parents=True, exist_ok=True)
    for package, tree in trees.items():
        package_files.add_files(package, tree, source)
        package_files.changelog(package, version, tree / "usr/share/doc" / package)
        package_files.control(package, version, arch, tree, packages[package])
        for path in tree.rglob("*"):  # dpkg keeps modes: no group/other write, ever
            if not path.is_symlink():
                mode = path.stat().st_mode & ~0o022
                if path.is_file() and (path.suffix == ".so" or ".so." in path.name):
                    mode &= ~0o111  # shared libraries are loaded, not run
                path.chmod(mode)
        target = out / f"{package}_{version}_{arch}.deb"
        run("dpkg-deb", "--root-owner-group", "-Zxz", "-z1", "--build", tree, target,
            stdout=subprocess.DEVNULL)  # fmt: skip
        built.append(target)
    return built


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=HERE.parents[1], help="source tree")
    parser.add_argument("--out", type=Path, default=Path("dist"), help="folder for the .debs")
    parser.add_argument("--work", type=Path, default=Path("build/deb"), help="scratch folder")
    parser.add_argument(
        "--version", help="Debian version (default: pyproject's version with revision -1)"
    )
    args = parser.parse_args()
    source = args.source.resolve()
    version = args.version or f"{project_version(source)}-1"
    for path in build(source, args.out.resolve(), version, args.work.resolve()):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
