"""What the reader sees and hears: the screen and the spoken prompts."""

from __future__ import annotations

from kiosk.config.types import TIME_SPAN, Bool, Float, Int, Setting, Str

SCREEN: tuple[Setting, ...] = (
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
        Str(pattern=rf"({TIME_SPAN}(,{TIME_SPAN})*)?"),
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
)
