"""Spoken prompts (语音播报): espeak-ng synthesis, the cache, and playing off the UI thread.

The words and rules are Qt-free in ``kiosk.voice``; this package runs the synthesis in a child
process and plays with the sound cues' player (``ui.sounds``).
"""

from ui.voice.speaker import Voice, voice_from

__all__ = ["Voice", "voice_from"]
