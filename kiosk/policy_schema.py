"""The loan policy's one typed schema, shared by the central (before storing) and the kiosk.

The config's ``policy.*`` settings already say the type, range and choices of every policy
value; a policy document from the central is checked against the same declarations, so a
document the central accepts is one every kiosk can use, and a kiosk refuses (keeping its
last good policy) a document it could not use: one wrong type used to stop a whole fleet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.config.settings import RULE_FIELDS, by_key
from kiosk.config.types import ValueProblem
from kiosk.policy import Policy

_PREFIX = "policy."


@dataclass(frozen=True, slots=True)
class FieldError:
    """One thing wrong with a policy document, at ``loc`` (keys and list indexes)."""

    loc: tuple[str | int, ...]
    msg: str
    type: str = "value_error"

    def to_json(self) -> dict[str, Any]:
        return {"loc": list(self.loc), "msg": self.msg, "type": self.type}

    def __str__(self) -> str:
        return f"{'.'.join(map(str, self.loc))}: {self.msg}"


class PolicyInvalid(ValueError):
    """A policy document that does not fit the schema; ``errors`` lists every field."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


def policy_errors(document: Any) -> list[FieldError]:
    """Every field of ``document`` that is unknown, of the wrong type or out of range."""
    if not isinstance(document, dict):
        return [FieldError((), "a policy must be a JSON object", "type_error")]
    settings = by_key()
    errors: list[FieldError] = []
    for key, value in document.items():
        setting = settings.get(_PREFIX + key) if isinstance(key, str) else None
        if setting is None:
            errors.append(FieldError((key,), f"unknown policy setting {key!r}", "extra_forbidden"))
        elif key == "rules":
            errors.extend(_rule_errors(value))
        else:
            try:
                setting.type.convert(value)
            except ValueProblem as problem:
                errors.append(FieldError((key,), str(problem)))
    return errors


def _rule_errors(rules: Any) -> list[FieldError]:
    if not isinstance(rules, list) or not rules:
        return [FieldError(("rules",), "expected a non-empty array of rules", "type_error")]
    fields = {name: kind for name, kind, _ in RULE_FIELDS}
    errors = []
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            errors.append(FieldError(("rules", index), "expected a table", "type_error"))
            continue
        for name, value in rule.items():
            kind = fields.get(name)
            if kind is None:
                message = f"unknown rule field {name!r}"
                errors.append(FieldError(("rules", index, name), message, "extra_forbidden"))
                continue
            try:
                kind.convert(value)
            except ValueProblem as problem:
                errors.append(FieldError(("rules", index, name), str(problem)))
    return errors


def checked_policy(document: Any) -> Policy:
    """The Policy a document describes, or PolicyInvalid naming every bad field."""
    errors = policy_errors(document)
    if errors:
        raise PolicyInvalid(errors)
    return Policy.from_dict(document)
