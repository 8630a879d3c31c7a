"""Barcode classification: items, library cards, QR e-cards and junk, by site patterns."""

from __future__ import annotations

import pytest

from kiosk.barcodes import Barcode, BarcodeKind, BarcodeProblem, BarcodeRules, Rejected, classify

ECARD = "SF2.k1.UjAwMTIzNDU2.1790000000.c2lnbmF0dXJlLWJ5dGVz"
# The retired HMAC form still reads as an e-card, so its reader is told it is refused.
OLD_ECARD = "SF1.k1.UjAwMTIzNDU2.1790000000.c2lnbmF0dXJlLWJ5dGVz"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("31234567890123", BarcodeKind.ITEM),
        ("  31234567\r\n", BarcodeKind.ITEM),
        ("R0012345", BarcodeKind.PATRON_CARD),
        (ECARD, BarcodeKind.ECARD),
        (OLD_ECARD, BarcodeKind.ECARD),
    ],
)
def test_default_rules_tell_items_cards_and_ecards_apart(text: str, kind: BarcodeKind) -> None:
    result = classify(text)
    assert isinstance(result, Barcode)
    assert result.kind is kind
    assert result.text == text.strip()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", BarcodeProblem.EMPTY),
        ("   ", BarcodeProblem.EMPTY),
        ("1234", BarcodeProblem.NO_MATCH),
        ("hello world", BarcodeProblem.NO_MATCH),
        ("1234\x1b5678", BarcodeProblem.CONTROL_CHARACTERS),
        ("12345678\ufffd", BarcodeProblem.UNDECODABLE),
        ("9" * 600, BarcodeProblem.TOO_LONG),
    ],
)
def test_junk_is_refused_with_a_reason(text: str, problem: BarcodeProblem) -> None:
    result = classify(text)
    assert isinstance(result, Rejected)
    assert result.problem is problem
    assert str(result).startswith(problem.value)


def test_the_reason_never_repeats_the_scanned_text() -> None:
    result = classify("R99887766X")
    assert isinstance(result, Rejected)
    assert "R99887766X" not in str(result)


def test_sites_set_their_own_patterns() -> None:
    rules = BarcodeRules(item=r"C\d{7}", patron_card=r"\d{10}")
    assert classify("C0012345", rules) == Barcode(BarcodeKind.ITEM, "C0012345")
    assert classify("4400112233", rules) == Barcode(BarcodeKind.PATRON_CARD, "4400112233")
    assert isinstance(classify("31234567890123", rules), Rejected)


def test_a_text_fitting_both_patterns_is_ambiguous_unless_the_screen_says_what_it_wants() -> None:
    rules = BarcodeRules(item=r"\d{8,14}", patron_card=r"\d{10}")
    result = classify("1234567890", rules)
    assert isinstance(result, Rejected)
    assert result.problem is BarcodeProblem.AMBIGUOUS
    wanted = classify("1234567890", rules, prefer=BarcodeKind.PATRON_CARD)
    assert wanted == Barcode(BarcodeKind.PATRON_CARD, "1234567890")
    assert classify("1234567890", rules, prefer=BarcodeKind.ITEM).kind is BarcodeKind.ITEM


def test_an_ecard_wins_even_when_another_pattern_would_also_fit() -> None:
    rules = BarcodeRules(item=r".+")
    assert classify(ECARD, rules).kind is BarcodeKind.ECARD


def test_an_invalid_pattern_is_refused_when_the_rules_are_made() -> None:
    with pytest.raises(ValueError, match="item"):
        BarcodeRules(item="[unclosed")
