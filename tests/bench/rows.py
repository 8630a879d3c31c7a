"""One line of ``make bench``'s figures table: what was measured, how often, and the figure
with its target (the circulation and sync tables have their own columns)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    n: int
    figure: str
