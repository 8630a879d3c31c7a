"""Value types for settings: each converts a parsed TOML value or says plainly what is wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_HHMM = r"([01]\d|2[0-4]):[0-5]\d"
#: A span of local time, "HH:MM-HH:MM" (voice.silent_hours, policy.opening_hours).
TIME_SPAN = rf"{_HHMM}-{_HHMM}"
#: One weekday's opening hours: "closed" or spans separated by commas.
WEEKDAY_HOURS = rf"(closed|{TIME_SPAN}(,{TIME_SPAN})*)"


class ValueProblem(ValueError):
    """A value that does not fit its setting; the message is shown to the operator."""


@dataclass(frozen=True)
class Str:
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    allow_empty: bool = True

    name = "string"

    def convert(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueProblem(f"expected a string, got {_kind(value)}")
        if self.choices and value not in self.choices:
            raise ValueProblem(
                f"must be one of {', '.join(map(repr, self.choices))}, got {value!r}"
            )
        if not value and not self.allow_empty:
            raise ValueProblem("must not be empty")
        if value and self.pattern and not re.fullmatch(self.pattern, value):
            raise ValueProblem(f"{value!r} does not match the expected form {self.pattern}")
        return value

    def toml(self, value: Any) -> str:
        return _toml_str(value)


@dataclass(frozen=True)
class Int:
    minimum: int | None = None
    maximum: int | None = None
    hex: bool = False

    name = "integer"

    def convert(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueProblem(f"expected an integer, got {_kind(value)}")
        if self.minimum is not None and value < self.minimum:
            raise ValueProblem(f"must be at least {self.minimum}, got {value}")
        if self.maximum is not None and value > self.maximum:
            raise ValueProblem(f"must be at most {self.maximum}, got {value}")
        return int(value)

    def toml(self, value: Any) -> str:
        return f"0x{value:02X}" if self.hex else str(value)


@dataclass(frozen=True)
class Float:
    minimum: float | None = None
    maximum: float | None = None

    name = "number"

    def convert(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueProblem(f"expected a number, got {_kind(value)}")
        if self.minimum is not None and value < self.minimum:
            raise ValueProblem(f"must be at least {self.minimum}, got {value}")
        if self.maximum is not None and value > self.maximum:
            raise ValueProblem(f"must be at most {self.maximum}, got {value}")
        return float(value)

    def toml(self, value: Any) -> str:
        return repr(float(value))


@dataclass(frozen=True)
class Bool:
    name = "boolean"

    def convert(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueProblem(f"expected true or false, got {_kind(value)}")
        return value

    def toml(self, value: Any) -> str:
        return "true" if value else "false"


@dataclass(frozen=True)
class TimeZone:
    name = "time zone"

    def convert(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueProblem(
                f"expected a time zone name such as 'Asia/Shanghai', got {_kind(value)}"
            )
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueProblem(f"unknown time zone {value!r}") from None
        return value

    def toml(self, value: Any) -> str:
        return _toml_str(value)


@dataclass(frozen=True)
class Mapping:
    """A TOML table from names to values of one type (``{ adult = 10, child = 5 }``)."""

    value: Int | Str | Float | Bool

    name = "table"

    def convert(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ValueProblem(f"expected a table, got {_kind(value)}")
        out: dict[str, Any] = {}
        for key, item in value.items():
            try:
                out[key] = self.value.convert(item)
            except ValueProblem as problem:
                raise ValueProblem(f"entry {key!r}: {problem}") from None
        return out

    def toml(self, value: dict[str, Any]) -> str:
        inner = ", ".join(f"{_toml_key(k)} = {self.value.toml(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"


@dataclass(frozen=True)
class Records:
    """An array of tables (``[[policy.rules]]``) whose fields are themselves typed."""

    fields: tuple[tuple[str, Any, Any], ...]  # (name, type, default or REQUIRED)

    name = "array of tables"

    def convert(self, value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ValueProblem(f"expected an array of tables, got {_kind(value)}")
        known = {name for name, _, _ in self.fields}
        out = []
        for index, record in enumerate(value, start=1):
            unknown = sorted(set(record) - known)
            if unknown:
                raise ValueProblem(f"entry {index}: unknown field {unknown[0]!r}")
            converted = {}
            for name, kind, default in self.fields:
                if name not in record:
                    if default is REQUIRED:
                        raise ValueProblem(f"entry {index}: missing field {name!r}")
                    converted[name] = default
                    continue
                try:
                    converted[name] = kind.convert(record[name])
                except ValueProblem as problem:
                    raise ValueProblem(f"entry {index}, field {name!r}: {problem}") from None
            out.append(converted)
        return out

    def toml(self, value: list[dict[str, Any]]) -> str:  # pragma: no cover - rendered by sample
        raise NotImplementedError


REQUIRED = object()


def _kind(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_str(key)


@dataclass(frozen=True)
class Setting:
    key: str  # dotted: section.name
    type: Any
    default: Any
    help: str

    @property
    def section(self) -> str:
        return self.key.rpartition(".")[0]

    @property
    def name(self) -> str:
        return self.key.rpartition(".")[2]
