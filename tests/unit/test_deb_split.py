"""The Debian build's split of one environment into packages: a kiosk gets no web stack, a
server no Qt, and what both need goes to `shufang` (issue #15)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def build_module():
    spec = importlib.util.spec_from_file_location("deb_build", ROOT / "packaging/deb/build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dist(*needs: str, **extras: list[str]) -> dict:
    return {"needs": {"": list(needs), **extras}, "files": []}


def test_each_distribution_goes_to_the_package_that_needs_it():
    dists = {
        "shufang-kiosk": dist(
            "sqlite-utils", "pyside6-essentials", "nfcpy", "requests",
            central=["fastapi", "psycopg"], sip2=["pysip2"],
        ),
        "sqlite-utils": dist("click"),
        "click": dist(),
        "requests": dist("idna"),
        "idna": dist(),
        "pyside6-essentials": dist("shiboken6"),
        "shiboken6": dist(),
        "nfcpy": dist("typing-extensions"),
        "fastapi": dist("starlette", "typing-extensions"),
        "starlette": dist(),
        "typing-extensions": dist(),
        "psycopg": dist(binary=["psycopg-binary"]),
        "psycopg-binary": dist(),
        "pysip2": dist(),
        "pip": dist(),
    }  # fmt: skip
    owner = build_module().assign(dists)
    assert {n for n, p in owner.items() if p == "shufang-kiosk"} == {
        "pyside6-essentials", "shiboken6", "nfcpy",
    }  # fmt: skip
    assert {n for n, p in owner.items() if p == "shufang-central"} == {
        "fastapi", "starlette", "psycopg", "psycopg-binary",
    }  # fmt: skip
    assert owner["typing-extensions"] == "shufang"  # both sides need it
    assert owner["sqlite-utils"] == owner["click"] == owner["pysip2"] == "shufang"
