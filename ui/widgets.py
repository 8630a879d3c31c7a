"""The kiosk's building blocks: big touch buttons, item rows, the keypad, messages."""

from __future__ import annotations

from collections.abc import Callable

from ui.covers import CoverShelf, CoverThumb
from ui.icons import icon, pixmap
from ui.qt import QtCore, QtGui, QtWidgets, Signal
from ui.theme import Palette, TypeScale

Qt = QtCore.Qt


def restyle(widget: QtWidgets.QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property (role, tone, kind) changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def label(text: str = "", role: str = "", wrap: bool = True) -> QtWidgets.QLabel:
    widget = QtWidgets.QLabel(text)
    widget.setWordWrap(wrap)
    if role:
        widget.setProperty("role", role)
    return widget


def button(
    text: str = "", kind: str = "", icon_name: str = "", colour: str = "#FFFFFF", icon_px: int = 40
) -> QtWidgets.QPushButton:
    widget = QtWidgets.QPushButton(text)
    if kind:
        widget.setProperty("kind", kind)
    if icon_name:
        widget.setIcon(icon(icon_name, colour, icon_px * 2))
        widget.setIconSize(QtCore.QSize(icon_px, icon_px))
        widget.setProperty("icon_name", icon_name)  # so a theme change can recolour it
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    return widget


class BigAction(QtWidgets.QPushButton):
    """A home-screen action: icon, a large word and a one-line hint.

    Sizes come from the theme (``kind=tile``, ``role=tile_word``/``tile_hint``) and the icon's
    from ``resize_icon``, so elderly mode enlarges the tiles with everything else.
    """

    def __init__(self, icon_name: str, kind: str, colour: str = "#FFFFFF") -> None:
        super().__init__()
        self.icon_name = icon_name
        self.colour = colour
        self.icon_px = 88
        self.setProperty("kind", kind)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding
        )
        self.setMinimumHeight(150)
        self.row = QtWidgets.QHBoxLayout(self)
        self.row.setContentsMargins(36, 18, 36, 18)
        self.row.setSpacing(28)
        self.picture = QtWidgets.QLabel()
        self.picture.setPixmap(pixmap(icon_name, colour, self.icon_px))
        self.picture.setStyleSheet("background: transparent;")
        self.row.addWidget(self.picture)
        self.texts = texts = QtWidgets.QVBoxLayout()
        # colours come from the theme's stylesheet (QPushButton[kind] QLabel), sizes by role
        self.word = label("", role="tile_word", wrap=False)
        self.hint = label("", role="tile_hint")
        texts.addStretch(1)
        texts.addWidget(self.word)
        texts.addWidget(self.hint)
        texts.addStretch(1)
        self.row.addLayout(texts, 1)
        for child in (self.picture, self.word, self.hint):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def set_stacked(self, stacked: bool) -> None:
        """Landscape: the picture over the words, all centred, for a tile taller than wide."""
        self.row.removeWidget(self.picture)
        self.texts.removeWidget(self.picture)
        if stacked:
            self.texts.insertWidget(1, self.picture)  # after the stretch above the words
        else:
            self.row.insertWidget(0, self.picture)
        centre = Qt.AlignmentFlag.AlignHCenter if stacked else Qt.AlignmentFlag.AlignLeft
        for part in (self.picture, self.word, self.hint):
            part.setAlignment(centre | Qt.AlignmentFlag.AlignVCenter)

    def set_texts(self, word: str, hint: str) -> None:
        self.word.setText(word)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))

    def resize_for(self, icon_px: int, height: int) -> None:
        """Elderly mode: a bigger picture and a taller tile."""
        self.icon_px = icon_px
        self.setMinimumHeight(height)
        self.picture.setPixmap(pixmap(self.icon_name, self.colour, icon_px))


def fill_parent(widget: QtWidgets.QWidget) -> None:
    """Lay an overlay (idle countdown, diagnostics, touch check) over all of its parent."""
    parent = widget.parentWidget()
    if parent is not None:
        widget.setGeometry(parent.rect())


def ink_for(kind: str, palette: Palette, on: bool = False) -> str:
    """The colour of text and icons on a button of ``kind`` in ``palette``; a switched-on
    chip is filled with the primary colour, so its icon takes the primary ink like its text."""
    if kind == "chip" and on:
        return palette.primary_ink
    return {
        "primary": palette.primary_ink,
        "calm": palette.primary_ink,
        "accent": palette.accent_ink,
    }.get(kind, palette.ink)


def recolour(root: QtWidgets.QWidget, palette: Palette, scale: TypeScale | None = None) -> None:
    """Re-render every themed icon under ``root`` for ``palette`` (high contrast switch) and,
    given a type ``scale``, at its sizes (elderly mode)."""
    for widget in root.findChildren(QtWidgets.QPushButton):
        kind = widget.property("kind") or ""
        if isinstance(widget, BigAction):
            widget.colour = ink_for(kind, palette)
            if scale is not None:
                widget.resize_for(scale.tile_icon, scale.tile_height)
            else:
                widget.resize_for(widget.icon_px, widget.minimumHeight())
        elif widget.property("icon_name"):
            size = widget.iconSize().width()
            if scale is not None and kind != "chip":
                size = scale.icon
                widget.setIconSize(QtCore.QSize(size, size))
            colour = ink_for(kind, palette, bool(widget.property("on")))
            widget.setIcon(icon(widget.property("icon_name"), colour, size * 2))


