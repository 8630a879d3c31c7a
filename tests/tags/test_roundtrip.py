"""Property tests: whatever the encoder accepts, the decoder reads back unchanged and without
warnings, for every writable data model."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.tags import decode, dsfid_for, encode

from .strategies import fixed_piis, identifiers, isils, object_piis, sets

OBJECT_ELEMENTS = st.dictionaries(
    st.sampled_from(["shelf_location", "title", "local_data_a", "order_number"]),
    object_piis,
    max_size=3,
)


@given(
    pii=object_piis,
    isil=st.none() | isils(),
    part_of=st.none() | sets(limit=999),
    type_of_usage=st.none() | st.integers(0, 255),
    elements=OBJECT_ELEMENTS,
    align=st.booleans(),
    block_size=st.sampled_from([4, 8]),
)
def test_28560_2_round_trips(pii, isil, part_of, type_of_usage, elements, align, block_size):
    data = encode(
        format="28560-2",
        pii=pii,
        isil=isil,
        set=part_of,
        type_of_usage=type_of_usage,
        elements=elements,
        align=align,
        block_size=block_size,
    )
    assert len(data) % block_size == 0
    tag = decode(data, dsfid=dsfid_for("28560-2"), block_size=block_size)
    assert tag.format == "28560-2"
    assert (tag.pii, tag.isil, tag.set, tag.type_of_usage) == (pii, isil, part_of, type_of_usage)
    assert {k: v for k, v in tag.elements.items() if k != "content_parameter"} == elements
    assert tag.warnings == []
    assert encode(tag, size=len(data), block_size=block_size, align=align) == data


@given(
    pii=fixed_piis,
    size=st.sampled_from([32, 34, 64, 112]),
    part_of=sets(limit=255),
    type_of_usage=st.integers(0, 15),
    data=st.data(),
)
def test_28560_3_round_trips(pii, size, part_of, type_of_usage, data):
    isil = data.draw(st.none() | isils(countries_only=True, max_owner=11 if size == 32 else 13))
    encoded = encode(
        format="28560-3", pii=pii, isil=isil, set=part_of, type_of_usage=type_of_usage, size=size
    )
    assert len(encoded) == size
    tag = decode(encoded, dsfid=dsfid_for("28560-3"))
    assert tag.format == "28560-3" and tag.crc_ok is True
    assert (tag.pii, tag.isil, tag.set, tag.type_of_usage) == (pii, isil, part_of, type_of_usage)
    assert tag.warnings == []
    assert encode(tag, size=size) == encoded


@given(
    pii=fixed_piis,
    country=st.sampled_from(["DK", "DE", "NO", "CN"]),
    library=identifiers(max_size=9),
    size=st.sampled_from([32, 34]),
)
def test_ddm1_round_trips(pii, country, library, size):
    encoded = encode(format="ddm1", pii=pii, country=country, library=library, size=size)
    tag = decode(encoded)
    assert tag.format == "ddm1" and tag.crc_ok is True
    assert (tag.pii, tag.country, tag.library, tag.isil) == (
        pii,
        country,
        library,
        f"{country}-{library}",
    )
    assert len(tag.warnings) == 1 and "no DSFID given" in tag.warnings[0]
    assert encode(tag, size=size) == encoded


@given(pii=object_piis, isil=isils())
def test_28560_2_round_trips_through_reversed_blocks(pii, isil):
    data = encode(format="28560-2", pii=pii, isil=isil)
    flipped = b"".join(data[i : i + 4][::-1] for i in range(0, len(data), 4))
    tag = decode(flipped, dsfid=0x06)
    assert (tag.pii, tag.isil) == (pii, isil)
