"""The screens speak (issue #13, 语音播报): each step, result and problem of a real session says
its prompt in the reader's language, rendered and played on a worker, never the UI thread."""

from __future__ import annotations

import shutil
import threading
from datetime import time

import pytest

from kiosk.models import CardKind
from kiosk.voice import VoiceSettings
from tests.ui.test_flows import WAIT, sign_in
from tests.voice.speech_check import speech_problems
from ui.qt import Qt
from ui.session import Mode
from ui.voice import Voice

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


class Player:
    def __init__(self) -> None:
        self.played = []
        self.threads = []

    def __call__(self, path) -> None:
        self.played.append(path)
        self.threads.append(threading.current_thread())


@pytest.fixture
def spoken_kiosk(make_kiosk, tmp_path):
    player = Player()
    voice = Voice(
        VoiceSettings(enabled=True, volume=100, cache_folder=str(tmp_path / "voice")),
        player=player,
        now=lambda: time(10, 0),
        device_present=True,
    )
    kiosk = make_kiosk(voice=voice)
    return kiosk, voice, player


def keys(voice: Voice) -> list[str]:
    return [said["key"] for said in voice.spoken]


def test_a_borrowing_session_is_spoken_step_by_step(qtbot, spoken_kiosk):
    kiosk, voice, player = spoken_kiosk
    sign_in(qtbot, kiosk)
    assert keys(voice)[:3] == ["identify.show_card", "reason.pin_required", "borrow.place_items"]
    kiosk.events.place("100001")
    kiosk.events.place("100007")
    kiosk.events.place("300003")  # reference: not for loan
    qtbot.waitUntil(lambda: "borrow.done" in keys(voice), timeout=WAIT)
    said = {s["key"]: s["text"] for s in voice.spoken}
    assert said["reason.not_for_loan"] == "这本书仅供馆内阅读"
    assert said["borrow.done"].startswith("借书成功，共 2 本，请在 ")
    assert keys(voice).index("reason.not_for_loan") < keys(voice).index("borrow.done")
    assert keys(voice).count("borrow.done") == 1  # the stack is one sentence, not one per book
    qtbot.mouseClick(kiosk.window.borrow.finish, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.window.receipt.none_button, Qt.MouseButton.LeftButton)
    assert keys(voice)[-3:] == ["receipt.choose", "session.summary", "card.take"]
    closing = voice.spoken[-2]["text"]  # the goodbye screen's summary, said in its words
    assert closing.startswith("借书成功，共 2 本，请在") and closing.endswith("前归还。")
    voice.wait_until_quiet()
    assert len(player.played) == len(voice.spoken)
    assert all(t is not threading.main_thread() for t in player.threads)
    done = next(s for s in voice.spoken if s["key"] == "borrow.done")
    path = player.played[list(voice.spoken).index(done)]
    assert speech_problems(path, done["text"]) == []
    # nothing of the reader is ever spoken or noted
    assert not any("王" in s["text"] or "P0001" in s["text"] for s in voice.spoken)


def test_the_next_total_is_rendered_before_it_is_needed(qtbot, spoken_kiosk):
    """After one book, "共 2 本" is rendered in the background: the second book's sentence only
    waits for the player."""
    from kiosk.voice import Utterance

    kiosk, voice, _ = spoken_kiosk
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: "borrow.done" in keys(voice), timeout=WAIT)
    voice.wait_until_quiet()
    first = voice.spoken[-1]["text"]
    second = Utterance("borrow.done", "zh_CN", first.replace("共 1 本", "共 2 本"))
    assert voice.ready(second)
    kiosk.events.place("100007")
    qtbot.waitUntil(lambda: voice.spoken[-1]["text"] == second.text, timeout=WAIT)


