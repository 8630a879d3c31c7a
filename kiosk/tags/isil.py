"""ISIL (ISO 15511) syntax: the owner institution's identifier, e.g. CN-110000-1 or DK-718500."""

from __future__ import annotations

import re

from kiosk.tags.errors import TagEncodeError

MAX_LENGTH = 16
MAX_IDENTIFIER = 11
#: Characters an ISIL may hold after its prefix (ISO 15511).
IDENTIFIER_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-/:")

# A prefix is a two-letter country code, or a 1-, 3- or 4-letter non-country prefix (O, ZDB).
_ISIL = re.compile(r"([A-Z]{1,4})-([A-Za-z0-9/:][A-Za-z0-9/:\-]{0,10})")
_COUNTRY = re.compile(r"[A-Z]{2}")


def isil_problem(isil: str) -> str | None:
    """Why ``isil`` is not a valid ISIL, or None when it is."""
    if not isinstance(isil, str) or not isil:
        return "the ISIL is empty"
    if len(isil) > MAX_LENGTH:
        return f"ISIL {isil!r} is {len(isil)} characters long; ISO 15511 allows at most 16"
    if not _ISIL.fullmatch(isil):
        return (
            f"ISIL {isil!r} is not 'PREFIX-identifier' (a 1-4 letter upper-case prefix such as "
            "CN or DK, a hyphen, then up to 11 of A-Z a-z 0-9 - / :, not starting with -)"
        )
    return None


def validate_isil(isil: str) -> str:
    """Return ``isil`` unchanged, or raise TagEncodeError saying what is wrong with it."""
    problem = isil_problem(isil)
    if problem:
        raise TagEncodeError(problem)
    return isil


def split_isil(isil: str) -> tuple[str, str]:
    """(prefix, identifier) of a valid ISIL: 'CN-110000-1' -> ('CN', '110000-1')."""
    prefix, _, identifier = isil.partition("-")
    return prefix, identifier


def is_country_code(text: str) -> bool:
    return bool(_COUNTRY.fullmatch(text))
