"""Spoken prompts: rendering the whole catalogue with espeak-ng, cold and cached, and what a
screen pays to ask for a prompt (the hand-over to the voice worker)."""

from __future__ import annotations

import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import time as clock
from pathlib import Path

from kiosk.voice import VoiceSettings, fixed_utterances
from tests.bench.rows import Row
from ui.voice import Voice
from ui.voice.espeak import EspeakRenderer


def run() -> list[Row]:
    renderer = EspeakRenderer()
    if not renderer.available:
        return [Row("espeak-ng not installed", 0, "skipped")]
    utterances = fixed_utterances()
    with tempfile.TemporaryDirectory() as folder:
        voice = Voice(
            VoiceSettings(enabled=True, cache_folder=str(Path(folder) / "cache")),
            renderer=renderer,
            player=lambda path: None,
            device_present=True,
            now=lambda: clock(10, 0),
        )
        worker = ThreadPoolExecutor(1)  # rendering is refused on the calling (UI) thread

        def timed() -> list[float]:
            samples = []
            for utterance in utterances:
                start = time.perf_counter()
                worker.submit(voice.wav_for, utterance).result()
                samples.append((time.perf_counter() - start) * 1000)
            return samples

        cold, warm = timed(), timed()
        hand_over = []
        for utterance in utterances:
            start = time.perf_counter()
            voice.say(utterance.key, utterance.language)
            hand_over.append((time.perf_counter() - start) * 1000)
        voice.wait_until_quiet(timeout_s=300)
        voice.close()
        worker.shutdown()
    return [
        Row(
            "render whole catalogue, cold (espeak-ng)",
            len(cold),
            f"{sum(cold) / 1000:.2f} s total, p50 {statistics.median(cold):.0f} ms, "
            f"max {max(cold):.0f} ms per prompt (background, at start-up)",
        ),
        Row(
            "find a cached prompt",
            len(warm),
            f"p50 {statistics.median(warm):.2f} ms, max {max(warm):.2f} ms",
        ),
        Row(
            "say() on the UI thread (hand-over)",
            len(hand_over),
            f"p50 {statistics.median(hand_over):.3f} ms, max {max(hand_over):.3f} ms "
            "(target < 1 ms: never waits on synthesis)",
        ),
    ]


if __name__ == "__main__":
    for row in run():
        print(f"{row.name:<44}{row.n:>6}  {row.figure}")