class ItemRow(QtWidgets.QFrame):
    """One item in a borrow/return/account list: title, one line of detail, a status mark."""

    def __init__(self, pii: str, covers: CoverShelf | None = None) -> None:
        super().__init__()
        self.pii = pii
        self.setProperty("role", "row")
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 14)
        layout.setSpacing(18)
        self.mark = QtWidgets.QLabel()
        self.mark.setFixedSize(48, 48)
        layout.addWidget(self.mark)
        self.cover = CoverThumb(covers) if covers is not None else None  # beside the title
        if self.cover is not None:
            layout.addWidget(self.cover)
        texts = QtWidgets.QVBoxLayout()
        texts.setSpacing(4)
        self.title = label("", wrap=True)
        self.title.setStyleSheet("font-weight: 600;")
        self.detail = label("", role="muted")
        texts.addWidget(self.title)
        texts.addWidget(self.detail)
        layout.addLayout(texts, 1)
        self.action_box = QtWidgets.QHBoxLayout()
        layout.addLayout(self.action_box)

    def show_state(self, title: str, detail: str, tone: str, mark_colour: str) -> None:
        self.title.setText(title)
        self.detail.setText(detail)
        self.setProperty("tone", tone)
        name = {"ok": "check", "error": "cross", "warning": "warning", "gone": "lifted"}.get(
            tone, "clock"
        )
        self.mark.setPixmap(pixmap(name, mark_colour, 48))
        restyle(self)


class ItemList(QtWidgets.QScrollArea):
    """A scrolling column of ItemRows keyed by PII, newest at the bottom.

    Rows gather at the bottom of the list, next to the Finish button, so that on a portrait
    screen what a reader touches stays within reach of a wheelchair user. When more rows are
    placed than fit, the newest stays in view and a button across the top says how many are
    above ("上面还有 2 本") and scrolls up when touched, so the oldest row is never silently
    cut off (#13 bug 5); the scroll bar is finger-wide (theme) and a finger drags the list.
    """

    def __init__(self, covers: CoverShelf | None = None) -> None:
        super().__init__()
        self.covers = covers
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QtWidgets.QWidget()
        self.column = QtWidgets.QVBoxLayout(inner)
        self.column.setSpacing(14)
        self.column.addStretch(1)
        self.setWidget(inner)
        self.rows: dict[str, ItemRow] = {}
        #: the words on the "more above" button for a count of rows; the screen sets them
        self.more_text: Callable[[int], str] = lambda count: f"↑ {count}"
        self.more_above = button("", "chip")
        self.more_above.setParent(self)
        self.more_above.clicked.connect(self.scroll_up)
        self.more_above.hide()
        QtWidgets.QScroller.grabGesture(
            self.viewport(), QtWidgets.QScroller.ScrollerGestureType.TouchGesture
        )
        # Whenever the list grows, follow it to the bottom so the newest item is in view.
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(lambda _low, high: bar.setValue(high))
        bar.rangeChanged.connect(lambda _low, _high: self._show_more_above())
        bar.valueChanged.connect(lambda _value: self._show_more_above())

    def minimumSizeHint(self) -> QtCore.QSize:
        """Room for about one row: the finger-wide scroll bar's own hint (a tall handle and
        its track) must not make the screen taller than a landscape window."""
        return QtCore.QSize(super().minimumSizeHint().width(), 100)

    def row(self, pii: str) -> ItemRow:
        if pii not in self.rows:
            self.rows[pii] = ItemRow(pii, self.covers)
            self.column.addWidget(self.rows[pii])
        return self.rows[pii]

    def drop(self, pii: str) -> None:
        """Take one row away (its book was lifted off the pad)."""
        row = self.rows.pop(pii, None)
        if row is not None:
            row.setParent(None)
            row.deleteLater()
            self._show_more_above()

    def clear(self) -> None:
        for row in self.rows.values():
            row.setParent(None)
            row.deleteLater()
        self.rows.clear()
        self._show_more_above()

    def rows_above(self) -> int:
        """Rows whose top is scrolled out of sight above the list (wholly or partly)."""
        top = self.verticalScrollBar().value()
        return sum(1 for row in self.rows.values() if row.y() < top)

    def scroll_up(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() - max(bar.pageStep() - 40, 40))

    def _show_more_above(self) -> None:
        count = self.rows_above()
        if count:
            self.more_above.setText(self.more_text(count))
            self._place_more_above()
        self.more_above.setVisible(bool(count))
        self.more_above.raise_()

    def _place_more_above(self) -> None:
        """Over the top of the list, covering the row that is cut off there."""
        width = self.viewport().width()
        height = max(self.more_above.sizeHint().height(), self.more_above.minimumHeight())
        self.more_above.setGeometry(0, 0, width, height)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show_more_above()


