"""SIP2 message codec: fixed fields by position, variable fields by id, ``AY``/``AZ`` trailer."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sync.sip2 import checksum
from sync.sip2.errors import ChecksumMismatch, MalformedMessage
from sync.sip2.fields import PRIVATE_FIELDS

log = logging.getLogger(__name__)

#: Fixed-length fields of each message, in wire order: (name, width). SIP2 2.00.
FIXED: dict[str, tuple[tuple[str, int], ...]] = {
    # self-check -> ACS
    "93": (("uid_algorithm", 1), ("pwd_algorithm", 1)),
    "99": (("status_code", 1), ("max_print_width", 3), ("protocol_version", 4)),
    "23": (("language", 3), ("transaction_date", 18)),
    "63": (("language", 3), ("transaction_date", 18), ("summary", 10)),
    "11": (
        ("sc_renewal_policy", 1),
        ("no_block", 1),
        ("transaction_date", 18),
        ("nb_due_date", 18),
    ),
    "09": (("no_block", 1), ("transaction_date", 18), ("return_date", 18)),
    "29": (
        ("third_party_allowed", 1),
        ("no_block", 1),
        ("transaction_date", 18),
        ("nb_due_date", 18),
    ),
    "17": (("transaction_date", 18),),
    "35": (("transaction_date", 18),),
    "97": (),
    # ACS -> self-check
    "94": (("ok", 1),),
    "98": (
        ("online_status", 1),
        ("checkin_ok", 1),
        ("checkout_ok", 1),
        ("acs_renewal_policy", 1),
        ("status_update_ok", 1),
        ("offline_ok", 1),
        ("timeout_period", 3),
        ("retries_allowed", 3),
        ("date_time_sync", 18),
        ("protocol_version", 4),
    ),
    "24": (("patron_status", 14), ("language", 3), ("transaction_date", 18)),
    "64": (
        ("patron_status", 14),
        ("language", 3),
        ("transaction_date", 18),
        ("hold_items_count", 4),
        ("overdue_items_count", 4),
        ("charged_items_count", 4),
        ("fine_items_count", 4),
        ("recall_items_count", 4),
        ("unavailable_holds_count", 4),
    ),
    "12": (
        ("ok", 1),
        ("renewal_ok", 1),
        ("magnetic_media", 1),
        ("desensitize", 1),
        ("transaction_date", 18),
    ),
    "10": (
        ("ok", 1),
        ("resensitize", 1),
        ("magnetic_media", 1),
        ("alert", 1),
        ("transaction_date", 18),
    ),
    "30": (
        ("ok", 1),
        ("renewal_ok", 1),
        ("magnetic_media", 1),
        ("desensitize", 1),
        ("transaction_date", 18),
    ),
    "18": (
        ("circulation_status", 2),
        ("security_marker", 2),
        ("fee_type", 2),
        ("transaction_date", 18),
    ),
    "36": (("end_session", 1), ("transaction_date", 18)),
    "96": (),
}

#: The reply each request expects.
REPLY_TO = {
    "93": "94",
    "99": "98",
    "23": "24",
    "63": "64",
    "11": "12",
    "09": "10",
    "29": "30",
    "17": "18",
    "35": "36",
}

DELIMITER = "|"


@dataclass
class Message:
    """One SIP2 message: its command, fixed fields by name and variable fields in order.

    Variable fields stay an ordered list of (id, value) pairs because ``AF``/``AG`` repeat and
    because unknown ids from a dialect must survive to be logged, not be dropped silently.
    """

    command: str
    fixed: dict[str, str] = field(default_factory=dict)
    fields: list[tuple[str, str]] = field(default_factory=list)
    sequence: int | None = None

    def get(self, field_id: str, default: str | None = None) -> str | None:
        for fid, value in self.fields:
            if fid == field_id:
                return value
        return default

    def all(self, field_id: str) -> list[str]:
        return [value for fid, value in self.fields if fid == field_id]

    def flag(self, name: str) -> bool:
        """A fixed Y/N or 1/0 field read as a boolean (anything else is False)."""
        return self.fixed.get(name, "") in ("Y", "1")

    def redacted(self) -> str:
        """The message as text for logs, with every reader-identifying value masked."""
        parts = [self.command, *self.fixed.values()]
        for fid, value in self.fields:
            parts.append(f"{fid}{'***' if fid in PRIVATE_FIELDS else value}|")
        return "".join(parts)


def request(command: str, fixed: dict[str, str], *fields: tuple[str, str | None]) -> Message:
    """A message to send; variable fields whose value is None are left out."""
    return Message(command, dict(fixed), [(f, v) for f, v in fields if v is not None])


def encode(message: Message, *, charset: str, sequence: int | None) -> bytes:
    """The frame for ``message`` including its CR; with a sequence digit it carries AY/AZ.

    Values are checked before anything is sent: a delimiter, CR or over-long value would
    corrupt the frame at the ACS, which many servers answer by closing the connection.
    """
    layout = FIXED.get(message.command)
    if layout is None:
        raise MalformedMessage(f"no layout for command {message.command!r}")
    body = bytearray(message.command.encode("ascii"))
    for name, width in layout:
        value = message.fixed.get(name, "")
        data = value.encode(charset)
        if len(data) != width:
            raise MalformedMessage(f"{message.command} {name} must be {width} bytes")
        body += data
    for fid, value in message.fields:
        data = value.encode(charset)
        if len(fid) != 2 or DELIMITER in value or "\r" in value or "\n" in value:
            raise MalformedMessage(f"{message.command} field {fid} cannot be framed")
        if len(data) > 255:
            raise MalformedMessage(f"{message.command} field {fid} exceeds 255 bytes")
        body += fid.encode("ascii") + data + DELIMITER.encode("ascii")
    if sequence is not None:
        if message.command not in ("96", "97"):
            body += b"AY" + str(sequence % 10).encode("ascii")
        body += b"AZ"
        body += checksum.checksum(bytes(body)).encode("ascii")
    return bytes(body) + b"\r"


def decode(frame: bytes, *, charset: str, verify: bool = True) -> Message:
    """Parse one frame (CR optional). Raises ``ChecksumMismatch`` or ``MalformedMessage``.

    Lenient where systems differ in harmless ways (a missing last delimiter, a trailing LF,
    unknown field ids), strict where a wrong guess would misread a loan (fixed fields).
    """
    body = frame.rstrip(b"\r\n").lstrip(b"\n")
    sequence: int | None = None
    if checksum.has_checksum(body):
        if verify and not checksum.verify(body):
            raise ChecksumMismatch("reply checksum does not add up")
        body = body[:-6]
        if len(body) >= 3 and body[-3:-1] == b"AY" and body[-1:].isdigit():
            sequence = int(body[-1:])
            body = body[:-3]
    text = body.decode(charset, errors="replace")
    command, rest = text[:2], text[2:]
    layout = FIXED.get(command)
    if layout is None or not command.isdigit():
        raise MalformedMessage(f"unknown command {command!r}")
    fixed: dict[str, str] = {}
    cursor = 0
    for name, width in layout:
        value = rest[cursor : cursor + width]
        if len(value) != width:
            raise MalformedMessage(f"{command} fixed field {name} truncated")
        fixed[name] = value
        cursor += width
    fields: list[tuple[str, str]] = []
    for piece in rest[cursor:].split(DELIMITER):
        if not piece:
            continue
        if len(piece) < 2 or not piece[:2].isalpha():
            log.warning("sip2 %s: skipped an unreadable variable field", command)
            continue
        fields.append((piece[:2], piece[2:]))
    return Message(command, fixed, fields, sequence)
