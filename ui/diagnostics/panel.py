"""The technician's overlay: covers the reader's screens with its own header, tabs and pages.

An overlay rather than one more screen in the stack, so the reader-facing flows keep their
state machine untouched: when the out-of-service switch flips, the screen underneath changes
and the technician sees it on leaving.
"""

from __future__ import annotations

from typing import Any

from ui.diagnostics.devices import DevicesPage
from ui.diagnostics.faults import FaultsPage
from ui.diagnostics.gate import PinGate
from ui.diagnostics.service import ServicePage
from ui.diagnostics.status import StatusPage
from ui.diagnostics.tags import TagsPage
from ui.qt import QtCore, QtWidgets
from ui.theme import Palette
from ui.widgets import Message, button, fill_parent, label, restyle

Qt = QtCore.Qt
TABS = ("status", "devices", "tags", "faults", "service")


def panel_style(p: Palette) -> str:
    """A dark bar on top so nobody mistakes technician mode for the reader's screens."""
    return f"""
    QFrame#diagbar {{ background: {p.calm}; }}
    QFrame#diagbar QLabel {{ background: transparent; color: {p.primary_ink}; }}
    QPushButton[kind="chip"][selected="true"] {{ background: {p.primary}; color: {p.primary_ink};
               border-color: {p.primary}; }}
    QLabel[tone="ok"] {{ color: {p.success}; }}
    QLabel[tone="warning"] {{ color: {p.warning}; }}
    QLabel[tone="error"] {{ color: {p.error}; }}
    """


class DiagnosticsPanel(QtWidgets.QFrame):
    def __init__(self, window: QtWidgets.QWidget, mode: Any) -> None:
        super().__init__(window)
        self.mode, self.t = mode, mode.t
        self.setObjectName("diagnostics")
        self.setStyleSheet(panel_style(mode.controller.window.palette_))
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 24)
        outer.setSpacing(16)
        bar = QtWidgets.QFrame()
        bar.setObjectName("diagbar")
        top = QtWidgets.QHBoxLayout(bar)
        top.setContentsMargins(32, 14, 32, 14)
        top.setSpacing(18)
        self.title = label("", role="title", wrap=False)
        self.who = label("", role="muted", wrap=False)
        self.exit_button = button("", "accent")
        self.exit_button.clicked.connect(lambda: mode.leave("exit"))
        top.addWidget(self.title)
        top.addWidget(self.who)
        top.addStretch(1)
        self.language_button = button("", "chip")
        self.language_button.clicked.connect(self.t.toggle)
        top.addWidget(self.language_button)
        top.addWidget(self.exit_button)
        outer.addWidget(bar)
        body = QtWidgets.QVBoxLayout()
        body.setContentsMargins(32, 0, 32, 0)
        body.setSpacing(16)
        outer.addLayout(body, 1)
        tabs = QtWidgets.QHBoxLayout()
        tabs.setContentsMargins(0, 0, 0, 0)
        tabs.setSpacing(10)
        self.tab_buttons: dict[str, QtWidgets.QPushButton] = {}
        for name in TABS:
            tab = button("", "chip")
            tab.clicked.connect(lambda _=False, n=name: self.show_page(n))
            tabs.addWidget(tab)
            self.tab_buttons[name] = tab
        tabs.addStretch(1)
        self.tabs_row = QtWidgets.QWidget()
        self.tabs_row.setLayout(tabs)
        body.addWidget(self.tabs_row)
        self.problem = Message()
        body.addWidget(self.problem)
        self.stack = QtWidgets.QStackedWidget()
        self.pages: dict[str, Any] = {
            "status": StatusPage(mode),
            "devices": DevicesPage(mode),
            "tags": TagsPage(mode),
            "faults": FaultsPage(mode),
            "service": ServicePage(mode),
        }
        for page in self.pages.values():
            scroll = QtWidgets.QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setWidget(page)
            self.stack.addWidget(scroll)
        self.gate = PinGate(self.t)
        self.gate.submitted.connect(mode.pin_entered)
        self.gate.cancelled.connect(mode.cancel_gate)
        gate_box = QtWidgets.QWidget()
        gate_layout = QtWidgets.QVBoxLayout(gate_box)
        gate_layout.setContentsMargins(80, 40, 80, 40)
        gate_layout.addWidget(self.gate)
        gate_layout.addStretch(1)
        self.stack.addWidget(gate_box)
        self.gate_box = gate_box
        body.addWidget(self.stack, 1)
        self.current = "status"
        window.installEventFilter(self)
        self.t.changed.connect(lambda _: self.retranslate())
        self.hide()

    @property
    def gate_open(self) -> bool:
        return self.isVisible() and self.stack.currentWidget() is self.gate_box

    # --- showing -------------------------------------------------------------------------------

    def _cover(self) -> None:
        fill_parent(self)
        self.show()
        self.raise_()

    def show_gate(self, problem: str = "") -> None:
        self.tabs_row.hide()
        self.exit_button.hide()
        self.problem.show_text("")
        self.gate.reset(problem)
        self.stack.setCurrentWidget(self.gate_box)
        self.retranslate()
        self._cover()

    def open_mode(self) -> None:
        self.tabs_row.show()
        self.exit_button.show()
        self.retranslate()
        self.show_page("status")
        self._cover()

    def close_all(self) -> None:
        self.hide()
        for page in self.pages.values():
            page.left()

    def show_page(self, name: str) -> None:
        self.current = name
        self.problem.show_text("")
        for tab_name, tab in self.tab_buttons.items():
            tab.setProperty("selected", tab_name == name)
            restyle(tab)
        page = self.pages[name]
        self.stack.setCurrentWidget(page.parentWidget().parentWidget())
        page.entered()

    def show_problem(self, text: str) -> None:
        self.problem.show_text(text, "error")

    # --- device events forwarded by the mode -------------------------------------------------

    def scanned(self, text: str) -> None:
        self.pages["devices"].refresh_inputs()
        self.pages["tags"].scanned(text)

    def card_seen(self) -> None:
        self.pages["devices"].refresh_inputs()

    def retranslate(self) -> None:
        t = self.t
        self.title.setText(t("diag.title"))
        self.who.setText(t("diag.who", name=self.mode.technician) if self.mode.active else "")
        self.exit_button.setText(t("diag.exit"))
        self.language_button.setText(t("header.language"))
        for name, tab in self.tab_buttons.items():
            tab.setText(t(f"diag.tab.{name}"))
        for page in self.pages.values():
            page.retranslate()
        self.gate.retranslate()

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.Resize and self.isVisible():
            fill_parent(self)
        return False
