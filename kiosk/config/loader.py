"""Reads the kiosk's TOML file, checks every value against its declaration, and says where.

Errors carry the line they come from, so ``shufang config check`` can list them all at once
instead of failing on the first.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.config.settings import RETIRED, SETTINGS, Setting, by_key
from kiosk.config.types import ValueProblem


@dataclass(frozen=True)
class ConfigIssue:
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ConfigError(ValueError):
    """The file has one or more problems; ``issues`` lists each with its line."""

    def __init__(self, source: str, issues: list[ConfigIssue]) -> None:
        self.source = source
        self.issues = issues
        super().__init__(f"{source}: " + "; ".join(str(i) for i in issues))


@dataclass(frozen=True)
class Config:
    """Checked settings, by dotted key. Missing settings have their declared defaults."""

    values: dict[str, Any] = field(default_factory=dict)
    source: str = "<defaults>"

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def section(self, name: str) -> dict[str, Any]:
        prefix = name + "."
        return {k[len(prefix) :]: v for k, v in self.values.items() if k.startswith(prefix)}

    def replace(self, **changes: Any) -> Config:
        """A copy with some settings changed; keys use ``__`` for the dot (``database__path``)."""
        values = dict(self.values)
        for name, value in changes.items():
            key = name.replace("__", ".")
            setting = by_key().get(key)
            if setting is None:
                raise KeyError(f"unknown setting {key!r}")
            values[key] = setting.type.convert(value)
        return Config(values, self.source)


def defaults() -> Config:
    return Config({s.key: s.default for s in SETTINGS})


def load_text(text: str, source: str = "<text>") -> Config:
    """Parse and check a whole TOML document; raise ConfigError listing every problem."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        raise ConfigError(source, [ConfigIssue(line, "", f"not valid TOML: {exc}")]) from None
    lines = _key_lines(text)
    declared = by_key()
    issues: list[ConfigIssue] = []
    values = {s.key: s.default for s in SETTINGS}
    for key, raw in _flatten(document, declared):
        setting = declared.get(key)
        if setting is None and key in RETIRED:
            continue
        if setting is None:
            issues.append(ConfigIssue(_line_for(lines, key), key, _unknown(key, declared)))
            continue
        try:
            values[key] = setting.type.convert(raw)
        except ValueProblem as problem:
            issues.append(ConfigIssue(_line_for(lines, key), key, str(problem)))
    issues.extend(_cross_checks(values, lines))
    if issues:
        raise ConfigError(source, sorted(issues, key=lambda i: (i.line or 0, i.key)))
    return Config(values, source)


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), [ConfigIssue(None, "", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), [ConfigIssue(None, "", f"not UTF-8 text: {exc}")]) from None
    return load_text(text, str(path))


def check_file(path: str | Path) -> list[ConfigIssue]:
    """Every problem in the file, empty when it is good."""
    try:
        load_config(path)
    except ConfigError as error:
        return error.issues
    return []


def _flatten(
    document: dict[str, Any], declared: dict[str, Setting], prefix: str = ""
) -> Iterator[tuple[str, Any]]:
    for name, value in document.items():
        key = f"{prefix}{name}"
        if key in declared or not isinstance(value, dict):
            yield key, value
        else:
            yield from _flatten(value, declared, key + ".")


def _unknown(key: str, declared: dict[str, Setting]) -> str:
    close = difflib.get_close_matches(key, declared.keys(), n=1, cutoff=0.75)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown setting{hint}"


def _cross_checks(values: dict[str, Any], lines: dict[str, int]) -> list[ConfigIssue]:
    issues = []
    bad_days = set(values["policy.hours"]) - {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    if bad_days:
        issues.append(
            ConfigIssue(
                _line_for(lines, "policy.hours"),
                "policy.hours",
                f"unknown weekday {sorted(bad_days)[0]!r} (use mon..sun)",
            )
        )
    for key in ("barcodes.item_pattern", "barcodes.patron_card_pattern"):
        try:
            re.compile(values[key])
        except re.error as error:
            issues.append(
                ConfigIssue(_line_for(lines, key), key, f"not a valid regular expression: {error}")
            )
    if values["policy.afi_secured"] == values["policy.afi_on_loan"]:
        issues.append(
            ConfigIssue(
                _line_for(lines, "policy.afi_on_loan"),
                "policy.afi_on_loan",
                "must differ from policy.afi_secured",
            )
        )
    return issues


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN = re.compile(
    r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*="""
)


def _key_lines(text: str) -> dict[str, int]:
    """Map each dotted key (and each table header) to the first line that defines it."""
    found: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = _dotted(header.group(1))
            found.setdefault(table, number)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            key = _dotted(assign.group(1))
            found.setdefault(f"{table}.{key}" if table else key, number)
    return found


def _dotted(raw: str) -> str:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_-]+)', raw)
    return ".".join(next(p for p in part if p) for part in parts)


def _line_for(lines: dict[str, int], key: str) -> int | None:
    while key:
        if key in lines:
            return lines[key]
        key = key.rpartition(".")[0]
    return None
