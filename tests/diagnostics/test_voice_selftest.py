"""Diagnostics shows the spoken prompts' settings and why they are silent, and plays a test
prompt in both languages (issue #13, voice)."""

from __future__ import annotations

from datetime import time

from kiosk.voice import VoiceSettings
from tests.diagnostics.conftest import shoot
from tests.diagnostics.test_selftests import opened
from ui.qt import QtCore
from ui.voice import Voice

Qt = QtCore.Qt


class Player:
    def __init__(self) -> None:
        self.played = []

    def __call__(self, path) -> None:
        self.played.append(path)


def test_voice_section_shows_settings_and_plays_a_test_prompt(qtbot, make_diag, tmp_path):
    player = Player()
    voice = Voice(
        VoiceSettings(
            enabled=True, volume=60, silent_hours="22:00-07:00", cache_folder=str(tmp_path)
        ),
        player=player,
        device_present=True,
        now=lambda: time(10, 0),
    )
    kiosk = make_diag(voice=voice)
    page = opened(qtbot, kiosk, "devices")
    assert page.voice.state.text() == "现在会播报"
    details = page.voice_text.text()
    assert "音量 60%" in details and "22:00-07:00" in details
    qtbot.mouseClick(page.voice_button, Qt.MouseButton.LeftButton)
    assert page.voice.result.property("tone") == "ok"
    assert [s["text"] for s in voice.spoken] == ["语音播报测试", "Voice prompt test."]
    voice.wait_until_quiet()
    assert len(player.played) == 2
    shoot(page, "devices-voice")


def test_voice_section_says_why_it_is_silent(qtbot, make_diag, tmp_path):
    player = Player()
    voice = Voice(
        VoiceSettings(enabled=True, silent_hours="22:00-07:00", cache_folder=str(tmp_path)),
        player=player,
        device_present=True,
        now=lambda: time(23, 0),
    )
    kiosk = make_diag(voice=voice)
    page = opened(qtbot, kiosk, "devices")
    assert page.voice.state.text() == "静音时段，不播报"
    qtbot.mouseClick(page.voice_button, Qt.MouseButton.LeftButton)
    assert page.voice.result.text() == "静音时段，不播报"
    voice.wait_until_quiet()
    assert player.played == []


def test_no_voice_is_said_plainly(qtbot, diag):
    page = opened(qtbot, diag, "devices")
    qtbot.mouseClick(page.voice_button, Qt.MouseButton.LeftButton)
    assert page.voice.result.text() == "这台机器没有语音播报"
