"""Readers' texts in words a reader knows (#13 bug 5): no staff jargon on the reader's screens.

The words are the ones the field trial's readers did not understand (转运箱 "transfer box",
预约架 "holds shelf", 离线记录 "offline record"); the boxes and shelves are named by the label a
reader can see on them instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

I18N = Path(__file__).resolve().parents[2] / "ui" / "i18n"
JARGON = {
    "zh_CN": ("转运箱", "预约架", "离线记录", "稍后上传"),
    "en": ("transfer box", "holds shelf", "Recorded offline"),
}


@pytest.mark.parametrize("language", sorted(JARGON))
def test_reader_texts_carry_no_staff_jargon(language):
    texts = json.loads((I18N / f"{language}.json").read_text("utf-8"))
    reader_keys = [k for k in texts if not k.startswith(("diag.", "technician."))]
    found = [(k, w) for k in reader_keys for w in JARGON[language] if w in texts[k]]
    assert found == []
