"""Spoken guidance (语音播报): which prompt to say, in which words, and when to stay silent.

Qt-free and device-free: the words, the keys a library can replace with its own recordings,
the cache names of rendered speech and the silent hours live here; synthesis (espeak-ng) is
``drivers.audio`` and playing and the worker thread are ``ui.voice``.
"""

from kiosk.voice.catalogue import LANGUAGES, PROMPTS, Utterance, compose, fixed_utterances
from kiosk.voice.policy import VoiceSettings

__all__ = ["LANGUAGES", "PROMPTS", "Utterance", "VoiceSettings", "compose", "fixed_utterances"]
