"""Checks on what the central answered with 200: a captive portal or a broken proxy is not it.

A reply of the wrong shape (``{}``, ``[]``, ``null``, a portal's HTML) used to kill the daemon
with a traceback; it is an upstream error like a timeout: the loop backs off, records a fault
and keeps every row.
"""

from __future__ import annotations

from typing import Any

from sync.central.client import Unavailable


class MalformedReply(Unavailable):
    """The central (or something pretending to be it) answered 200 with the wrong body."""


def expect_object(reply: Any, what: str, *lists: str) -> dict[str, Any]:
    """``reply`` as a JSON object whose ``lists`` keys, when present, hold arrays of objects."""
    if not isinstance(reply, dict):
        raise MalformedReply(f"{what}: expected a JSON object, got {type(reply).__name__}")
    for key in lists:
        value = reply.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise MalformedReply(f"{what}: {key!r} is not an array of objects")
    return reply
