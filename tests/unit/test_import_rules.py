"""The import rules of shared/DESIGN.md, checked on the source so a violation fails CI."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_IN_KIOSK = {
    "PySide6",
    "shiboken6",
    "serial",
    "nfc",
    "requests",
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "psycopg",
    "httpx",
    "evdev",
    "escpos",
    "usb",
    "pysip2",
}
OUR_OUTER = {"ui", "drivers", "sync"}


def imports_of(path: Path) -> list[tuple[str, int, bool]]:
    """(top-level module, line, imported inside a function?) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((a.name.split(".")[0], child.lineno, in_function) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append((child.module.split(".")[0], child.lineno, in_function))
            visit(child, nested)

    visit(tree, False)
    return found


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_kiosk_imports_no_qt_device_or_network_library():
    bad = [
        f"{p.relative_to(ROOT)}:{line} imports {mod}"
        for p in python_files("kiosk")
        for mod, line, _ in imports_of(p)
        if mod in FORBIDDEN_IN_KIOSK
    ]
    assert bad == []


def test_kiosk_reaches_outer_packages_only_from_cli_functions():
    bad = []
    for path in python_files("kiosk"):
        in_cli = "cli" in path.relative_to(ROOT / "kiosk").parts
        for mod, line, in_function in imports_of(path):
            if mod in OUR_OUTER and not (in_cli and in_function):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {mod}")
    assert bad == []


def test_ui_reaches_drivers_only_through_kiosk_ports():
    bad = [
        f"{p.relative_to(ROOT)}:{line} imports {mod}"
        for p in python_files("ui")
        for mod, line, _ in imports_of(p)
        if mod in {"drivers", "serial", "nfc", "evdev", "escpos", "usb"}
    ]
    assert bad == []


def test_drivers_and_sync_do_not_import_the_ui():
    bad = [
        f"{p.relative_to(ROOT)}:{line} imports {mod}"
        for package in ("drivers", "sync")
        for p in python_files(package)
        for mod, line, _ in imports_of(p)
        if mod in {"ui", "PySide6"}
    ]
    assert bad == []


def test_drivers_and_sync_do_not_import_each_other():
    """Devices and the library/central link meet only in the kiosk's ports (#19): a driver
    that needs SIP2 or sync code, or sync code that reaches a device, breaks that seam."""
    bad = [
        f"{p.relative_to(ROOT)}:{line} imports {mod}"
        for package, other in (("drivers", "sync"), ("sync", "drivers"))
        for p in python_files(package)
        for mod, line, _ in imports_of(p)
        if mod == other
    ]
    assert bad == []


def test_the_checker_sees_a_violation(tmp_path):
    """Guard against a checker that passes because it reads nothing."""
    sample = tmp_path / "bad.py"
    sample.write_text("import os\ndef f():\n    from PySide6 import QtCore\n")
    assert ("PySide6", 3, True) in imports_of(sample)
    assert python_files("kiosk"), "no kiosk sources found"


#: the kiosk side of sync/: the daemon, the link to the central, the SIP2 client, the wire format
KIOSK_SIDE = ("sync/daemon", "sync/link", "sync/sip2", "sync/wire.py")
#: the demo's central, run inside the kiosk's daemon on purpose (imported in its function)
SERVER_ON_PURPOSE = {"sync/daemon/embedded.py"}


def dotted_imports_of(path: Path) -> list[tuple[str, int]]:
    """(full module name, line) for every absolute import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def test_the_kiosk_side_of_sync_does_not_import_the_server_package():
    """A kiosk talks to the central through sync.link and sync.wire only (#19): it never
    imports sync.central, so it needs neither the web stack nor the server's code."""
    files = [
        p
        for part in KIOSK_SIDE
        for p in ([ROOT / part] if part.endswith(".py") else python_files(part))
        if str(p.relative_to(ROOT)) not in SERVER_ON_PURPOSE
    ]
    assert len(files) > 20, "kiosk-side sync modules not found"
    bad = [
        f"{p.relative_to(ROOT)}:{line} imports {module}"
        for p in files
        for module, line in dotted_imports_of(p)
        if module == "sync.central" or module.startswith("sync.central.")
    ]
    assert bad == []
