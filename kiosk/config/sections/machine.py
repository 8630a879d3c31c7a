"""The machine and where it stands: kiosk identity, the local store, devices, scanned text."""

from __future__ import annotations

from kiosk.config.types import Float, Int, Setting, Str, TimeZone

DEVICE_URI = r"(sim:.*|none|[a-z0-9+]+:.+)"


MACHINE: tuple[Setting, ...] = (
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
)
