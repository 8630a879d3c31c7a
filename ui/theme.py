"""One palette, one type scale, one stylesheet: the kiosk's look, normal, elderly and high contrast.

Sizes are in device-independent pixels for a 96-dpi reference (1 pt = 4/3 px), so the
elderly-friendly guidance's point sizes (MIIT 2021: main text ≥ 18 pt, ≥ 30 pt in elderly mode;
contrast ≥ 4.5:1; touch targets ≥ 60 × 60 dp) can be checked against the theme directly.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

MM_AT_96_DPI = 96 / 25.4
PX_PER_PT = 96 / 72


@dataclass(frozen=True)
class Palette:
    paper: str = "#F6F1E7"  # warm page background
    card: str = "#FFFFFF"
    ink: str = "#1D2733"  # body text, 13:1 on paper
    muted: str = "#4F5B67"  # secondary text, 6:1 on paper
    primary: str = "#1F5C4A"  # deep ink green: borrow, main actions
    primary_ink: str = "#FFFFFF"
    accent: str = "#B4432A"  # vermilion seal red: return
    accent_ink: str = "#FFFFFF"
    calm: str = "#2D4A7A"  # account
    success: str = "#1E6B34"
    success_bg: str = "#E3F1E6"
    warning: str = "#8A4B00"
    warning_bg: str = "#FFF1D6"
    error: str = "#A1261B"
    error_bg: str = "#FBE4E1"
    line: str = "#D9D0C1"
    pressed: str = "#D9D0C1"  # a button while a finger is on it
    disabled_bg: str = "#E4DDD0"  # a button that cannot be used now (text stays readable)
    veil: str = "rgba(20, 26, 34, 190)"  # dims the screen behind the 'still there?' box


HIGH_CONTRAST = Palette(
    paper="#000000",
    card="#111111",
    ink="#FFFFFF",
    muted="#E6E6E6",
    primary="#FFD400",
    primary_ink="#000000",
    accent="#FFFFFF",
    accent_ink="#000000",
    calm="#7FDBFF",
    success="#7CFF9B",
    success_bg="#0B2A14",
    warning="#FFD400",
    warning_bg="#2A2200",
    error="#FF8A80",
    error_bg="#2A0B08",
    line="#FFFFFF",
    pressed="#333333",
    disabled_bg="#333333",
    veil="rgba(0, 0, 0, 225)",
)

#: Every (text, background) pair of palette fields the stylesheet paints, and where; the theme
#: test holds each to WCAG's 4.5:1 in every palette.
TEXT_PAIRS = (
    ("ink", "paper", "page text"),
    ("muted", "paper", "secondary text, hours, a lifted book's row (已拿走)"),
    ("ink", "card", "rows, messages, header, plain buttons"),
    ("muted", "card", "header status and clock"),
    ("primary_ink", "primary", "borrow tile, primary buttons"),
    ("accent_ink", "accent", "return tile"),
    ("primary_ink", "calm", "account tile, calm buttons"),
    ("success", "success_bg", "ok message, the closing summary"),
    ("error", "error_bg", "problem message"),
    ("warning", "warning_bg", "offline banner"),
    ("ink", "error_bg", "refused item row"),
    ("ink", "warning_bg", "item row that needs attention"),
    ("ink", "success_bg", "help panel"),
    ("ink", "pressed", "button under a finger"),
    ("muted", "disabled_bg", "button that cannot be used now"),
    ("primary", "card", "countdown number"),
)


@dataclass(frozen=True)
class TypeScale:
    """Pixel sizes of every text and touch size that a mode changes."""

    body: int = 24  # 18 pt: main text
    small: int = 21  # 16 pt: secondary text (hours, clock, hints)
    title: int = 34
    display: int = 48
    button: int = 28
    row_detail: int = 28  # due date / reason: the largest type on its row
    tile_word: int = 44
    tile_hint: int = 24
    tile_icon: int = 88
    tile_height: int = 150
    countdown: int = 96
    key: int = 36
    icon: int = 40
    target: int = 64  # smallest touch target side, px at 96 dpi (≥ 60 dp, ≥ 15 mm)

    def scaled(self, factor: float) -> TypeScale:
        return TypeScale(*(round(getattr(self, f.name) * factor) for f in fields(self)))


NORMAL = TypeScale()
#: 长者模式: main text ≥ 30 pt (40 px), nothing below 18 pt, bigger tiles, keys and targets.
ELDERLY = TypeScale(
    body=40,
    small=32,
    title=52,
    display=60,
    button=40,
    row_detail=44,
    tile_word=64,
    tile_hint=32,
    tile_icon=112,
    tile_height=220,
    countdown=160,
    key=56,
    icon=52,
    target=96,
)
#: kept for callers of the old ×1.3 large-text switch
LARGE_TEXT_FACTOR = ELDERLY.body / NORMAL.body

FONT_FAMILIES = '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
TOUCH_MM = 15


def touch_px(dpi: float = 96.0, mm: float = TOUCH_MM) -> int:
    """Pixels for a physical size: a 15 mm target on this screen."""
    return round(mm * dpi / 25.4)


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a #RRGGBB colour."""
    value = colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.x contrast ratio, 1 to 21."""
    high, low = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (high + 0.05) / (low + 0.05)


def stylesheet(palette: Palette = Palette(), scale: TypeScale = NORMAL, dpi: float = 96.0) -> str:
    from ui.icons import tinted_file  # Qt is loaded only where a style sheet is wanted

    p, s = palette, scale
    target = max(touch_px(dpi), s.target)
    tick = tinted_file("tick", p.primary_ink).as_posix()  # a ticked box shows a tick
    return f"""
    QWidget {{ background: {p.paper}; color: {p.ink}; font-family: {FONT_FAMILIES};
               font-size: {s.body}px; }}
    QLabel[role="display"] {{ font-size: {s.display}px; font-weight: 700; }}
    QLabel[role="title"] {{ font-size: {s.title}px; font-weight: 700; }}
    QLabel[role="muted"] {{ color: {p.muted}; font-size: {s.small}px; }}
    QLabel[role="tally"] {{ color: {p.ink}; font-size: {s.body}px; font-weight: 700; }}
    QLabel[role="banner"] {{ background: {p.warning_bg}; color: {p.warning};
               border: 2px solid {p.warning}; border-radius: 12px; padding: 12px 18px;
               font-size: {s.body}px; }}
    QLabel[role="message"] {{ background: {p.card}; border-radius: 16px; padding: 18px;
               font-size: {s.body}px; }}
    QLabel[role="message"][tone="error"] {{ background: {p.error_bg}; color: {p.error}; }}
    QLabel[role="message"][tone="ok"] {{ background: {p.success_bg}; color: {p.success}; }}
    QLabel[role="summary"] {{ background: {p.success_bg}; color: {p.success};
               border: 2px solid {p.success}; border-radius: 16px; padding: 24px;
               font-size: {s.title}px; font-weight: 700; }}
    QLabel[role="countdown"] {{ color: {p.primary}; background: transparent;
               font-size: {s.countdown}px; font-weight: 700; }}
    QFrame#header {{ background: {p.card}; border-bottom: 2px solid {p.line}; }}
    QFrame#header QLabel {{ background: transparent; }}
    QFrame#idle {{ background: {p.veil}; }}
    QFrame[role="row"] {{ background: {p.card}; border: 2px solid {p.line};
               border-radius: 16px; }}
    QFrame[role="row"][tone="ok"] {{ border-color: {p.success}; }}
    QFrame[role="row"][tone="error"] {{ border-color: {p.error}; background: {p.error_bg}; }}
    QFrame[role="row"][tone="warning"] {{ border-color: {p.warning};
               background: {p.warning_bg}; }}
    QFrame[role="row"][tone="gone"] {{ border-style: dashed; background: {p.paper}; }}
    QFrame[role="row"] QLabel {{ background: transparent; }}
    QFrame[role="row"] QLabel[role="muted"] {{ color: {p.ink}; font-size: {s.row_detail}px;
               font-weight: 700; }}
    QFrame[role="row"][tone="gone"] QLabel {{ color: {p.muted}; }}
    QFrame[role="help"] {{ background: {p.success_bg}; border: 2px solid {p.success};
               border-radius: 16px; }}
    QFrame[role="help"] QLabel {{ background: transparent; color: {p.ink}; }}
    QLabel[role="tile_word"] {{ background: transparent; font-size: {s.tile_word}px;
               font-weight: 700; }}
    QLabel[role="tile_hint"] {{ background: transparent; font-size: {s.tile_hint}px; }}
    QPushButton {{ min-height: {target}px; min-width: {target}px; border-radius: 18px;
               padding: 10px 24px; font-size: {s.button}px; font-weight: 600;
               background: {p.card}; color: {p.ink}; border: 2px solid {p.line}; }}
    QPushButton:pressed {{ background: {p.pressed}; }}
    QPushButton[emphasis="huge"] {{ min-height: {2 * target}px; font-size: {s.title}px; }}
    QPushButton[kind="primary"] {{ background: {p.primary}; color: {p.primary_ink};
               border: none; }}
    QPushButton[kind="accent"] {{ background: {p.accent}; color: {p.accent_ink};
               border: none; }}
    QPushButton[kind="calm"] {{ background: {p.calm}; color: {p.primary_ink}; border: none; }}
    QPushButton[kind="primary"] QLabel, QPushButton[kind="calm"] QLabel {{
               color: {p.primary_ink}; }}
    QPushButton[kind="accent"] QLabel {{ color: {p.accent_ink}; }}
    QPushButton[kind="chip"] {{ min-height: {target}px; font-size: {s.small}px;
               padding: 6px 18px; border-radius: {target // 2}px; }}
    QPushButton[kind="chip"][on="true"] {{ background: {p.primary}; color: {p.primary_ink};
               border-color: {p.primary}; }}
    QPushButton[kind="key"] {{ font-size: {s.key}px; min-width: {round(target * 1.5)}px;
               min-height: {round(target * 1.2)}px; }}
    QPushButton[kind="letter"] {{ font-size: {s.key}px; min-width: {target}px;
               min-height: {round(target * 1.2)}px; padding: 4px; }}
    QPushButton[kind="key"][compact="true"], QPushButton[kind="letter"][compact="true"] {{
               min-height: {target - 24}px; }}
    QPushButton[kind="primary"][compact="true"] {{ min-height: {target - 20}px; }}
    QPushButton[kind="primary"][keypad="true"] {{ font-size: {s.key}px; }}
    QPushButton:disabled {{ color: {p.muted}; background: {p.disabled_bg}; }}
    QLineEdit {{ min-height: {target}px; font-size: {s.title}px; border-radius: 14px;
               border: 2px solid {p.line}; padding: 4px 16px; background: {p.card}; }}
    QCheckBox {{ background: transparent; spacing: 16px; min-height: {target}px; }}
    QCheckBox::indicator {{ width: {target - 8}px; height: {target - 8}px;
               border: 3px solid {p.ink}; border-radius: 10px; background: {p.card}; }}
    QCheckBox::indicator:checked {{ background: {p.primary}; border-color: {p.primary};
               image: url({tick}); }}
    QScrollArea {{ border: none; }}
    QScrollBar:vertical {{ width: {target}px; background: {p.card}; margin: 0 0 0 8px;
               border: 2px solid {p.line}; border-radius: {target // 2}px; }}
    QScrollBar::handle:vertical {{ background: {p.primary}; min-height: {target}px;
               border-radius: {target // 2 - 8}px; margin: 6px; }}
    QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; border: none; }}
    QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical {{ background: none; }}
    """
