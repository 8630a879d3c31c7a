"""Hypothesis strategies for tag data: ISILs, PIIs per data model, sets."""

from __future__ import annotations

from hypothesis import strategies as st

ISIL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-/:"
COUNTRIES = ["CN", "DK", "US", "DE", "FI", "NO", "SE", "GB"]
OTHER_PREFIXES = ["O", "ZDB", "OCLC"]
EXAMPLE_ISILS = ["CN-110000-1", "DK-718500", "US-DLC"]


@st.composite
def identifiers(draw: st.DrawFn, max_size: int = 11) -> str:
    first = draw(st.sampled_from(ISIL_CHARS.replace("-", "")))
    rest = draw(st.text(st.sampled_from(ISIL_CHARS), max_size=max_size - 1))
    return first + rest


@st.composite
def isils(draw: st.DrawFn, countries_only: bool = False, max_owner: int = 13) -> str:
    """Valid ISILs; ``max_owner`` bounds prefix + identifier without the hyphen."""
    if draw(st.booleans()):
        isil = draw(st.sampled_from(EXAMPLE_ISILS))
        if len(isil) - 1 <= max_owner:
            return isil
    prefixes = COUNTRIES if countries_only else COUNTRIES + OTHER_PREFIXES
    prefix = draw(st.sampled_from(prefixes))
    room = min(11, 15 - len(prefix), max_owner - len(prefix))
    return f"{prefix}-{draw(identifiers(max_size=room))}"


#: PIIs the object model (28560-2) takes: any text without control characters or outer spaces,
#: including Chinese, so every compaction scheme gets exercised.
object_piis = st.one_of(
    st.integers(min_value=0, max_value=10**20).map(str),
    st.text("0123456789", min_size=1, max_size=20),
    st.text(st.characters(min_codepoint=0x41, max_codepoint=0x5F), min_size=1, max_size=20),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=24),
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
        min_size=1,
        max_size=24,
    ),
).filter(lambda t: t == t.strip() and not any(0x7F <= ord(c) <= 0x9F for c in t))

#: PIIs the fixed-length model (28560-3 / DDM) takes: up to 16 printable ASCII characters.
fixed_piis = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=16
).filter(lambda t: t == t.strip())


@st.composite
def sets(draw: st.DrawFn, limit: int) -> tuple[int, int]:
    parts = draw(st.integers(min_value=1, max_value=limit))
    return draw(st.integers(min_value=1, max_value=parts)), parts
