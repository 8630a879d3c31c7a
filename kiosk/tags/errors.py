"""The two errors the tag codecs raise: one for unreadable tag bytes, one for unwritable data."""

from __future__ import annotations


class TagDecodeError(ValueError):
    """Tag bytes that cannot be read as any known library data model.

    The message is meant for a technician at the kiosk: it says what was expected, what was
    found and, where it helps, at which byte.
    """


class TagEncodeError(ValueError):
    """Item data that must not be written to a tag as asked (bad PII, ISIL, set or size)."""
