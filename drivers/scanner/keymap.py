"""Turning a keyboard-wedge scanner's key events into text (US layout), without evdev."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# Linux input event codes (include/uapi/linux/input-event-codes.h); kept here so the decoding
# is a pure function that tests can run without evdev or a kernel.
EV_KEY = 1
KEY_ENTER = 28
KEY_KPENTER = 96
KEY_TAB = 15
KEY_LEFTSHIFT = 42
KEY_RIGHTSHIFT = 54
KEY_CAPSLOCK = 58
KEY_LEFTCTRL = 29
KEY_RIGHTCTRL = 97
KEY_LEFTALT = 56
KEY_RIGHTALT = 100
KEY_NUMLOCK = 69

KEY_UP, KEY_DOWN, KEY_REPEAT = 0, 1, 2

_LETTERS = {
    16: "q", 17: "w", 18: "e", 19: "r", 20: "t", 21: "y", 22: "u", 23: "i", 24: "o", 25: "p",
    30: "a", 31: "s", 32: "d", 33: "f", 34: "g", 35: "h", 36: "j", 37: "k", 38: "l",
    44: "z", 45: "x", 46: "c", 47: "v", 48: "b", 49: "n", 50: "m",
}  # fmt: skip

# code -> (plain, shifted)
_SYMBOLS = {
    2: ("1", "!"), 3: ("2", "@"), 4: ("3", "#"), 5: ("4", "$"), 6: ("5", "%"),
    7: ("6", "^"), 8: ("7", "&"), 9: ("8", "*"), 10: ("9", "("), 11: ("0", ")"),
    12: ("-", "_"), 13: ("=", "+"), 26: ("[", "{"), 27: ("]", "}"), 39: (";", ":"),
    40: ("'", '"'), 41: ("`", "~"), 43: ("\\", "|"), 51: (",", "<"), 52: (".", ">"),
    53: ("/", "?"), 57: (" ", " "),
}  # fmt: skip

# Scanners set to "keypad emulation" type digits on the keypad; NumLock is assumed on, since
# the grabbed scanner has no LED state of its own that we could trust.
_KEYPAD = {
    71: "7", 72: "8", 73: "9", 74: "-", 75: "4", 76: "5", 77: "6", 78: "+",
    79: "1", 80: "2", 81: "3", 82: "0", 83: ".", 55: "*", 98: "/",
}  # fmt: skip

_SHIFTS = frozenset({KEY_LEFTSHIFT, KEY_RIGHTSHIFT})
_CONTROLS = frozenset({KEY_LEFTCTRL, KEY_RIGHTCTRL, KEY_LEFTALT, KEY_RIGHTALT})
_IGNORED = frozenset({KEY_NUMLOCK})


@dataclass(frozen=True, slots=True)
class KeyedScan:
    """One scan typed by the scanner. ``unknown_keys`` lists codes that had no character.

    A scan with unknown keys is not trustworthy: dropping a character would give a wrong
    barcode, so the driver refuses it instead of guessing.
    """

    text: str
    unknown_keys: tuple[int, ...] = ()


@dataclass
class KeyDecoder:
    """Keeps shift, CapsLock and the scan being typed across batches of events."""

    terminators: frozenset[int] = frozenset({KEY_ENTER, KEY_KPENTER})
    caps_lock: bool = False
    _held: set[int] = field(default_factory=set)
    _chars: list[str] = field(default_factory=list)
    _unknown: list[int] = field(default_factory=list)

    def feed(self, code: int, value: int) -> KeyedScan | None:
        """Take one EV_KEY event; return a scan when a terminator key goes down."""
        if code in _SHIFTS or code in _CONTROLS:
            if value == KEY_DOWN:
                self._held.add(code)
            elif value == KEY_UP:
                self._held.discard(code)
            return None
        if value != KEY_DOWN:
            # key-ups carry nothing; autorepeat means a lost key-up, not a repeated character
            return None
        if code == KEY_CAPSLOCK:
            self.caps_lock = not self.caps_lock
            return None
        if code in self.terminators:
            return self._finish()
        if code in _IGNORED:
            return None
        char = self._char(code)
        if char is None:
            self._unknown.append(code)
        else:
            self._chars.append(char)
        return None

    def pending(self) -> bool:
        return bool(self._chars or self._unknown)

    def reset(self) -> None:
        """Forget a half-typed scan and held modifiers (after a timeout or reconnect)."""
        self._chars.clear()
        self._unknown.clear()
        self._held.clear()

    def _char(self, code: int) -> str | None:
        if self._held & _CONTROLS:
            return None  # Ctrl/Alt chords are commands, not text
        shifted = bool(self._held & _SHIFTS)
        if code in _LETTERS:
            letter = _LETTERS[code]
            return letter.upper() if shifted != self.caps_lock else letter
        if code in _SYMBOLS:
            return _SYMBOLS[code][1 if shifted else 0]
        return _KEYPAD.get(code)

    def _finish(self) -> KeyedScan | None:
        if not self.pending():
            return None  # a bare Enter is not a scan
        scan = KeyedScan("".join(self._chars), tuple(self._unknown))
        self._chars.clear()
        self._unknown.clear()
        return scan


def decode_key_events(
    events: Iterable[tuple[int, int]], terminators: frozenset[int] | None = None
) -> list[KeyedScan]:
    """All complete scans in a sequence of (key code, value) EV_KEY events."""
    decoder = KeyDecoder() if terminators is None else KeyDecoder(terminators=terminators)
    scans = []
    for code, value in events:
        scan = decoder.feed(code, value)
        if scan is not None:
            scans.append(scan)
    return scans