class Keypad(QtWidgets.QWidget):
    """An on-screen keypad, so the system keyboard is never needed.

    Digits by default. With letters allowed (card numbers: demo and library cards carry
    letters, resident ID numbers may end in X) the digit page has an X key and an "ABC" key
    that shows the letters; after one letter it returns to the digits, since card numbers
    are a letter or two and then digits. ``digit`` carries whatever key was typed.
    """

    digit = Signal(str)
    delete = Signal()
    clear = Signal()
    ok = Signal()

    LETTER_COLUMNS = 7

    def __init__(self) -> None:
        super().__init__()
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(14)
        self.pages = QtWidgets.QStackedWidget()
        self.digits_page, self.letters_page = QtWidgets.QWidget(), QtWidgets.QWidget()
        digits = QtWidgets.QGridLayout(self.digits_page)
        digits.setContentsMargins(0, 0, 0, 0)
        digits.setSpacing(14)
        for n, key in enumerate("1234567890"):
            row, column = (n // 3, n % 3) if key != "0" else (3, 1)
            digits.addWidget(self._key(key), row, column)
        self.x_key = self._key("X")
        self.letters_button = button("", "key")
        self.letters_button.clicked.connect(lambda: self.show_letters(True))
        digits.addWidget(self.x_key, 3, 0)
        digits.addWidget(self.letters_button, 3, 2)
        letters = QtWidgets.QGridLayout(self.letters_page)
        letters.setContentsMargins(0, 0, 0, 0)
        letters.setSpacing(14)
        for n, key in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
            letter = self._key(key, "letter")
            letter.clicked.connect(lambda: self.show_letters(False))
            letters.addWidget(letter, n // self.LETTER_COLUMNS, n % self.LETTER_COLUMNS)
        self.digits_button = button("", "key")
        self.digits_button.clicked.connect(lambda: self.show_letters(False))
        last = 26 // self.LETTER_COLUMNS
        letters.addWidget(self.digits_button, last, 26 % self.LETTER_COLUMNS, 1, 2)
        self.pages.addWidget(self.digits_page)
        self.pages.addWidget(self.letters_page)
        outer.addWidget(self.pages)
        bottom = QtWidgets.QHBoxLayout()
        bottom.setSpacing(14)
        self.clear_button = button("", "key")
        self.clear_button.clicked.connect(self.clear.emit)
        self.delete_button = button("", "key")
        self.delete_button.clicked.connect(self.delete.emit)
        self.ok_button = button("", "primary")
        self.ok_button.setProperty("keypad", True)  # OK in the keys' type, not a smaller one
        self.ok_button.clicked.connect(self.ok.emit)
        self.ok_button.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding
        )  # as tall as the keys beside it
        # one row, so the keypad fits a landscape screen; three equal keys under the three
        # digit columns, so that "Delete" in 长者模式 is not cut to "elet" (a double-width OK
        # left the other two narrower than their words)
        bottom.addWidget(self.clear_button, 1)
        bottom.addWidget(self.delete_button, 1)
        bottom.addWidget(self.ok_button, 1)
        outer.addLayout(bottom)
        self.allow_letters(False)

    def _key(self, key: str, kind: str = "key") -> QtWidgets.QPushButton:
        key_button = button(key, kind)
        key_button.clicked.connect(lambda _=False, k=key: self.digit.emit(k))
        return key_button

    def set_compact(self, compact: bool) -> None:
        """Landscape: keys exactly one touch target tall (not 1.2), so the keypad, the field
        and the title fit 1080 pixels of height in 长者模式 too."""
        for key in self.findChildren(QtWidgets.QPushButton):
            key.setProperty("compact", compact)
            restyle(key)
        for grid in self.findChildren(QtWidgets.QLayout):
            grid.setSpacing(8 if compact else 14)

    def allow_letters(self, allowed: bool) -> None:
        """Card numbers: letters and X. PINs: digits only."""
        self.x_key.setVisible(allowed)
        self.letters_button.setVisible(allowed)
        self.show_letters(False)

    def show_letters(self, letters: bool) -> None:
        self.pages.setCurrentWidget(self.letters_page if letters else self.digits_page)

    @property
    def showing_letters(self) -> bool:
        return self.pages.currentWidget() is self.letters_page

    def set_texts(
        self, clear: str, delete: str, ok: str, letters: str = "ABC", digits: str = "123"
    ) -> None:
        self.clear_button.setText(clear)
        self.delete_button.setText(delete)
        self.ok_button.setText(ok)
        self.letters_button.setText(letters)
        self.digits_button.setText(digits)


class Message(QtWidgets.QLabel):
    """A rounded message box whose tone (ok, error, plain) picks its colours."""

    def __init__(self) -> None:
        super().__init__()
        self.setProperty("role", "message")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hide()

    def show_text(self, text: str, tone: str = "") -> None:
        self.setText(text)
        self.setProperty("tone", tone)
        restyle(self)
        self.setVisible(bool(text))
