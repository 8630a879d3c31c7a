"""Regression: PySide6 6.12.0 over-released objects passed through signals to Python slots.

After a few thousand emissions None's (or True's) reference count reached zero and the
interpreter aborted mid-session (found by the UI benchmark). The pin in pyproject.toml keeps
that release out; this test fails if a binding with the bug comes back.
"""

from __future__ import annotations

import sys

from ui.qt import QObject, Signal


class Emitter(QObject):
    fired = Signal(str, object, object)


def test_emitting_none_and_bools_keeps_their_reference_counts(qapp):
    emitter, seen = Emitter(), []
    emitter.fired.connect(lambda a, b, c: seen.append(c))
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(5000):
        emitter.fired.emit("x", None, True)
    seen.clear()
    assert abs(sys.getrefcount(None) - none_before) < 50
    assert abs(sys.getrefcount(True) - true_before) < 50
