"""Every prompt, in both languages, rendered with the real espeak-ng and listened to by numbers:
non-silent, mostly voiced, and as long as its words (issue #13, voice)."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest

from kiosk.voice import LANGUAGES, PROMPTS, Utterance, compose, fixed_utterances
from kiosk.voice.catalogue import placeholders
from kiosk.voice.results import count_values, date_values
from tests.voice.speech_check import speech_problems
from ui.voice.espeak import EspeakRenderer, SpeechError

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="Debian package espeak-ng (Makefile DEB_PACKAGES)"
)


def every_utterance() -> list[Utterance]:
    """Fixed prompts as they are, composed ones with a count and a date filled in."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    due = datetime(2026, 12, 31, 4, tzinfo=UTC)
    said = list(fixed_utterances())
    for key, texts in PROMPTS.items():
        for language in LANGUAGES:
            if placeholders(texts[language]):
                values = {
                    **count_values(3, language),
                    **date_values(due, ZoneInfo("Asia/Shanghai")),
                    "sentence": closing_summary(language),
                }
                said.append(compose(key, language, **values))
    return said


def closing_summary(language: str) -> str:
    """The goodbye screen's sentence, from ui.summary (the screens' own words)."""
    from datetime import date

    from ui.summary import SessionSummary, summary_sentence

    return summary_sentence(SessionSummary(3, 1, 0, date(2026, 12, 31)), language)


UTTERANCES = every_utterance()


def test_the_list_covers_every_key_in_both_languages():
    assert {(u.key, u.language) for u in UTTERANCES} == {
        (key, language) for key in PROMPTS for language in LANGUAGES
    }


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[tuple[str, str], Path]:
    folder = tmp_path_factory.mktemp("speech")
    renderer = EspeakRenderer()
    return {
        (u.key, u.language): renderer.render(u.text, u.voice, folder / f"{u.key}.{u.language}.wav")
        for u in UTTERANCES
    }


@pytest.mark.parametrize("utterance", UTTERANCES, ids=lambda u: f"{u.key}.{u.language}")
def test_each_prompt_is_plausible_speech(rendered, utterance):
    path = rendered[(utterance.key, utterance.language)]
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
    assert speech_problems(path, utterance.text) == []


def test_the_mandarin_voice_is_espeak_ngs_cmn():
    assert LANGUAGES["zh_CN"] == "cmn"


def test_the_check_fails_a_silent_file(tmp_path):
    silent = tmp_path / "silent.wav"
    with wave.open(str(silent), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22050)
        wav.writeframes(b"\0\0" * 22050 * 2)
    assert any("quiet" in p for p in speech_problems(silent, "请放置图书"))


def test_the_check_fails_speech_too_short_for_its_text(rendered):
    short = rendered[("reason.pin_required", "zh_CN")]  # 请输入密码: five characters
    long_text = PROMPTS["reason.to_staff"]["zh_CN"] * 2
    assert any("outside" in p for p in speech_problems(short, long_text))


def test_empty_text_is_refused(tmp_path):
    with pytest.raises(SpeechError, match="empty"):
        EspeakRenderer().render("  ", "cmn", tmp_path / "x.wav")
    assert speech_problems(tmp_path / "x.wav", "") == ["the text has nothing to say"]


def test_a_broken_voice_is_refused(tmp_path):
    with pytest.raises(SpeechError, match="nosuchvoice"):
        EspeakRenderer().render("请放置图书", "nosuchvoice", tmp_path / "x.wav")
    assert not (tmp_path / "x.wav").exists()


def test_a_missing_engine_is_refused(tmp_path):
    renderer = EspeakRenderer(program=str(tmp_path / "espeak-ng"))
    assert not renderer.available
    with pytest.raises(SpeechError, match="not installed"):
        renderer.render("请放置图书", "cmn", tmp_path / "x.wav")
