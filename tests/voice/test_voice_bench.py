"""`make bench` has a row for the spoken prompts; it runs and reports every prompt."""

from __future__ import annotations

import shutil

import pytest

from kiosk.voice import fixed_utterances


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
def test_voice_benchmark_renders_the_catalogue_and_times_the_hand_over():
    from tests.bench import voice_bench

    rows = voice_bench.run()
    assert [r.n for r in rows] == [len(fixed_utterances())] * 3
    assert "s total" in rows[0].figure and "ms" in rows[2].figure
