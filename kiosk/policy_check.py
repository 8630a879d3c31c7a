"""Checking a loan policy document field by field before anything lends by it.

One typo in the central's policy (``"loan_days": "28"``, or ``"max_loans": 5`` where a table
per category belongs) used to be stored with 200, replicated to every kiosk, and then crash
every checkout. The central refuses such a document (422, with every problem listed) and a
kiosk refuses one it pulls (it keeps the last good policy and raises a fault), both with this
one check, so what the central accepts is exactly what a kiosk can use.

The expected type of a plain field is the type of its default in ``Policy``/``Rule``, so a new
setting is checked without being listed here; only the structured fields and the fields with a
fixed set of values are spelled out.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, fields
from typing import Any

from kiosk.policy import WEEKDAYS, Policy, Rule

#: fields whose value is one of a few words
CHOICES: dict[str, tuple[str, ...]] = {
    "fee_items": ("ask", "refuse"),
    "renew_from": ("due_date", "today"),
    "pin_hash_scope": ("city", "branch", "none"),
}
#: integer fields that may be zero but never negative; the rest of the ints must be ≥ 1
MAY_BE_ZERO = {
    "max_overdue_items",
    "overdue_grace_days",
    "max_fines_cents",
    "offline_max_items",
    "max_items",
    "renewals",
    "loan_days",  # 0 on a not-for-loan rule (reference items)
    "afi_secured",
    "afi_on_loan",
    "pin_lockout_minutes",
}
BYTE_FIELDS = {"afi_secured", "afi_on_loan"}
_SPAN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$")


class PolicyInvalid(ValueError):
    """A policy document a kiosk cannot lend by; ``problems`` says what is wrong, per field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def policy_problems(document: object) -> list[str]:
    """Every problem in ``document`` as ``"field: what is wrong"``; empty when it is usable."""
    if not isinstance(document, dict):
        return [f"the policy must be an object, not {_kind(document)}"]
    problems: list[str] = []
    defaults = _defaults(Policy)
    for name, value in document.items():
        if name == "rules":
            problems += _rules_problems(value)
        elif name == "max_loans":
            problems += _table_problems(name, value)
        elif name == "hours":
            problems += _hours_problems(value)
        elif name in defaults:
            problems += _plain_problems(name, value, defaults[name])
        else:
            problems.append(f"{name}: not a policy setting")
    return problems


def parse_policy(document: object) -> Policy:
    """The Policy a document describes, or PolicyInvalid listing every problem."""
    problems = policy_problems(document)
    if problems:
        raise PolicyInvalid(problems)
    assert isinstance(document, dict)
    return Policy.from_dict(document)


def _defaults(cls: type) -> dict[str, Any]:
    out = {}
    for f in fields(cls):
        if f.default is not MISSING:
            out[f.name] = f.default
        elif f.default_factory is not MISSING:
            out[f.name] = f.default_factory()
    return out


def _plain_problems(name: str, value: object, default: object) -> list[str]:
    wanted = type(default)
    if wanted is bool:
        return (
            []
            if isinstance(value, bool)
            else [f"{name}: expected true or false, got {_show(value)}"]
        )
    if wanted is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{name}: expected a whole number, got {_show(value)}"]
        least = 0 if name in MAY_BE_ZERO else 1
        if value < least:
            return [f"{name}: must be at least {least}, got {value}"]
        if name in BYTE_FIELDS and value > 0xFF:
            return [f"{name}: must fit in one byte (0-255), got {value}"]
        return []
    if wanted is str:
        if not isinstance(value, str):
            return [f"{name}: expected text, got {_show(value)}"]
        if name in CHOICES and value not in CHOICES[name]:
            return [f"{name}: expected one of {', '.join(CHOICES[name])}, got {value!r}"]
        return []
    return []  # a field of another type: nothing known to check


def _table_problems(name: str, value: object) -> list[str]:
    if not isinstance(value, dict):
        return [
            f'{name}: expected a table of category → number (like {{"*": 10}}), got {_show(value)}'
        ]
    problems = []
    for key, number in value.items():
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            problems.append(f"{name}.{key}: expected a whole number ≥ 0, got {_show(number)}")
    return problems


def _hours_problems(value: object) -> list[str]:
    if not isinstance(value, dict):
        return [f"hours: expected a table of weekday → opening hours, got {_show(value)}"]
    problems = []
    for day, spec in value.items():
        if day not in WEEKDAYS:
            problems.append(f"hours.{day}: not a weekday (expected one of {', '.join(WEEKDAYS)})")
        elif not isinstance(spec, str) or not (
            spec == "closed" or all(_SPAN.match(part) for part in spec.split(","))
        ):
            problems.append(
                f'hours.{day}: expected like "09:00-21:00" or "closed", got {_show(spec)}'
            )
    return problems


def _rules_problems(value: object) -> list[str]:
    if not isinstance(value, list) or not value:
        return [f"rules: expected a non-empty list of loan rules, got {_show(value)}"]
    problems = []
    defaults = _defaults(Rule)
    for index, rule in enumerate(value, 1):
        where = f"rules[{index}]"
        if not isinstance(rule, dict):
            problems.append(f"{where}: expected a rule (an object), got {_show(rule)}")
            continue
        for name, item in rule.items():
            if name not in defaults:
                problems.append(f"{where}.{name}: not a rule setting")
            else:
                problems += [
                    f"{where}.{problem}" for problem in _plain_problems(name, item, defaults[name])
                ]
    return problems


def _kind(value: object) -> str:
    return {
        list: "a list",
        str: "text",
        int: "a number",
        float: "a number",
        bool: "true/false",
    }.get(type(value), type(value).__name__)


def _show(value: object) -> str:
    text = repr(value)
    return f"{_kind(value)} {text[:40]}"
