"""The demo's simulator panel: place and remove tagged items, scan barcodes, tap cards.

Developer- and demo-facing, not reader-facing, so its labels are fixed bilingual text rather
than catalog entries. It drives the simulated hardware through the same ports a real kiosk
uses (PadHands for the pad, DeviceEvents for scanner and card), so the demo exercises the
watcher, the tag codecs and the security writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kiosk.models import CardKind
from kiosk.ports import PadHands
from ui.devices import DeviceEvents
from ui.qt import QtCore, QtWidgets

Qt = QtCore.Qt


@dataclass(frozen=True)
class DemoItem:
    pii: str
    title: str
    set_size: int = 1


@dataclass(frozen=True)
class DemoCard:
    card_id: str
    note: str
    qr_token: str = ""
    resident_id: bool = False  # a resident ID card: card_id is its chip number, only tapped


class SimulatorPanel(QtWidgets.QWidget):
    def __init__(
        self,
        hands: PadHands | None,
        events: DeviceEvents,
        items: Sequence[DemoItem],
        cards: Sequence[DemoCard],
        *,
        scan: Callable[[str], None] | None = None,
        tap: Callable[[str], None] | None = None,
        tap_id_card: Callable[[str], None] | None = None,
        set_online: Callable[[bool], None] | None = None,
        set_out_of_service: Callable[[bool], None] | None = None,
    ) -> None:
        super().__init__()
        self.hands, self.events = hands, events
        # through the simulated scanner and card reader when given, so their drivers run too
        self.scan = scan or events.scan
        self.tap = tap or (lambda card: events.tap(card, CardKind.NFC))
        self.tap_id_card = tap_id_card or (lambda chip: events.tap(chip, CardKind.RESIDENT_ID))
        self.setWindowTitle("Shufang simulator 模拟设备")
        self.setStyleSheet(
            "QWidget { font-size: 15px; } QPushButton { padding: 4px 10px; }"
            " QGroupBox { font-weight: 600; }"
        )
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self._pad_box(items))
        layout.addWidget(self._card_box(cards))
        layout.addWidget(self._scan_box())
        layout.addWidget(self._switches(set_online, set_out_of_service))
        self.resize(520, 900)

    def _pad_box(self, items: Sequence[DemoItem]) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox("RFID pad 感应区 (tagged items)")
        grid = QtWidgets.QGridLayout(box)
        scroll_inner = QtWidgets.QWidget()
        rows = QtWidgets.QGridLayout(scroll_inner)
        for row, item in enumerate(items):
            rows.addWidget(QtWidgets.QLabel(f"{item.pii}  {item.title}"), row, 0)
            place = QtWidgets.QPushButton("place 放上" if item.set_size == 1 else "all parts 全部")
            place.clicked.connect(lambda _=False, i=item: self.place(i.pii, i.set_size))
            rows.addWidget(place, row, 1)
            if item.set_size > 1:
                one = QtWidgets.QPushButton("part 1 only")
                one.clicked.connect(lambda _=False, i=item: self.place(i.pii, i.set_size, [1]))
                rows.addWidget(one, row, 2)
            remove = QtWidgets.QPushButton("take 拿走")
            remove.clicked.connect(lambda _=False, i=item: self.remove(i.pii))
            rows.addWidget(remove, row, 3)
        rows.setRowStretch(len(items), 1)  # rows stay together at the top
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(scroll_inner)
        scroll.setWidgetResizable(True)
        grid.addWidget(scroll, 0, 0, 1, 2)
        clear = QtWidgets.QPushButton("clear the pad 清空感应区")
        clear.clicked.connect(self.clear_pad)
        grid.addWidget(clear, 1, 0)
        box.setEnabled(self.hands is not None)
        return box

    def _card_box(self, cards: Sequence[DemoCard]) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox("Cards 读者证 (PIN 1234)")
        grid = QtWidgets.QGridLayout(box)
        for row, card in enumerate(cards):
            grid.addWidget(QtWidgets.QLabel(f"{card.card_id}  {card.note}"), row, 0)
            if card.resident_id:  # its chip number is printed nowhere: no barcode, no QR
                id_card = QtWidgets.QPushButton("tap ID card 刷身份证")
                id_card.clicked.connect(lambda _=False, c=card: self.tap_id_card(c.card_id))
                grid.addWidget(id_card, row, 1, 1, 2)
                continue
            tap = QtWidgets.QPushButton("tap NFC")
            tap.clicked.connect(lambda _=False, c=card: self.tap(c.card_id))
            scan = QtWidgets.QPushButton("scan barcode")
            scan.clicked.connect(lambda _=False, c=card: self.scan(c.card_id))
            grid.addWidget(tap, row, 1)
            grid.addWidget(scan, row, 2)
            if card.qr_token:
                qr = QtWidgets.QPushButton("show QR")
                qr.clicked.connect(lambda _=False, c=card: self.scan(c.qr_token))
                grid.addWidget(qr, row, 3)
        return box

    def _scan_box(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox("Barcode scanner 条码枪")
        row = QtWidgets.QHBoxLayout(box)
        self.barcode = QtWidgets.QLineEdit()
        self.barcode.setPlaceholderText("item or card barcode, or junk")
        scan = QtWidgets.QPushButton("scan")
        scan.clicked.connect(lambda: self.scan(self.barcode.text()))
        row.addWidget(self.barcode, 1)
        row.addWidget(scan)
        return box

    def _switches(
        self,
        set_online: Callable[[bool], None] | None,
        set_out_of_service: Callable[[bool], None] | None,
    ) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox("Network and service 网络与服务")
        row = QtWidgets.QHBoxLayout(box)
        self.offline = QtWidgets.QCheckBox("network down 断网")
        self.offline.setEnabled(set_online is not None)
        if set_online is not None:
            self.offline.toggled.connect(lambda down: set_online(not down))
        self.oos = QtWidgets.QCheckBox("out of service 暂停服务")
        self.oos.setEnabled(set_out_of_service is not None)
        if set_out_of_service is not None:
            self.oos.toggled.connect(set_out_of_service)
        row.addWidget(self.offline)
        row.addWidget(self.oos)
        return box

    # --- hands --------------------------------------------------------------------------

    def place(self, pii: str, of: int = 1, parts: list[int] | None = None) -> None:
        if self.hands is None:
            self.scan(pii)
            return
        for part in parts or range(1, of + 1):
            self.hands.place_item(pii, part, of)

    def remove(self, pii: str) -> None:
        if self.hands is not None:
            self.hands.remove_item(pii)

    def clear_pad(self) -> None:
        if self.hands is not None:
            for pii in self.hands.items_on_pad():
                self.hands.remove_item(pii)