def test_a_return_is_spoken_in_english_when_english_is_chosen(qtbot, spoken_kiosk):
    kiosk, voice, _ = spoken_kiosk
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: bool(kiosk.session.accepted), timeout=WAIT)
    kiosk.end_session()
    kiosk.events.remove("100001")
    kiosk.t.set_language("en")
    kiosk.begin(Mode.RETURN)
    assert voice.spoken[-1]["text"] == "Please place the books to return on the pad."
    kiosk.events.scan("100001")
    qtbot.waitUntil(lambda: "return.done" in keys(voice), timeout=WAIT)
    assert voice.spoken[-1]["text"] == "You have returned 1 book. Thank you."


def test_a_refused_card_says_why(qtbot, spoken_kiosk):
    kiosk, voice, _ = spoken_kiosk
    kiosk.events.tap("P0091", CardKind.NFC)  # lost card
    qtbot.waitUntil(lambda: "reason.card_lost" in keys(voice), timeout=WAIT)
    kiosk.events.tap("P0090", CardKind.NFC)  # expired: signs in, may not borrow
    kiosk.end_session()
    kiosk.begin(Mode.BORROW)
    kiosk.events.tap("P0090", CardKind.NFC)
    qtbot.waitUntil(lambda: "borrow.blocked" in keys(voice), timeout=WAIT)
    assert keys(voice)[-2:] == ["reason.card_expired", "borrow.blocked"]
    assert "borrow.place_items" not in keys(voice)


def test_the_idle_warning_is_spoken(qtbot, make_kiosk, tmp_path):
    voice = Voice(
        VoiceSettings(enabled=True, cache_folder=str(tmp_path / "voice")),
        player=Player(),
        device_present=True,
        now=lambda: time(10, 0),
    )
    kiosk = make_kiosk(voice=voice, idle_timeout_s=2, idle_countdown_s=1)
    sign_in(qtbot, kiosk)
    qtbot.waitUntil(lambda: kiosk.window.idle.isVisible(), timeout=WAIT)
    assert voice.spoken[-1]["key"] == "idle.warning"
    assert voice.spoken[-1]["text"] == "还需要更多时间吗？请轻触屏幕"


def test_in_silent_hours_the_screens_stay_quiet(qtbot, make_kiosk, tmp_path):
    player = Player()
    voice = Voice(
        VoiceSettings(enabled=True, silent_hours="22:00-07:00", cache_folder=str(tmp_path)),
        player=player,
        device_present=True,
        now=lambda: time(23, 15),
    )
    kiosk = make_kiosk(voice=voice)
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    qtbot.waitUntil(lambda: "borrow.done" in keys(voice), timeout=WAIT)
    voice.wait_until_quiet()
    assert player.played == []
    assert {s["silent"] for s in voice.spoken} == {"silent_hours"}


def test_renewals_say_how_many_and_the_new_date_or_why_not(qtbot, spoken_kiosk):
    kiosk, voice, _ = spoken_kiosk
    sign_in(qtbot, kiosk)
    kiosk.events.place("100001")
    kiosk.events.place("300002")  # a DVD: one renewal
    qtbot.waitUntil(lambda: len(kiosk.session.accepted) == 2, timeout=WAIT)
    kiosk.end_session()
    sign_in(qtbot, kiosk, mode=Mode.ACCOUNT)
    account = kiosk.window.account
    qtbot.mouseClick(account.renew_everything, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "renew.done" in keys(voice), timeout=WAIT)
    assert voice.spoken[-1]["text"].startswith("续借成功，共 2 本，请在 ")
    qtbot.mouseClick(account.renew_everything, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "reason.renewal_limit" in keys(voice), timeout=WAIT)
    assert keys(voice)[-2:] == ["reason.renewal_limit", "renew.done"]
    assert voice.spoken[-1]["text"].startswith("续借成功，共 1 本")


def test_elderly_mode_slows_the_voice_for_that_reader_only(qtbot, spoken_kiosk):
    kiosk, voice, _ = spoken_kiosk
    kiosk.begin(Mode.BORROW)
    kiosk.window.set_elderly(True)
    assert voice.slow and voice.speed == 140
    kiosk.end_session()
    assert not voice.slow and voice.speed == 175
