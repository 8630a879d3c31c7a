"""Every kiosk setting, declared once with its type, default and one line of help.

The loader validates against this list, ``shufang config sample`` prints the sample file from
it, and a test keeps ``packaging/kiosk.sample.toml`` identical to that output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.config.types import REQUIRED, Bool, Float, Int, Mapping, Records, Str, TimeZone

DEVICE_URI = r"(sim:.*|none|[a-z0-9+]+:.+)"
_HHMM = r"([01]\d|2[0-4]):[0-5]\d"
_SPAN = rf"{_HHMM}-{_HHMM}"
WEEKDAY_HOURS = rf"(closed|{_SPAN}(,{_SPAN})*)"


@dataclass(frozen=True)
class Setting:
    key: str  # dotted: section.name
    type: Any
    default: Any
    help: str

    @property
    def section(self) -> str:
        return self.key.rpartition(".")[0]

    @property
    def name(self) -> str:
        return self.key.rpartition(".")[2]


RULE_FIELDS = (
    ("category", Str(), "*"),
    ("item_class", Str(), "*"),
    ("loanable", Bool(), True),
    ("loan_days", Int(minimum=0, maximum=366), 28),
    ("max_items", Int(minimum=0), 10),
    ("renewals", Int(minimum=0), 2),
)

DEFAULT_RULES = [
    {
        "category": "*",
        "item_class": "*",
        "loanable": True,
        "loan_days": 28,
        "max_items": 10,
        "renewals": 2,
    },
    {
        "category": "*",
        "item_class": "dvd",
        "loanable": True,
        "loan_days": 7,
        "max_items": 2,
        "renewals": 1,
    },
    {
        "category": "*",
        "item_class": "reference",
        "loanable": False,
        "loan_days": 0,
        "max_items": 0,
        "renewals": 0,
    },
    {
        "category": "child",
        "item_class": "*",
        "loanable": True,
        "loan_days": 21,
        "max_items": 5,
        "renewals": 2,
    },
]

SETTINGS: tuple[Setting, ...] = (
    # the machine and where it stands
    Setting(
        "kiosk.id",
        Str(pattern=r"[A-Za-z0-9._-]{1,64}", allow_empty=False),
        "kiosk-01",
        "This kiosk's id, as enrolled at the central service.",
    ),
    Setting(
        "kiosk.branch",
        Str(allow_empty=False),
        "main",
        "Code of the branch or study room this kiosk stands in.",
    ),
    Setting("kiosk.branch_name", Str(), "城市书房", "Branch name shown on screen and on receipts."),
    Setting(
        "kiosk.isil",
        Str(pattern=r"[A-Z]{1,4}-[A-Za-z0-9:/-]{1,11}"),
        "CN-000000-0",
        "ISIL of the library that owns this kiosk; items of other libraries are sent home.",
    ),
    Setting(
        "kiosk.timezone",
        TimeZone(),
        "Asia/Shanghai",
        "Local time zone for due dates and opening hours.",
    ),
    Setting(
        "kiosk.language",
        Str(choices=("zh_CN", "en")),
        "zh_CN",
        "Language a session starts in; readers can switch at any time.",
    ),
    Setting(
        "kiosk.help_phone",
        Str(),
        "",
        "Phone number readers can call for help in this room, shown wherever the screen would "
        "send them to staff; '' = show nothing extra.",
    ),
    Setting(
        "kiosk.help_url",
        Str(pattern=r"https?://\S+"),
        "",
        "The library's help page, shown as a QR code wherever the screen would send readers "
        "to staff; '' = no QR code.",
    ),
    # local store
    Setting(
        "database.path",
        Str(allow_empty=False),
        "/var/lib/shufang/kiosk.db",
        "SQLite file of loans, journal and replicated data (WAL mode).",
    ),
    Setting(
        "database.busy_timeout_ms",
        Int(minimum=100, maximum=60000),
        5000,
        "How long a writer waits for the other process's lock before failing.",
    ),
    # devices, chosen by URI
    Setting(
        "devices.rfid",
        Str(pattern=DEVICE_URI),
        "sim:",
        "RFID pad reader: sim:, feig:///dev/ttyUSB0?baud=38400, 3m810:///dev/ttyS0, "
        "llrp://HOST:5084 (UHF), none.",
    ),
    Setting(
        "devices.scanner",
        Str(pattern=DEVICE_URI),
        "sim:",
        "Barcode scanner: sim:, scanner+serial:///dev/ttyACM0, scanner+hid:/dev/input/...",
    ),
    Setting(
        "devices.card",
        Str(pattern=DEVICE_URI),
        "sim:",
        "Patron card reader: sim:, nfc:usb, nfc:tty:USB0, nfc:udp:127.0.0.1:54321, none. An nfc:"
        " reader also reads resident ID cards' chip numbers (?idcard=false stops it).",
    ),
    Setting(
        "devices.printer",
        Str(pattern=DEVICE_URI),
        "sim:",
        "Receipt printer: sim:, escpos+serial:///dev/ttyS1?baud=19200, escpos+net://host:9100.",
    ),
    Setting(
        "devices.card_number_rules",
        Str(
            pattern=r"(uid_hex|uid_hex_reversed|uid_decimal|uid_decimal_reversed|ndef_text)"
            r"(,(uid_hex|uid_hex_reversed|uid_decimal|uid_decimal_reversed|ndef_text))*"
        ),
        "ndef_text,uid_decimal_reversed",
        "How a tapped card becomes a card number; rules tried in order (see docs).",
    ),
    Setting(
        "devices.rfid_poll_hz",
        Float(minimum=0.5, maximum=50),
        5.0,
        "How often the pad watcher asks the reader which tags are present.",
    ),
    # scanned text
    Setting(
        "barcodes.item_pattern",
        Str(allow_empty=False),
        r"[0-9]{6,14}",
        "Regular expression an item barcode matches (whole text).",
    ),
    Setting(
        "barcodes.patron_card_pattern",
        Str(allow_empty=False),
        r"[A-Z]{1,2}[0-9]{4,12}",
        "Regular expression a library-card barcode matches (whole text).",
    ),
    # upstream
    Setting(
        "upstream.kind",
        Str(choices=("central", "sip2", "none")),
        "central",
        "Who decides online: the Shufang central service, a SIP2 library system, or nobody.",
    ),
    Setting(
        "upstream.url",
        Str(),
        "http://127.0.0.1:8470",
        "Central service base URL (upstream.kind = central, and for heartbeats).",
    ),
    Setting(
        "upstream.token",
        Str(),
        "",
        "Enrolment token issued by `shufang central enrol`; keep this file private.",
    ),
    Setting(
        "upstream.timeout_s",
        Float(minimum=0.1, maximum=30),
        2.0,
        "Latency budget for an online decision before the kiosk decides offline.",
    ),
    # SIP2 library system (upstream.kind = sip2)
    Setting(
        "sip2.host",
        Str(),
        "127.0.0.1",
        "Host name or address of the library system's SIP2 service.",
    ),
    Setting("sip2.port", Int(minimum=1, maximum=65535), 6001, "TCP port of the SIP2 service."),
    Setting(
        "sip2.tls", Bool(), False, "Wrap the SIP2 connection in TLS (where the site offers it)."
    ),
    Setting(
        "sip2.tls_ca_file",
        Str(),
        "",
        "PEM file of the CA that signed the SIP2 server's certificate ('' = system CAs).",
    ),
    Setting("sip2.login_user", Str(), "", "SIP2 login (93) user id; '' = send no login."),
    Setting("sip2.login_password", Str(), "", "SIP2 login password; keep this file private."),
    Setting(
        "sip2.location_code", Str(), "", "Location code sent at login and on checkins (CP/AP)."
    ),
    Setting("sip2.institution_id", Str(), "", "Institution id (AO) the library system expects."),
    Setting("sip2.terminal_password", Str(), "", "Terminal password (AC), if the site uses one."),
    Setting(
        "sip2.charset",
        Str(choices=("utf-8", "cp850", "gb18030")),
        "utf-8",
        "Character set of SIP2 messages; the checksum is computed over the encoded bytes.",
    ),
    Setting(
        "sip2.checksums",
        Bool(),
        True,
        "Send sequence numbers and checksums (AY/AZ error detection).",
    ),
    Setting(
        "sip2.bad_checksums",
        Str(choices=("verify", "accept")),
        "verify",
        "A reply whose checksum is wrong: verify (ask again, then fail) or accept it (for "
        "library systems known to compute it wrongly; logged once, counted as a fault).",
    ),
    Setting(
        "sip2.connect_timeout_s",
        Float(minimum=0.1, maximum=60),
        5.0,
        "Seconds to wait for the TCP/TLS connection to the library system.",
    ),
    Setting(
        "sip2.timeout_s",
        Float(minimum=0.1, maximum=120),
        10.0,
        "Seconds to wait for one reply (live decisions are also bounded by upstream.timeout_s).",
    ),
    Setting(
        "sip2.retries",
        Int(minimum=0, maximum=10),
        2,
        "Times a request is sent again on a new connection after a timeout or a drop "
        "(a checkout, return or renewal that left is never sent twice: 17 is asked).",
    ),
    Setting(
        "sip2.sessions",
        Int(minimum=1, maximum=8),
        1,
        "Parallel SIP2 sessions, so a stack of items is decided at once (if the ACS allows).",
    ),
    Setting(
        "sip2.dialect",
        Str(choices=("standard", "koha", "evergreen", "folio", "sierra", "polaris", "interlib")),
        "standard",
        "Profile of the library system's SIP2 habits (hold counts, blocks, dates).",
    ),
    Setting(
        "sip2.local_dates",
        Bool(),
        True,
        "Send dates in local time (blank zone) rather than UTC ('   Z').",
    ),
    Setting(
        "sip2.offline_policy",
        Str(choices=("acs", "allow", "deny")),
        "acs",
        "Lend offline while the library system is down: as its last 98 said, always, or never.",
    ),
    # sync daemon
    Setting(
        "sync.heartbeat_s",
        Int(minimum=1, maximum=3600),
        30,
        "Seconds between heartbeats to the central service.",
    ),
    Setting("sync.batch_size", Int(minimum=1, maximum=1000), 100, "Journal rows sent per push."),
    Setting(
        "sync.max_backoff_s",
        Int(minimum=1, maximum=3600),
        300,
        "Longest wait between retries while the upstream is unreachable.",
    ),
    # reader-facing screen
    Setting(
        "ui.idle_timeout_s",
        Int(minimum=10, maximum=600),
        45,
        "Seconds without a touch before the session ends and the screen is cleared.",
    ),
    Setting(
        "ui.idle_countdown_s",
        Int(minimum=20, maximum=120),
        20,
        "Length of the 'need more time?' warning, with its countdown and More time button, at "
        "the end of ui.idle_timeout_s (WCAG 2.2.1: at least 20 s to react).",
    ),
    Setting(
        "ui.elderly_idle_timeout_s",
        Int(minimum=20, maximum=900),
        90,
        "ui.idle_timeout_s while a reader has 长者模式 (elderly mode, large text) on.",
    ),
    Setting(
        "ui.elderly_idle_countdown_s",
        Int(minimum=20, maximum=180),
        40,
        "ui.idle_countdown_s while a reader has 长者模式 (elderly mode, large text) on.",
    ),
    Setting("ui.sounds", Bool(), True, "Play short sound cues for success and problems."),
    Setting(
        "ui.orientation",
        Str(choices=("portrait", "landscape", "auto")),
        "auto",
        "Screen layout; auto follows the screen's shape.",
    ),
    Setting(
        "ui.scale",
        Float(minimum=0.5, maximum=2.0),
        1.0,
        "Size of everything on screen. The layout is drawn for 1080x1920 (portrait) or "
        "1920x1080 (landscape) pixels; on a smaller screen set the ratio, e.g. 0.67 on "
        "1280x720 or 0.71 on 1366x768 (the log says which value fits at start-up).",
    ),
    Setting(
        "ui.kiosk_model",
        Str(choices=("upright", "desk")),
        "upright",
        "The machine the readers stand at, for the moving pictures that show where to put the "
        "books and the card: 'upright' = a floor kiosk with the pad on a shelf below the "
        "screen, card reader and scanner window beside the screen; 'desk' = a desk unit with "
        "the pad to the right of a landscape screen.",
    ),
    Setting(
        "ui.receipt_qr",
        Str(choices=("text", "link")),
        "text",
        "What the QR receipt holds: 'text' = a short list a phone shows as it is (branch, "
        "titles shortened, due dates, the summary); 'link' = the library's page, "
        "ui.receipt_qr_link. Never the reader's card number or name.",
    ),
    Setting(
        "ui.receipt_qr_link",
        Str(pattern=r"https?://\S+"),
        "",
        "URL template of the library's page for ui.receipt_qr = 'link'; {kiosk}, {kind} "
        "(checkout/checkin), {at} (UTC, 20261204T060512Z) and {items} (item barcodes, "
        "comma-separated) are filled in. '' = the 'text' list instead.",
    ),
    # spoken prompts (语音播报)
    Setting(
        "voice.enabled",
        Bool(),
        True,
        "Speak short prompts (Mandarin, or English when the reader chose English) for each "
        "step, result and problem, rendered offline with espeak-ng.",
    ),
    Setting(
        "voice.volume",
        Int(minimum=0, maximum=100),
        80,
        "Loudness of the spoken prompts, in percent of the rendered level (0 = silent).",
    ),
    Setting(
        "voice.silent_hours",
        Str(pattern=rf"({_SPAN}(,{_SPAN})*)?"),
        "",
        "Local times when nothing is spoken, e.g. '22:00-07:00,12:00-13:30' (a span may cross "
        "midnight); '' = none. The screen and the sound cues carry on.",
    ),
    Setting(
        "voice.speed",
        Int(minimum=80, maximum=300),
        175,
        "Speaking rate in words per minute (espeak-ng -s; 175 is its own default, about three "
        "Mandarin syllables a second); a reader with 长者模式 on hears a fifth slower.",
    ),
    Setting(
        "voice.cache_folder",
        Str(allow_empty=False),
        "/var/lib/shufang/voice-cache",
        "Rendered prompts (WAV), named by a hash of text, voice, speed, volume and engine "
        "version; safe to delete, refilled at start-up.",
    ),
    Setting(
        "voice.override_folder",
        Str(),
        "/etc/shufang/voice",
        "The library's own recordings: a WAV named <prompt key>.<language>.wav (e.g. "
        "borrow.place_items.zh_CN.wav) replaces that fixed prompt; keys in docs/voice.md.",
    ),
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
    # loan policy (replaced by the central service's policy once synced)
    Setting(
        "policy.version",
        Str(allow_empty=False),
        "local-1",
        "Version label of this policy; the central service's policy carries its own.",
    ),
    Setting(
        "policy.rules",
        Records(tuple((n, t, d if d is not None else REQUIRED) for n, t, d in RULE_FIELDS)),
        DEFAULT_RULES,
        "Loan rules by patron category and item class; the most specific match applies.",
    ),
    Setting(
        "policy.max_loans",
        Mapping(Int(minimum=0)),
        {"*": 10, "child": 5},
        "Most items a patron of each category may have on loan in all ('*' = others).",
    ),
    Setting(
        "policy.pin_required",
        Bool(),
        True,
        "Ask for the PIN when a card is scanned or typed (taps of NFC and resident ID cards and QR"
        " e-cards excepted).",
    ),
    Setting(
        "policy.pin_for_nfc",
        Bool(),
        False,
        "Ask for the PIN after an NFC card or resident ID card tap too.",
    ),
    Setting(
        "policy.pin_max_attempts",
        Int(minimum=1, maximum=10),
        3,
        "Wrong PINs in a row before the card is locked (at every kiosk of the city, after sync).",
    ),
    Setting(
        "policy.pin_lockout_minutes",
        Int(minimum=1, maximum=1440),
        15,
        "How long a card stays locked after too many wrong PINs.",
    ),
    Setting(
        "policy.pin_hash_scope",
        Str(choices=("city", "branch", "none")),
        "city",
        "Which kiosks get a reader's PIN hash to check PINs offline: every kiosk (city), "
        "the kiosks of the reader's home branch (branch) or none; set at the central.",
    ),
    Setting("policy.block_expired", Bool(), True, "Refuse loans on an expired card."),
    Setting("policy.block_lost_card", Bool(), True, "Refuse a card reported lost."),
    Setting(
        "policy.max_overdue_items",
        Int(minimum=-1),
        0,
        "Overdue items a patron may have and still borrow (-1 = no limit).",
    ),
    Setting(
        "policy.overdue_grace_days",
        Int(minimum=0, maximum=60),
        0,
        "Days after the due date before an item counts as overdue for blocking.",
    ),
    Setting(
        "policy.max_fines_cents",
        Int(minimum=-1),
        1000,
        "Fines (in cents/fen) above which borrowing is refused (-1 = no limit).",
    ),
    Setting(
        "policy.enforce_hours",
        Bool(),
        False,
        "Refuse loans outside the opening hours (returns are always taken).",
    ),
    Setting(
        "policy.hours",
        Mapping(Str(pattern=WEEKDAY_HOURS)),
        {d: "08:00-22:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        "Opening hours per weekday (mon..sun), e.g. '08:00-12:00,13:00-22:00' or 'closed'.",
    ),
    Setting(
        "policy.tag_format",
        Str(choices=("28560-2", "28560-3")),
        "28560-2",
        "Data model for encoding new tags.",
    ),
    Setting(
        "policy.afi_secured",
        Int(minimum=0, maximum=255, hex=True),
        0x07,
        "AFI of an item in the library (security on).",
    ),
    Setting(
        "policy.afi_on_loan",
        Int(minimum=0, maximum=255, hex=True),
        0xC2,
        "AFI of an item on loan (security off).",
    ),
    Setting(
        "policy.offline_max_items",
        Int(minimum=0),
        3,
        "Most items one patron may borrow while the kiosk is offline.",
    ),
    Setting(
        "policy.offline_unknown_cards",
        Bool(),
        False,
        "Whether a card not in the local copy may borrow while offline.",
    ),
    Setting(
        "policy.offline_unknown_category",
        Str(),
        "adult",
        "Category an unknown card is treated as while offline, if allowed.",
    ),
    Setting(
        "policy.fee_items",
        Str(choices=("ask", "refuse")),
        "ask",
        "Items the library system lends only against a charge: ask the reader to accept it "
        "(then sent as fee acknowledged, SIP2 BO) or refuse them at the kiosk.",
    ),
    Setting(
        "policy.renew_from",
        Str(choices=("due_date", "today")),
        "due_date",
        "Where a renewal's new loan period starts: the current due date, or today (then a "
        "renewal that would not move the due date is declined without using a renewal).",
    ),
)


#: Settings a release took away, with why: a file that still has one loads (an unattended
#: kiosk must not stop at an upgrade) and the value is ignored.
RETIRED: dict[str, str] = {
    "ecard.signing_key_id": "kiosks no longer sign e-cards; `shufang central ecard` issues them",
}


def by_key() -> dict[str, Setting]:
    return {s.key: s for s in SETTINGS}
