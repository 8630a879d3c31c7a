"""Translation catalogs: every reader-facing string, in Simplified Chinese first and English.

Catalogs are JSON files beside this module, keyed by stable ids such as ``home.borrow`` or the
core's ``reason.limit_reached``. A missing key is a test failure, never a blank on screen.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any

from ui.qt import QObject, Signal

LANGUAGES = ("zh_CN", "en")
HERE = Path(__file__).parent


@cache
def catalog(language: str) -> dict[str, str]:
    words: dict[str, str] = json.loads((HERE / f"{language}.json").read_text(encoding="utf-8"))
    return words


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


class Translator(QObject):
    """Current language for the session; screens re-read their texts on ``changed``."""

    changed = Signal(str)

    def __init__(self, language: str = "zh_CN") -> None:
        super().__init__()
        self._language = language if language in LANGUAGES else "zh_CN"

    @property
    def language(self) -> str:
        return self._language

    def set_language(self, language: str) -> None:
        if language in LANGUAGES and language != self._language:
            self._language = language
            self.changed.emit(language)

    def toggle(self) -> None:
        self.set_language("en" if self._language == "zh_CN" else "zh_CN")

    def __call__(self, key: str, **params: Any) -> str:
        """The text for ``key`` in the current language (Chinese where English lacks it, the
        key itself where both do), with ``params`` filled in: ``t("item.due", date=...)``."""
        text = catalog(self._language).get(key) or catalog("zh_CN").get(key) or key
        return text.format(**params) if params else text
