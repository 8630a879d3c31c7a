"""Who may use the kiosk beyond a library card: QR e-cards and the technician."""

from __future__ import annotations

from kiosk.config.types import Int, Mapping, Setting, Str

ACCESS: tuple[Setting, ...] = (
    # QR e-cards
    Setting(
        "ecard.keys",
        Mapping(Str(pattern=r"[A-Za-z0-9_-]{43}=?")),
        {},
        "Key id -> Ed25519 public key (32 bytes, base64url) for verifying QR e-cards offline; "
        "replaced by the central's once it has sent any. Public keys only: the central issues "
        "cards (`shufang central ecard`), a kiosk cannot.",
    ),
    # technician
    Setting(
        "technician.pin_hash",
        Str(),
        "",
        "Salted scrypt hash of the technician PIN (`shufang card hash-pin`).",
    ),
    Setting(
        "technician.cards",
        Mapping(Str(allow_empty=False)),
        {},
        "Card id -> technician's name; tapping or scanning one opens diagnostics mode.",
    ),
    Setting(
        "technician.idle_timeout_s",
        Int(minimum=30, maximum=3600),
        180,
        "Seconds without a touch before diagnostics mode closes by itself.",
    ),
)
