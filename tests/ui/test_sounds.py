"""Sound cues: real WAV files, played through the player given, silent when switched off."""

from __future__ import annotations

import wave

from ui.sounds import CUES, Sounds, chime, write_cues


def test_cues_are_valid_short_wav_files(tmp_path):
    paths = write_cues(tmp_path)
    assert set(paths) == set(CUES)
    for path in paths.values():
        with wave.open(str(path)) as cue:
            seconds = cue.getnframes() / cue.getframerate()
            assert cue.getnchannels() == 1 and 0.1 < seconds < 0.6


def test_chime_fades_in_and_out():
    pcm = chime(((440.0, 0.05),))
    assert pcm[:2] == b"\x00\x00" and abs(int.from_bytes(pcm[-2:], "little", signed=True)) < 400


def test_play_goes_to_the_player_and_off_means_silent(tmp_path):
    played = []
    Sounds(True, player=played.append, folder=tmp_path).play("ok")
    assert [p.name for p in played] == ["ok.wav"]
    Sounds(False, player=played.append, folder=tmp_path).play("ok")
    assert len(played) == 1


def test_a_failing_player_does_not_raise(tmp_path):
    def broken(path):
        raise OSError("no sound card")

    Sounds(True, player=broken, folder=tmp_path).play("problem")


def test_each_outcome_plays_the_cue_that_says_what_to_do() -> None:
    """A return with one more step (hold shelf, other library, staff box) and an offer are
    "look", not the "problem" of a refusal nor the plain "ok" (#12: to_staff was heard as
    a plain success, a charge offer as a failure)."""
    from kiosk.outcomes import Outcome, OutcomeKind
    from kiosk.reasons import Reason
    from ui.sounds import cue_for

    accepted, refused, offer = OutcomeKind.ACCEPTED, OutcomeKind.REFUSED, OutcomeKind.OFFER
    assert cue_for(Outcome(accepted, Reason.OK, pii="1")) == "ok"
    assert cue_for(Outcome(accepted, Reason.NOT_ON_LOAN, pii="1")) == "ok"
    for reason in (Reason.HOLD_WAITING, Reason.SEND_TO_OWNER, Reason.TO_STAFF):
        assert cue_for(Outcome(accepted, reason, pii="1")) == "look"
    assert cue_for(Outcome(offer, Reason.FEE_TO_ACCEPT, pii="1")) == "look"
    assert cue_for(Outcome(refused, Reason.LIMIT_REACHED, pii="1")) == "problem"
