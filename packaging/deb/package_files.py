"""What each Debian package carries besides its Python files: its maintainer name, Depends
and description, the units, rules and docs installed into its tree, and its DEBIAN/ control
files (control, conffiles, maintainer scripts, md5sums) and changelog. Used by ``build.py``."""

from __future__ import annotations

import gzip
import shutil
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Where the ``shufang`` package installs its environment (``build.py`` stages it there).
PREFIX = "/opt/shufang"
MAINTAINER = "Shufang maintainers <shufang-kiosk@users.noreply.github.com>"
#: Debian packages behind the wheels' native libraries and the appliance around them.
#: libc6: the wheels' native code is built for manylinux_2_28 (glibc 2.28) or newer.
COMMON_DEPENDS = ["python3 (>= 3.11~)", "python3 (<< 3.12)", "libc6 (>= 2.28)", "adduser"]
KIOSK_DEPENDS = [
    "cage",
    # Debian 12's cage (0.1.4) refuses to start when it cannot start Xwayland
    # ("Cannot create XWayland server"), although the kiosk itself speaks Wayland.
    "xwayland",
    "fonts-noto-cjk",
    "fontconfig",
    "alsa-utils",
    "espeak-ng",  # the spoken prompts (ui.voice), rendered offline
    "libpam-systemd",
    "libegl1",
    "libgl1",
    "libopengl0",
    "libxkbcommon0",
    "libfontconfig1",
    "libfreetype6",
    "libdbus-1-3",
    "libglib2.0-0",
    "libusb-1.0-0",
    "libwayland-client0",
    "libwayland-cursor0",
    "libwayland-egl1",
    "libxcb-cursor0",
    "libxkbcommon-x11-0",
    "libx11-xcb1",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xinerama0",
    "libxcb-xkb1",
]
DESCRIPTIONS = {
    "shufang": (
        "self-service lending kiosk for libraries (Shufang): core and command",
        "The Python environment under /opt/shufang with the circulation core, the sync\n"
        "daemon and the `shufang` command. Install shufang-kiosk on a kiosk and\n"
        "shufang-central on the fleet's server.",
    ),
    "shufang-kiosk": (
        "self-service lending kiosk for libraries (Shufang): touch screen and devices",
        "The touch screen under cage on tty1, the sync daemon, udev rules for the\n"
        "supported RFID readers, scanners, receipt printers and NFC readers, and the\n"
        "kiosk's configuration in /etc/shufang/kiosk.toml.",
    ),
    "shufang-central": (
        "self-service lending kiosk for libraries (Shufang): central service",
        "The fleet's central service (HTTP API and staff pages) on PostgreSQL or SQLite,\n"
        "one systemd instance per port, configured in /etc/shufang/central.toml.",
    ),
}


def install_file(source: Path, target: Path, mode: int = 0o644) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(mode)


def write(target: Path, text: str, mode: int = 0o644) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    target.chmod(mode)


def add_files(package: str, tree: Path, source: Path) -> None:
    pack = source / "packaging"
    if package == "shufang":
        link = tree / "usr/bin/shufang"
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(f"{PREFIX}/bin/shufang")
    elif package == "shufang-kiosk":
        for unit in ("shufang-kiosk.service", "shufang-sync.service"):
            install_file(pack / "systemd" / unit, tree / "lib/systemd/system" / unit)
        install_file(pack / "udev/70-shufang.rules", tree / "lib/udev/rules.d/70-shufang.rules")
        install_file(pack / "modprobe/shufang-nfc.conf", tree / "lib/modprobe.d/shufang-nfc.conf")
        install_file(pack / "pam/shufang-kiosk", tree / "etc/pam.d/shufang-kiosk")
        install_file(pack / "kiosk.sample.toml", tree / "etc/shufang/kiosk.toml", 0o640)
    elif package == "shufang-central":
        for unit in ("shufang-central@.service", "shufang-central-alerts.service"):
            install_file(pack / "systemd" / unit, tree / "lib/systemd/system" / unit)
        install_file(pack / "central.sample.toml", tree / "etc/shufang/central.toml", 0o640)
    doc = tree / "usr/share/doc" / package
    install_file(HERE / "copyright", doc / "copyright")
    if package != "shufang":
        for name in ("install.md", "operations.md"):
            install_file(source / "docs" / name, doc / name)
    overrides = HERE / f"{package}.lintian-overrides"
    if overrides.exists():
        install_file(overrides, tree / "usr/share/lintian/overrides" / package)


def changelog(package: str, version: str, doc: Path) -> None:
    """A one-entry Debian changelog (lintian wants one); the project's history is git's."""
    when = format_datetime(datetime.now(UTC).replace(microsecond=0))
    text = (
        f"{package} ({version}) bookworm; urgency=medium\n\n"
        f"  * Built from the Shufang source tree; see its git history.\n\n"
        f" -- {MAINTAINER}  {when}\n"
    )
    with gzip.GzipFile(doc / "changelog.Debian.gz", "wb", mtime=0) as out:
        out.write(text.encode())
    (doc / "changelog.Debian.gz").chmod(0o644)


def control(package: str, version: str, arch: str, tree: Path, dists: list[str]) -> None:
    debian = tree / "DEBIAN"
    debian.mkdir(parents=True, exist_ok=True)
    depends = list(COMMON_DEPENDS)
    if package != "shufang":
        depends.insert(0, f"shufang (= {version})")
    if package == "shufang-kiosk":
        depends += ["init-system-helpers (>= 1.54~)", *KIOSK_DEPENDS]
    if package == "shufang-central":
        depends += ["init-system-helpers (>= 1.54~)"]
    summary, body = DESCRIPTIONS[package]
    body += "\n.\nPython distributions inside: " + ", ".join(dists) + "."
    size_kib = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file()) // 1024
    fields = {
        "Package": package,
        "Version": version,
        "Architecture": arch,
        "Maintainer": MAINTAINER,
        "Installed-Size": str(size_kib),
        "Depends": ", ".join(depends),
        "Section": "misc",
        "Priority": "optional",
        "Homepage": "https://github.com/shufang-kiosk/shufang",
        "Description": summary + "\n" + _folded(body),
    }
    if package == "shufang-central":
        fields["Recommends"] = "postgresql-client"
        fields["Suggests"] = "postgresql, nginx"
    if package == "shufang":
        fields["Suggests"] = "shufang-kiosk, shufang-central"
    write(debian / "control", "".join(f"{k}: {v}\n" for k, v in fields.items()))
    conffiles = sorted(
        "/" + str(p.relative_to(tree)) for p in (tree / "etc").rglob("*") if p.is_file()
    ) if (tree / "etc").exists() else []  # fmt: skip
    if conffiles:
        write(debian / "conffiles", "".join(f"{c}\n" for c in conffiles))
    for script in ("preinst", "postinst", "prerm", "postrm"):
        source = HERE / f"{package}.{script}"
        if source.exists():
            install_file(source, debian / script, 0o755)
    write(debian / "md5sums", md5sums(tree))


def _folded(text: str) -> str:
    return "\n".join(
        " " + (line if line.strip() and line != "." else ".") for line in text.split("\n")
    )


def md5sums(tree: Path) -> str:
    import hashlib

    lines = []
    for path in sorted(tree.rglob("*")):
        if (
            path.is_file()
            and not path.is_symlink()
            and "DEBIAN" not in path.relative_to(tree).parts
        ):
            digest = hashlib.md5(path.read_bytes()).hexdigest()
            lines.append(f"{digest}  {path.relative_to(tree)}\n")
    return "".join(lines)
