"""Card numbers and UIDs in logs: only enough of them to tell two apart, never the number."""

from __future__ import annotations


def mask_id(value: str | bytes) -> str:
    """A card number or UID safe for logs: only its last two characters, and its length."""
    text = value.hex().upper() if isinstance(value, bytes) else value
    if not text:
        return ""
    return f"[{len(text)}]…{text[-2:]}" if len(text) > 4 else f"[{len(text)}]…"
