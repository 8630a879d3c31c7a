"""Decoding keyboard-wedge key events into scan text: a pure function, tested exhaustively."""

from __future__ import annotations

import string

import pytest

from drivers.scanner.keymap import (
    KEY_CAPSLOCK,
    KEY_ENTER,
    KEY_KPENTER,
    KEY_LEFTCTRL,
    KEY_LEFTSHIFT,
    KEY_NUMLOCK,
    KEY_RIGHTSHIFT,
    KEY_TAB,
    KeyDecoder,
    KeyedScan,
    decode_key_events,
)

DOWN, UP, REPEAT = 1, 0, 2


def press(code: int) -> list[tuple[int, int]]:
    return [(code, DOWN), (code, UP)]


def shifted(code: int, shift: int = KEY_LEFTSHIFT) -> list[tuple[int, int]]:
    return [(shift, DOWN), (code, DOWN), (code, UP), (shift, UP)]


ENTER = press(KEY_ENTER)
LETTER_CODES = dict(
    zip(
        "qwertyuiopasdfghjklzxcvbnm",
        [*range(16, 26), *range(30, 39), *range(44, 51)],
        strict=True,
    )
)
DIGIT_CODES = dict(zip("1234567890", range(2, 12), strict=True))


def test_every_letter_types_lower_case_without_shift() -> None:
    events = [e for c in string.ascii_lowercase for e in press(LETTER_CODES[c])] + ENTER
    assert decode_key_events(events) == [KeyedScan(string.ascii_lowercase)]


@pytest.mark.parametrize("shift", [KEY_LEFTSHIFT, KEY_RIGHTSHIFT])
def test_every_letter_types_upper_case_with_either_shift(shift: int) -> None:
    events = [e for c in string.ascii_lowercase for e in shifted(LETTER_CODES[c], shift)] + ENTER
    assert decode_key_events(events) == [KeyedScan(string.ascii_uppercase)]


def test_digits_and_their_shifted_symbols() -> None:
    plain = [e for c in "1234567890" for e in press(DIGIT_CODES[c])]
    upper = [e for c in "1234567890" for e in shifted(DIGIT_CODES[c])]
    assert decode_key_events(plain + ENTER + upper + ENTER) == [
        KeyedScan("1234567890"),
        KeyedScan("!@#$%^&*()"),
    ]


@pytest.mark.parametrize(
    ("code", "plain", "upper"),
    [
        (12, "-", "_"), (13, "=", "+"), (26, "[", "{"), (27, "]", "}"), (39, ";", ":"),
        (40, "'", '"'), (41, "`", "~"), (43, "\\", "|"), (51, ",", "<"), (52, ".", ">"),
        (53, "/", "?"), (57, " ", " "),
    ],
)  # fmt: skip
def test_punctuation_plain_and_shifted(code: int, plain: str, upper: str) -> None:
    events = press(code) + shifted(code) + ENTER
    assert decode_key_events(events) == [KeyedScan(plain + upper)]


def test_keypad_digits_type_digits_and_keypad_enter_ends_the_scan() -> None:
    keypad = [82, 79, 80, 81, 75, 76, 77, 71, 72, 73, 83, 74, 78, 55, 98]
    events = [e for code in keypad for e in press(code)] + press(KEY_KPENTER)
    assert decode_key_events(events) == [KeyedScan("0123456789.-+*/")]


def test_caps_lock_off_by_default_and_toggled_by_its_key() -> None:
    a, b = LETTER_CODES["a"], LETTER_CODES["b"]
    events = (
        press(a)
        + press(KEY_CAPSLOCK)
        + press(a)
        + shifted(b)  # shift under CapsLock gives lower case
        + press(KEY_CAPSLOCK)
        + press(b)
        + ENTER
    )
    assert decode_key_events(events) == [KeyedScan("aAbb")]


def test_caps_lock_does_not_shift_digits() -> None:
    events = press(KEY_CAPSLOCK) + press(DIGIT_CODES["1"]) + ENTER
    assert decode_key_events(events) == [KeyedScan("1")]


def test_caps_lock_state_carries_over_to_the_next_scan() -> None:
    decoder = KeyDecoder()
    for code, value in press(KEY_CAPSLOCK):
        decoder.feed(code, value)
    assert decoder.caps_lock
    for code, value in press(LETTER_CODES["x"]):
        decoder.feed(code, value)
    assert decoder.feed(KEY_ENTER, DOWN) == KeyedScan("X")


def test_unknown_keys_are_reported_not_silently_dropped() -> None:
    f1, backspace, esc = 59, 14, 1
    events = press(DIGIT_CODES["1"]) + press(f1) + press(backspace) + press(esc) + ENTER
    assert decode_key_events(events) == [KeyedScan("1", unknown_keys=(f1, backspace, esc))]


def test_ctrl_chords_are_not_text() -> None:
    c = LETTER_CODES["c"]
    events = [(KEY_LEFTCTRL, DOWN), (c, DOWN), (c, UP), (KEY_LEFTCTRL, UP), *press(c), *ENTER]
    assert decode_key_events(events) == [KeyedScan("c", unknown_keys=(c,))]


def test_numlock_is_ignored() -> None:
    assert decode_key_events(press(KEY_NUMLOCK) + press(82) + ENTER) == [KeyedScan("0")]


def test_key_up_and_autorepeat_type_nothing() -> None:
    one = DIGIT_CODES["1"]
    events = [(one, DOWN), (one, REPEAT), (one, REPEAT), (one, UP), *ENTER]
    assert decode_key_events(events) == [KeyedScan("1")]


def test_enter_ends_each_scan_and_a_bare_enter_is_no_scan() -> None:
    two = DIGIT_CODES["2"]
    events = ENTER + press(two) + ENTER + ENTER + press(two) + press(two) + ENTER
    assert decode_key_events(events) == [KeyedScan("2"), KeyedScan("22")]


def test_a_scan_without_enter_is_not_complete() -> None:
    assert decode_key_events(press(DIGIT_CODES["3"])) == []


def test_tab_can_be_the_terminator_instead_of_enter() -> None:
    events = press(DIGIT_CODES["4"]) + press(KEY_TAB) + press(DIGIT_CODES["5"]) + ENTER
    assert decode_key_events(events, frozenset({KEY_TAB})) == [
        KeyedScan("4", unknown_keys=()),
    ]


def test_reset_forgets_a_half_typed_scan_and_held_shift() -> None:
    decoder = KeyDecoder()
    decoder.feed(KEY_LEFTSHIFT, DOWN)
    decoder.feed(LETTER_CODES["q"], DOWN)
    decoder.reset()
    decoder.feed(LETTER_CODES["q"], DOWN)
    assert decoder.feed(KEY_ENTER, DOWN) == KeyedScan("q")
