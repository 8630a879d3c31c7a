"""The voice as the screens use it: overrides win, silence is kept, the UI thread never renders."""

from __future__ import annotations

import shutil
import threading
import wave
from datetime import time
from pathlib import Path

import pytest

from kiosk.voice import VoiceSettings
from kiosk.voice.audio import measure
from tests.voice.speech_check import speech_problems
from ui.sounds import CUES, RATE, chime
from ui.voice import Voice
from ui.voice.espeak import EspeakRenderer

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


class Player:
    """Stands in for aplay: remembers what it was handed to play, and on which thread."""

    def __init__(self) -> None:
        self.played: list[Path] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, path: Path) -> None:
        self.played.append(path)
        self.threads.append(threading.current_thread())


class SpyRenderer(EspeakRenderer):
    """The real espeak-ng, noting each call's thread; ``gate`` can hold a render back."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[threading.Thread] = []
        self.texts: list[str] = []
        self.gate = threading.Event()
        self.gate.set()

    def render(self, text, voice, target, *, speed=175):
        self.threads.append(threading.current_thread())
        self.texts.append(text)
        assert self.gate.wait(10)
        return super().render(text, voice, target, speed=speed)


def make_voice(tmp_path: Path, now: time = time(10, 0), **settings) -> tuple[Voice, Player]:
    player = Player()
    options = {
        "enabled": True,
        "volume": 100,
        "cache_folder": str(tmp_path / "cache"),
        "override_folder": str(tmp_path / "override"),
        **settings,
    }
    voice = Voice(
        VoiceSettings(**options),
        renderer=SpyRenderer(),
        player=player,
        now=lambda: now,
        device_present=True,
    )
    return voice, player


def write_recording(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(chime(CUES["attention"]))


@needs_espeak
def test_a_prompt_is_rendered_on_a_worker_and_played(tmp_path):
    voice, player = make_voice(tmp_path)
    said = voice.say("borrow.place_items", "zh_CN")
    voice.wait_until_quiet()
    assert said is not None and said.text == "请放置图书"
    assert len(player.played) == 1
    assert speech_problems(player.played[0], said.text) == []
    main = threading.main_thread()
    assert voice.renderer.threads and all(t is not main for t in voice.renderer.threads)
    assert all(t is not main for t in player.threads)
    voice.close()


@needs_espeak
def test_say_returns_while_the_render_is_still_running(tmp_path):
    """The UI thread hands the work over and goes on: the render is held back and say() has
    already returned (no timing: the gate proves it)."""
    voice, player = make_voice(tmp_path)
    voice.renderer.gate.clear()
    voice.say("borrow.done", "zh_CN", count=2, month=12, day=31, books="本", month_name="")
    assert player.played == []
    voice.renderer.gate.set()
    voice.wait_until_quiet()
    assert len(player.played) == 1
    voice.close()


def test_rendering_on_the_ui_thread_is_refused(tmp_path):
    voice, _ = make_voice(tmp_path)
    from kiosk.voice import compose

    with pytest.raises(RuntimeError, match="UI thread"):
        voice.wav_for(compose("borrow.place_items", "zh_CN"))
    voice.close()


@needs_espeak
def test_the_librarys_recording_wins_over_synthesis(tmp_path):
    voice, player = make_voice(tmp_path)
    write_recording(tmp_path / "override" / "borrow.place_items.zh_CN.wav")
    voice.say("borrow.place_items", "zh_CN")
    voice.say("borrow.place_items", "en")  # no English recording: synthesised
    voice.wait_until_quiet()
    recorded, synthesised = player.played
    assert measure(recorded).seconds == pytest.approx(0.48, abs=0.01)  # the chime's length
    assert voice.renderer.texts == ["Please place your books on the pad."]
    assert speech_problems(synthesised, "Please place your books on the pad.") == []
    voice.close()


@needs_espeak
def test_a_recording_cannot_replace_a_sentence_with_numbers(tmp_path):
    voice, _ = make_voice(tmp_path)
    write_recording(tmp_path / "override" / "return.done.zh_CN.wav")
    said = voice.say("return.done", "zh_CN", count=4)
    voice.wait_until_quiet()
    assert said.text == "还书成功，共 4 本"
    assert voice.renderer.texts == [said.text]
    voice.close()


@needs_espeak
def test_volume_scales_the_cached_speech(tmp_path):
    loud, loud_player = make_voice(tmp_path / "a", volume=100)
    soft, soft_player = make_voice(tmp_path / "b", volume=40)
    for voice in (loud, soft):
        voice.say("card.take", "zh_CN")
        voice.wait_until_quiet()
        voice.close()
    ratio = measure(soft_player.played[0]).rms / measure(loud_player.played[0]).rms
    assert ratio == pytest.approx(0.4, abs=0.01)


@needs_espeak
def test_a_prompt_is_rendered_once(tmp_path):
    voice, player = make_voice(tmp_path)
    for _ in range(3):
        voice.say("idle.warning", "zh_CN")
    voice.wait_until_quiet()
    assert len(player.played) == 3 and len(set(player.played)) == 1
    assert len(voice.renderer.texts) == 1
    voice.close()


@pytest.mark.parametrize(
    ("settings", "now", "why"),
    [
        ({"enabled": False}, time(10, 0), "off"),
        ({"volume": 0}, time(10, 0), "volume_zero"),
        ({"silent_hours": "22:00-07:00"}, time(23, 30), "silent_hours"),
        ({"silent_hours": "22:00-07:00"}, time(6, 59), "silent_hours"),
        ({"silent_hours": "12:00-13:30,22:00-07:00"}, time(12, 15), "silent_hours"),
    ],
)
def test_off_and_silent_hours_play_nothing(tmp_path, settings, now, why):
    voice, player = make_voice(tmp_path, now=now, **settings)
    voice.say("borrow.place_items", "zh_CN")
    voice.wait_until_quiet()
    assert player.played == [] and voice.renderer.texts == []
    assert voice.spoken[-1]["silent"] == why
    assert voice.status()["silent_now"] == why
    voice.close()


@needs_espeak
def test_outside_silent_hours_it_speaks(tmp_path):
    voice, player = make_voice(tmp_path, now=time(7, 0), silent_hours="22:00-07:00")
    voice.say("borrow.place_items", "zh_CN")
    voice.wait_until_quiet()
    assert len(player.played) == 1 and voice.spoken[-1]["silent"] is None
    voice.close()


def test_without_an_audio_device_it_only_notes_what_it_would_say(tmp_path):
    voice = Voice(
        VoiceSettings(enabled=True, cache_folder=str(tmp_path / "cache")),
        device_present=False,
        now=lambda: time(10, 0),
    )
    assert voice.player is None and voice.prepare() is None
    voice.say("return.done", "en", count=2, books="books")
    assert list(voice.spoken) == [
        {
            "key": "return.done",
            "language": "en",
            "text": "You have returned 2 books. Thank you.",
            "silent": "no_device",
        }
    ]
    voice.close()


@needs_espeak
def test_hush_drops_what_is_still_waiting(tmp_path):
    voice, player = make_voice(tmp_path)
    voice.renderer.gate.clear()
    voice.say("borrow.place_items", "zh_CN")
    voice.say("idle.warning", "zh_CN")
    voice.hush()  # a new reader: the last one's prompts are not theirs
    voice.renderer.gate.set()
    voice.wait_until_quiet()
    assert player.played == []
    voice.close()


@needs_espeak
def test_prepare_renders_every_fixed_prompt_ahead_of_need(tmp_path):
    from kiosk.voice import fixed_utterances

    voice, player = make_voice(tmp_path)
    # every fixed prompt at the usual speed and at the 长者模式 speed
    assert voice.prepare().result(timeout=240) == 2 * len(fixed_utterances())
    rendered = len(voice.renderer.texts)
    voice.say("reason.pin_wrong", "en")
    voice.wait_until_quiet()
    assert len(voice.renderer.texts) == rendered  # found in the cache: nothing to wait for
    assert len(player.played) == 1
    voice.close()


@needs_espeak
def test_elderly_readers_hear_prompts_slower(tmp_path):
    voice, player = make_voice(tmp_path)
    voice.say("card.take", "zh_CN")
    voice.slow = True  # 长者模式
    voice.say("card.take", "zh_CN")
    voice.wait_until_quiet()
    usual, slow = (measure(p).seconds for p in player.played)
    assert voice.slow_speed == 140 and slow > usual * 1.15
    assert speech_problems(player.played[1], "请取走您的读者证和图书，谢谢") == []
    voice.close()


@needs_espeak
def test_old_composed_sentences_are_pruned_fixed_prompts_kept(tmp_path):
    """Counts × dates would fill the disk over a year: composed sentences unused for three
    days are deleted at start-up; the fixed prompts stay."""
    import os
    import time as clock

    voice, _ = make_voice(tmp_path)
    voice.say("return.done", "zh_CN", count=2)
    voice.say("return.done", "zh_CN", count=3)
    voice.say("card.take", "zh_CN")
    voice.wait_until_quiet()
    composed = sorted((tmp_path / "cache" / "composed").glob("*.wav"))
    assert len(composed) == 2
    old = clock.time() - 4 * 86400
    os.utime(composed[0], (old, old))
    assert voice.prune_composed() == 1
    assert sorted((tmp_path / "cache" / "composed").glob("*.wav")) == composed[1:]
    assert len(list((tmp_path / "cache").glob("*.wav"))) == 1  # card.take, fixed: kept
    voice.close()


@needs_espeak
def test_a_prompt_after_a_sound_cue_waits_for_the_cue(tmp_path):
    """The idle chime (0.48 s) and the words do not sound on top of each other."""
    import time as clock

    from kiosk.voice import compose
    from ui.voice.guide import CUE_S

    voice, player = make_voice(tmp_path)
    times = []
    voice.player = lambda path: times.append(clock.monotonic())
    voice.prepare().result(timeout=240)  # rendered already: only the cue is waited for
    asked = clock.monotonic()
    voice.say_all([compose("idle.warning", "zh_CN")], after_s=CUE_S)
    voice.wait_until_quiet()
    assert CUE_S >= 0.48 and times[0] - asked >= CUE_S - 0.01
    assert player.played == []
    voice.close()
