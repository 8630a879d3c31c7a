"""Catalogs: complete in both languages, every key the code uses exists, placeholders agree."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.reasons import Reason
from ui.i18n import LANGUAGES, Translator, catalog, placeholders

UI = Path(__file__).resolve().parents[2] / "ui"
KEY_CALL = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""")


def keys_used_in_code() -> set[str]:
    found = set()
    for path in UI.rglob("*.py"):
        found |= set(KEY_CALL.findall(path.read_text(encoding="utf-8")))
    return found


def test_both_catalogs_have_the_same_keys():
    assert set(catalog("zh_CN")) == set(catalog("en"))


def test_every_reason_has_a_message_in_every_language():
    for language in LANGUAGES:
        missing = [r.message_key for r in Reason if r.message_key not in catalog(language)]
        assert missing == [], language


def test_every_key_the_ui_asks_for_exists():
    used = keys_used_in_code()
    assert len(used) > 40, "the scan found too few keys to be trusted"
    assert sorted(used - set(catalog("zh_CN"))) == []


def test_placeholders_agree_between_languages():
    zh, en = catalog("zh_CN"), catalog("en")
    assert [k for k in zh if placeholders(zh[k]) != placeholders(en[k])] == []


def test_no_message_is_empty_or_left_untranslated():
    zh, en = catalog("zh_CN"), catalog("en")
    assert all(v.strip() for v in [*zh.values(), *en.values()])
    same = [k for k in zh if zh[k] == en[k] and not k.startswith("header.")]
    assert same == []


def test_chinese_catalog_is_chinese():
    zh = catalog("zh_CN")
    chinese = [k for k, v in zh.items() if re.search(r"[\u4e00-\u9fff]", v)]
    assert len(chinese) >= len(zh) - 2  # only the language switch label is not


def test_missing_key_falls_back_visibly_not_blank():
    t = Translator("en")
    assert t("no.such.key") == "no.such.key"
    assert t("reason.pin_wrong", attempts=2) == "That PIN is not right. 2 tries left."
