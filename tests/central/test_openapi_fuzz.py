"""Schemathesis against the central's own OpenAPI document, on SQLite and PostgreSQL: every
operation, with requests that fit the schema and requests that break it, gets no 5xx.

Schemathesis (an independent project) generates the requests from the published schema,
so this checks the service against what it says it accepts, not against cases we thought
of (those are in ``test_hostile_input.py``). Each operation is called with the token its
tag needs. ``SHUFANG_FUZZ_EXAMPLES`` raises the examples per operation and mode (20 by
default, derandomized so CI is repeatable; set ``SHUFANG_FUZZ_RANDOM=1`` for fresh ones).
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from sync import wire
from tests.fixtures.central import Central, seed, txn

EXAMPLES = int(os.environ.get("SHUFANG_FUZZ_EXAMPLES", "20"))
RANDOM = os.environ.get("SHUFANG_FUZZ_RANDOM") == "1"


def server_errors(central: Central, mode: GenerationMode) -> tuple[int, list[str]]:
    """Call every operation with generated cases; return (calls, failures described)."""
    kiosk = central.enrol("k-fuzz")
    kiosk.push(txn(1, "checkout", "I1"))  # so loans, changes and statistics have rows
    headers = {
        "kiosk": dict(kiosk.session.headers),
        "staff": dict(central.staff.session.headers),
    }
    schema = schemathesis.openapi.from_url(central.url + wire.API_PREFIX + "/openapi.json")
    calls: list[int] = []
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tags = operation.definition.raw.get("tags", [])
        auth = headers["kiosk" if "kiosk" in tags else "staff"]
        try:
            fuzz(operation, mode, central.url, auth, calls, failures)
        except Unsatisfiable:
            # Nothing about it can be invalid (no parameters, no body): nothing to send.
            assert mode is GenerationMode.NEGATIVE, operation.path
    return len(calls), failures


def fuzz(
    operation: Any,
    mode: GenerationMode,
    base_url: str,
    auth: dict[str, str],
    calls: list[int],
    failures: list[str],
) -> None:
    """One operation: EXAMPLES generated cases, each 5xx described in ``failures``."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not RANDOM,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def call(case: Any) -> None:
        calls.append(1)
        reply = case.call(base_url=base_url, headers=auth, timeout=60)
        if reply.status_code >= 500:
            failures.append(
                f"{operation.method.upper()} {operation.path} -> {reply.status_code}: "
                f"path={case.path_parameters} query={case.query} body={case.body!r:.200}"
            )

    call()


def test_requests_that_fit_the_schema_get_no_server_error(central: Central) -> None:
    seed(central)
    calls, failures = server_errors(central, GenerationMode.POSITIVE)
    assert calls >= 20 * EXAMPLES, "every operation was exercised"
    assert failures == []


def test_requests_that_break_the_schema_get_no_server_error(central: Central) -> None:
    seed(central)
    calls, failures = server_errors(central, GenerationMode.NEGATIVE)
    assert calls >= 15 * EXAMPLES
    assert failures == []
