"""One palette, one type scale, one stylesheet: the kiosk's look, in normal and large text.

Sizes are in device-independent pixels for a 96-dpi reference and scaled by the screen's
logical DPI, so a 15 mm touch target stays 15 mm on any panel.
"""

from __future__ import annotations

from dataclasses import dataclass

MM_AT_96_DPI = 96 / 25.4


@dataclass(frozen=True)
class Palette:
    paper: str = "#F6F1E7"  # warm page background
    card: str = "#FFFFFF"
    ink: str = "#1D2733"  # body text, 14:1 on paper
    muted: str = "#4F5B67"  # secondary text, 6.5:1 on paper
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
)


@dataclass(frozen=True)
class TypeScale:
    body: int = 24
    small: int = 19
    title: int = 34
    display: int = 48
    button: int = 30

    def scaled(self, factor: float) -> TypeScale:
        return TypeScale(
            *(
                round(v * factor)
                for v in (self.body, self.small, self.title, self.display, self.button)
            )
        )


FONT_FAMILIES = '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
LARGE_TEXT_FACTOR = 1.3
TOUCH_MM = 15


def touch_px(dpi: float = 96.0, mm: float = TOUCH_MM) -> int:
    """Pixels for a physical size: a 15 mm target on this screen."""
    return round(mm * dpi / 25.4)


def stylesheet(
    palette: Palette = Palette(), scale: TypeScale = TypeScale(), dpi: float = 96.0
) -> str:
    p, s, target = palette, scale, max(touch_px(dpi), 64)
    return f"""
    QWidget {{ background: {p.paper}; color: {p.ink}; font-family: {FONT_FAMILIES};
               font-size: {s.body}px; }}
    QLabel[role="display"] {{ font-size: {s.display}px; font-weight: 700; }}
    QLabel[role="title"] {{ font-size: {s.title}px; font-weight: 700; }}
    QLabel[role="muted"] {{ color: {p.muted}; font-size: {s.small}px; }}
    QLabel[role="banner"] {{ background: {p.warning_bg}; color: {p.warning};
               border: 2px solid {p.warning}; border-radius: 12px; padding: 12px 18px;
               font-size: {s.small}px; }}
    QLabel[role="message"] {{ background: {p.card}; border-radius: 16px; padding: 18px;
               font-size: {s.body}px; }}
    QLabel[role="message"][tone="error"] {{ background: {p.error_bg}; color: {p.error}; }}
    QLabel[role="message"][tone="ok"] {{ background: {p.success_bg}; color: {p.success}; }}
    QFrame#header {{ background: {p.card}; border-bottom: 2px solid {p.line}; }}
    QFrame#header QLabel {{ background: transparent; }}
    QFrame[role="row"] {{ background: {p.card}; border: 2px solid {p.line};
               border-radius: 16px; }}
    QFrame[role="row"][tone="ok"] {{ border-color: {p.success}; }}
    QFrame[role="row"][tone="error"] {{ border-color: {p.error}; background: {p.error_bg}; }}
    QFrame[role="row"][tone="warning"] {{ border-color: {p.warning};
               background: {p.warning_bg}; }}
    QFrame[role="row"] QLabel {{ background: transparent; }}
    QPushButton {{ min-height: {target}px; min-width: {target}px; border-radius: 18px;
               padding: 10px 24px; font-size: {s.button}px; font-weight: 600;
               background: {p.card}; color: {p.ink}; border: 2px solid {p.line}; }}
    QPushButton:pressed {{ background: {p.line}; }}
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
    QPushButton[kind="key"] {{ font-size: {s.title}px; min-width: {round(target * 1.5)}px;
               min-height: {round(target * 1.2)}px; }}
    QPushButton[kind="letter"] {{ font-size: {s.title}px; min-width: {target}px;
               min-height: {round(target * 1.2)}px; padding: 4px; }}
    QPushButton:disabled {{ color: {p.muted}; background: {p.line}; }}
    QLineEdit {{ min-height: {target}px; font-size: {s.title}px; border-radius: 14px;
               border: 2px solid {p.line}; padding: 4px 16px; background: {p.card}; }}
    QCheckBox {{ background: transparent; spacing: 16px; }}
    QCheckBox::indicator {{ width: {target - 16}px; height: {target - 16}px;
               border: 3px solid {p.ink}; border-radius: 10px; background: {p.card}; }}
    QCheckBox::indicator:checked {{ background: {p.primary}; border-color: {p.primary}; }}
    QScrollArea {{ border: none; }}
    """
