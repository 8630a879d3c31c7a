"""The kiosk window: header (branch, network, clock, language, text size), banner, screens."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.covers import CoverCache
from ui.covers import CoverShelf
from ui.help import HelpContact, HelpPanel
from ui.i18n import Translator
from ui.icons import icon, pixmap
from ui.kiosk_picture import KioskPicture
from ui.qt import QtCore, QtGui, QtWidgets, Signal
from ui.screens.account import AccountScreen
from ui.screens.closing import GoodbyeScreen, OutOfServiceScreen, ReceiptScreen
from ui.screens.home import HomeScreen
from ui.screens.identify import IdentifyScreen
from ui.screens.items import ItemsScreen
from ui.theme import ELDERLY, HIGH_CONTRAST, NORMAL, Palette, TypeScale, stylesheet
from ui.widgets import button, fill_parent, ink_for, label, recolour, restyle

Qt = QtCore.Qt


class Header(QtWidgets.QFrame):
    language = Signal()
    text_size = Signal()
    contrast = Signal()

    def __init__(self, t: Translator, palette: Palette, branch_name: str) -> None:
        super().__init__()
        self.setObjectName("header")
        self.t, self.palette_ = t, palette
        self.row = row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(32, 12, 24, 12)
        row.setSpacing(18)
        self.branch = label(branch_name, wrap=False)
        self.branch.setStyleSheet("font-weight: 700;")
        self.network_icon = QtWidgets.QLabel()
        self.network = label("", role="muted", wrap=False)
        self.clock = label("", role="muted", wrap=False)
        self.language_button = button("", "chip", "language", palette.ink, 30)
        self.text_button = button("", "chip", "text-size", palette.ink, 30)
        self.contrast_button = button("", "chip", "contrast", palette.ink, 30)
        self.language_button.clicked.connect(self.language.emit)
        self.text_button.clicked.connect(self.text_size.emit)
        self.contrast_button.clicked.connect(self.contrast.emit)
        row.addWidget(self.branch)
        row.addStretch(1)
        for widget in (
            self.network_icon,
            self.network,
            self.clock,
            self.language_button,
            self.text_button,
        ):
            row.addWidget(widget)
        self.online: bool | None = None  # connecting, until the first status poll
        self.large = False
        self.high_contrast = False
        self.retranslate()

    def set_online(self, online: bool | None) -> None:
        self.online = online
        self.retranslate()

    def set_clock(self, text: str) -> None:
        self.clock.setText(text)

    def retranslate(self) -> None:
        t, p = self.t, self.palette_
        state = {True: "online", False: "offline", None: "connecting"}[self.online]
        network_icon, colour = {
            "online": ("online", p.success),
            "offline": ("offline", p.warning),
            "connecting": ("online", p.muted),
        }[state]
        self.network_icon.setPixmap(pixmap(network_icon, colour, 30))
        self.network.setText(t(f"header.{state}"))
        self.language_button.setText(t("header.language"))
        # The switches name the mode they are for and look pressed while it is on, so a reader
        # never has to work out what "标准字" would do.
        self.text_button.setText(t("header.large_text"))
        self.contrast_button.setText(t("header.high_contrast"))
        for chip, on in (
            (self.text_button, self.large),
            (self.contrast_button, self.high_contrast),
        ):
            if bool(chip.property("on")) != on:
                chip.setProperty("on", on)
                restyle(chip)
                size = chip.iconSize().width()
                chip.setIcon(icon(chip.property("icon_name"), ink_for("chip", p, on), size * 2))


class IdleOverlay(QtWidgets.QFrame):
    """The warning before an idle session ends (WCAG 2.2.1 Timing Adjustable).

    "Need more time?" with the seconds left in the largest type on screen, what happens then,
    and a big More time button; any touch anywhere also gives more time (the controller's
    event filter), so a reader who just touches the screen is never logged out.
    """

    keep = Signal()

    def __init__(self, parent: QtWidgets.QWidget, t: Translator) -> None:
        super().__init__(parent)
        self.t = t
        self.seconds = 0
        self.setObjectName("idle")
        outer = QtWidgets.QVBoxLayout(self)
        outer.addStretch(1)
        box = QtWidgets.QFrame()
        box.setProperty("role", "row")
        inner = QtWidgets.QVBoxLayout(box)
        inner.setContentsMargins(48, 40, 48, 40)
        inner.setSpacing(20)
        self.title = label("", role="display")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number = label("", role="countdown", wrap=False)
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown = label("")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = label("")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.continue_button = button("", "primary")
        self.continue_button.setProperty("emphasis", "huge")  # theme: twice the touch target
        self.continue_button.clicked.connect(self.keep.emit)
        for widget in (self.title, self.number, self.countdown, self.continue_button, self.hint):
            inner.addWidget(widget)
        outer.addWidget(box)
        outer.setContentsMargins(60, 60, 60, 120)
        t.changed.connect(lambda _: self._paint())
        self.hide()

    def show_seconds(self, seconds: int) -> None:
        self.seconds = seconds
        self._paint()
        fill_parent(self)
        self.show()
        self.raise_()

    def _paint(self) -> None:
        t = self.t
        self.title.setText(t("idle.title"))
        self.number.setText(t("idle.seconds", seconds=self.seconds))
        self.countdown.setText(t("idle.countdown", seconds=self.seconds))
        self.hint.setText(t("idle.hint"))
        self.continue_button.setText(t("idle.continue"))


class KioskWindow(QtWidgets.QWidget):
    """Holds the screens; the controller decides which one shows."""

    elderly_changed = Signal(bool)

    def __init__(
        self,
        t: Translator,
        *,
        branch_name: str,
        hours_today: str,
        tz: ZoneInfo,
        palette: Palette | None = None,
        help_contact: HelpContact | None = None,
    ) -> None:
        super().__init__()
        self.t, self.tz = t, tz
        self.palette_ = palette or Palette()
        self.large_text = False
        self.setWindowTitle("Shufang 书房")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.header = Header(t, self.palette_, branch_name)
        layout.addWidget(self.header)
        self.banner = label("", role="banner")
        self.banner.hide()
        self.banner_hushed = False
        banner_box = QtWidgets.QHBoxLayout()
        banner_box.setContentsMargins(48, 16, 48, 0)
        banner_box.addWidget(self.banner)
        layout.addLayout(banner_box)
        self.stack = QtWidgets.QStackedWidget()
        layout.addWidget(self.stack, 1)
        # In portrait the language and text-size switches move down here, within reach.
        self.footer = QtWidgets.QFrame()
        self.footer.setObjectName("header")
        self.footer_row = QtWidgets.QHBoxLayout(self.footer)
        self.footer_row.setContentsMargins(32, 10, 32, 10)
        self.footer_row.addStretch(1)
        self.footer.hide()
        layout.addWidget(self.footer)
        p = self.palette_
        self.home = HomeScreen(t, p, branch_name, hours_today)
        self.identify = IdentifyScreen(t, p)
        self.covers = CoverShelf()  # no cache until set_cover_folder: placeholders only
        self.borrow = ItemsScreen(t, p, "borrow", tz, self.covers)
        self.give_back = ItemsScreen(t, p, "return", tz, self.covers)
        self.account = AccountScreen(t, p, tz)
        self.receipt = ReceiptScreen(t, p)
        self.goodbye = GoodbyeScreen(t, p)
        self.out_of_service = OutOfServiceScreen(t, p)
        self.screens = {
            "home": self.home,
            "identify": self.identify,
            "borrow": self.borrow,
            "return": self.give_back,
            "account": self.account,
            "receipt": self.receipt,
            "goodbye": self.goodbye,
            "out_of_service": self.out_of_service,
        }
        for screen in self.screens.values():
            self.stack.addWidget(screen)
        self.identify.outage_explained.connect(self.hush_banner)
        self.idle = IdleOverlay(self, t)
        self.set_help_contact(help_contact or HelpContact())
        self.portrait = True
        self._place_switches(False)  # landscape until the first resize says otherwise
        self.header.text_size.connect(self.toggle_text_size)
        self.header.contrast.connect(self.toggle_contrast)
        self.header.language.connect(t.toggle)
        t.changed.connect(lambda _: self._retranslate())
        self.apply_theme()
        self._tick = QtCore.QTimer(self)
        self._tick.timeout.connect(self._update_clock)
        self._tick.start(15_000)
        self._update_clock()

    def set_help_contact(self, contact: HelpContact) -> None:
        """The room's help phone and help page, for every screen that can send readers to staff."""
        self.help_contact = contact
        for panel in self.findChildren(HelpPanel):
            panel.set_contact(contact)
        self.out_of_service.retranslate()

    def current(self) -> str:
        widget = self.stack.currentWidget()
        return next(name for name, screen in self.screens.items() if screen is widget)

    def show_screen(self, name: str) -> None:
        screen = self.screens[name]
        self.stack.setCurrentWidget(screen)
        screen.entered()
        self.hush_banner(False)
        self._forget_hidden_sizes()

    def _forget_hidden_sizes(self) -> None:
        """The stack is as tall as its tallest page, and a page out of sight keeps the sizes
        its layouts cached while it showed (a summary, a QR code). Recomputed, a page that
        emptied no longer stretches the window past a landscape screen's 1080 px."""
        for page in self.screens.values():
            for layout in page.findChildren(QtWidgets.QLayout):
                layout.invalidate()
            own = page.layout()
            if own is not None:
                own.invalidate()
        self.stack.updateGeometry()

    @property
    def pictures(self) -> list[KioskPicture]:
        """The moving pictures of the machine that show readers where to act."""
        return [
            self.identify.picture,
            self.borrow.picture,
            self.give_back.picture,
            self.receipt.picture,
        ]

    def set_kiosk_model(self, name: str) -> None:
        """This machine's model (``ui.kiosk_model``): where its pad and readers are drawn."""
        for picture in self.pictures:
            picture.set_model(name)

    def set_online(self, online: bool | None) -> None:
        """True, False, or None while the kiosk has not yet reached its upstream."""
        self.header.set_online(online)
        self.banner.setText(self.t("offline.banner"))
        self._show_banner()

    @property
    def online(self) -> bool | None:
        """What the header shows: True, False, or None while connecting."""
        return self.header.online

    def hush_banner(self, hushed: bool) -> None:
        """Hide the offline banner while the screen itself says what the outage means for
        this reader (a PIN this kiosk cannot check offline): "借还照常进行" above a refusal
        would contradict it. Any change of screen brings the banner back."""
        self.banner_hushed = hushed
        self._show_banner()

    def _show_banner(self) -> None:
        self.banner.setVisible(self.online is False and not self.banner_hushed)

    @property
    def elderly(self) -> bool:
        """长者模式: everything larger and slower; on until the session ends."""
        return self.large_text

    @property
    def scale(self) -> TypeScale:
        return ELDERLY if self.large_text else NORMAL

    def toggle_text_size(self) -> None:
        self.set_elderly(not self.large_text)

    def set_elderly(self, on: bool) -> None:
        self.large_text = on
        self.header.large = on
        self.header.retranslate()
        self.apply_theme()
        recolour(self, self.palette_, self.scale)
        self.covers.restyle(self.palette_, self.scale)
        self.elderly_changed.emit(on)

    def toggle_contrast(self) -> None:
        """High contrast: yellow and white on black, for readers with low vision."""
        self.set_contrast(not self.header.high_contrast)

    def set_contrast(self, high: bool) -> None:
        self.palette_ = HIGH_CONTRAST if high else Palette()
        self.header.high_contrast = high
        self.header.palette_ = self.palette_
        for screen in self.screens.values():
            screen.palette_ = self.palette_
            screen.retranslate()  # repaints item rows in the new colours
        for picture in self.pictures:
            picture.palette_ = self.palette_
            picture.update()
        self.header.retranslate()
        self.apply_theme()
        recolour(self, self.palette_, self.scale)
        self.covers.restyle(self.palette_, self.scale)

    def set_cover_folder(self, folder: Path) -> None:
        """Where the sync daemon keeps the catalog's covers (``kiosk.covers``)."""
        self.covers.set_cache(CoverCache(folder))

    def reset_accessibility(self) -> None:
        """Back to the defaults for the next reader (their own choices end with them)."""
        if self.large_text:
            self.toggle_text_size()
        if self.header.high_contrast:
            self.set_contrast(False)

    def apply_theme(self) -> None:
        dpi = self.logicalDpiX() or 96
        self.setStyleSheet(stylesheet(self.palette_, self.scale, dpi))

    def _place_switches(self, portrait: bool) -> None:
        """Header switches at the top in landscape, in a bottom bar in portrait."""
        if portrait == self.portrait:
            return
        self.portrait = portrait
        target = self.footer_row if portrait else self.header.row
        for widget in (
            self.header.language_button,
            self.header.text_button,
            self.header.contrast_button,
        ):
            target.addWidget(widget)
        self.footer.setVisible(portrait)
        self.identify.set_portrait(portrait)
        self.home.set_portrait(portrait)
        self.receipt.set_portrait(portrait)
        self.borrow.set_portrait(portrait)
        self.give_back.set_portrait(portrait)

    def _retranslate(self) -> None:
        self.header.retranslate()
        self.banner.setText(self.t("offline.banner"))

    def _update_clock(self) -> None:
        self.header.set_clock(datetime.now(self.tz).strftime("%H:%M"))

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_switches(self.height() > self.width())
        if self.idle.isVisible():
            self.idle.setGeometry(self.rect())
