"""ISIL syntax checks used before anything is written to a tag."""

from __future__ import annotations

import pytest

from kiosk.tags import TagEncodeError
from kiosk.tags.isil import isil_problem, split_isil, validate_isil


@pytest.mark.parametrize(
    "isil", ["CN-110000-1", "DK-718500", "US-DLC", "FI-Mamk-M", "DE-Bo133", "O-a:b/c", "ZDB-1"]
)
def test_valid_isils_pass(isil):
    assert isil_problem(isil) is None
    assert validate_isil(isil) == isil


@pytest.mark.parametrize(
    ("isil", "reason"),
    [
        ("", "empty"),
        ("DK718500", "PREFIX-identifier"),
        ("dk-718500", "PREFIX-identifier"),
        ("CN-", "PREFIX-identifier"),
        ("CN--1", "not starting with -"),
        ("CN-110000 1", "PREFIX-identifier"),
        ("CN-图书馆", "PREFIX-identifier"),
        ("CN-123456789012", "PREFIX-identifier"),
        ("ABCDE-1", "PREFIX-identifier"),
        ("OCLC-123456789012", "at most 16"),
    ],
)
def test_invalid_isils_say_why(isil, reason):
    assert reason in isil_problem(isil)
    with pytest.raises(TagEncodeError, match=reason):
        validate_isil(isil)


def test_split_keeps_hyphens_after_the_prefix():
    assert split_isil("CN-110000-1") == ("CN", "110000-1")
