"""The spoken words, without sound: complete, short, and chosen per result (kiosk.voice)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from kiosk.outcomes import Outcome, OutcomeKind
from kiosk.reasons import Reason
from kiosk.voice import LANGUAGES, PROMPTS, compose, fixed_utterances
from kiosk.voice.catalogue import UNSPOKEN_REASONS, placeholders
from kiosk.voice.policy import VoiceSettings, in_spans, parse_spans
from kiosk.voice.results import after_items

TZ = ZoneInfo("Asia/Shanghai")


def test_every_reader_facing_reason_has_a_spoken_prompt():
    missing = [r for r in Reason if r not in UNSPOKEN_REASONS and r.message_key not in PROMPTS]
    assert missing == []


def test_every_prompt_has_both_languages_fixed_or_composed_in_both():
    for key, texts in PROMPTS.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(t.strip() for t in texts.values()), key
        zh, en = placeholders(texts["zh_CN"]), placeholders(texts["en"])
        assert bool(zh) == bool(en), key  # English may need other values (plural, month name)


def test_prompts_are_short():
    """Spoken guidance is a sentence, not the screen's paragraph: at most 26 characters in
    Chinese (about 8 s at espeak-ng's pace), 80 in English, placeholders not counted."""

    def length(text: str) -> int:
        return len(re.sub(r"\{[a-z_]+\}", "", text))

    long = [k for k, t in PROMPTS.items() if length(t["zh_CN"]) > 26 or length(t["en"]) > 80]
    assert long == []


def test_spoken_words_carry_no_staff_jargon():
    """The same plain words as the screens (#13 bug 5): boxes and shelves by their labels."""
    from tests.ui.test_i18n_plain_words import JARGON

    found = [
        (k, w)
        for k, t in PROMPTS.items()
        for lang, words in JARGON.items()
        for w in words
        if w in t[lang]
    ]
    assert found == []


def test_the_briefs_examples():
    assert compose("borrow.place_items", "zh_CN").text == "请放置图书"
    assert compose("card.take", "zh_CN").text.startswith("请取走您的读者证")
    text = compose("borrow.done", "zh_CN", count=3, month=12, day=31).text
    assert text == "借书成功，共 3 本，请在 12 月 31 日前归还"


def test_a_missing_value_is_an_error_not_spoken_braces():
    with pytest.raises(KeyError):
        compose("borrow.done", "zh_CN", count=3)


def test_fixed_prompts_are_those_without_placeholders():
    keys = {u.key for u in fixed_utterances()}
    assert "borrow.place_items" in keys and "borrow.done" not in keys
    assert all(u.fixed for u in fixed_utterances())


def outcome(ok: bool, reason: Reason = Reason.OK, due: datetime | None = None) -> Outcome:
    kind = OutcomeKind.ACCEPTED if ok else OutcomeKind.REFUSED
    return Outcome(kind, reason, pii="x", due_at=due)


def test_a_borrowed_stack_is_one_sentence_with_the_earliest_due_date():
    early = datetime(2026, 12, 30, 20, tzinfo=UTC)  # 31 December in Shanghai
    later = datetime(2027, 1, 10, 4, tzinfo=UTC)
    stack = [outcome(True, due=later), outcome(True, due=early), outcome(True, due=later)]
    said = after_items(True, stack, stack, "zh_CN", TZ)
    assert [u.text for u in said] == ["借书成功，共 3 本，请在 12 月 31 日前归还"]
    said = after_items(True, stack[:1], stack[:1], "en", TZ)
    assert [u.text for u in said] == ["You have borrowed 1 book. Please return by 10 January."]


def test_a_refusal_comes_first_then_the_total():
    due = datetime(2026, 12, 31, 4, tzinfo=UTC)
    new = [outcome(True, due=due), outcome(False, Reason.NOT_FOR_LOAN)]
    said = after_items(True, new, new[:1], "zh_CN", TZ)
    assert [u.key for u in said] == ["reason.not_for_loan", "borrow.done"]
    only_refused = after_items(True, new[1:], [], "zh_CN", TZ)
    assert [u.key for u in only_refused] == ["reason.not_for_loan"]


def test_returns_say_the_count_and_any_errand():
    new = [outcome(True), outcome(True, Reason.HOLD_WAITING)]
    said = after_items(False, new, new, "zh_CN", TZ)
    assert [u.key for u in said] == ["reason.hold_waiting", "return.done"]
    assert said[-1].text == "还书成功，共 2 本"


@pytest.mark.parametrize(
    ("spans", "now", "silent"),
    [
        ("22:00-07:00", time(21, 59), False),
        ("22:00-07:00", time(22, 0), True),
        ("22:00-07:00", time(0, 30), True),
        ("22:00-07:00", time(7, 0), False),
        ("12:00-13:30", time(13, 29), True),
        ("12:00-13:30", time(13, 30), False),
        ("00:00-24:00", time(23, 59), True),
        ("", time(3, 0), False),
    ],
)
def test_silent_hours(spans, now, silent):
    assert in_spans(parse_spans(spans), now) is silent
    assert (VoiceSettings(silent_hours=spans).silence_reason(now) == "silent_hours") is silent


def test_the_settings_come_from_the_config():
    from kiosk.config.loader import defaults

    settings = VoiceSettings.from_config(defaults().replace(voice__silent_hours="22:00-07:00"))
    assert settings.enabled and settings.volume == 80 and settings.speed == 175
    assert settings.silence_reason(time(23, 0)) == "silent_hours"


def test_docs_list_every_prompt_as_it_is():
    """docs/voice.md stays true to the catalogue: every key with its words in both languages."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "voice.md").read_text("utf-8")
    stale = [k for k, t in PROMPTS.items() if f"| `{k}` | {t['zh_CN']} | {t['en']} |" not in doc]
    assert stale == []


def test_the_next_total_is_known_ahead_of_need():
    from kiosk.voice.results import one_more

    assert [u.text for u in one_more(False, [], "zh_CN", TZ)] == ["还书成功，共 1 本"]
    assert one_more(True, [], "zh_CN", TZ) == []  # no due date before the first loan
    first = outcome(True, due=datetime(2026, 12, 31, 4, tzinfo=UTC))
    ahead = one_more(True, [first], "zh_CN", TZ)
    assert [u.text for u in ahead] == ["借书成功，共 2 本，请在 12 月 31 日前归还"]


def test_a_renewal_on_the_borrow_screen_is_said_as_a_renewal_not_a_loan():
    due = datetime(2027, 1, 20, 4, tzinfo=UTC)
    renewed = Outcome(
        OutcomeKind.ACCEPTED, Reason.OK, pii="x", due_at=due, details={"previous_due": due}
    )
    said = after_items(True, [renewed], [renewed], "en", TZ)
    assert [u.text for u in said] == ["You have renewed 1 book. Please return by 20 January."]
