"""The demo's simulator panel drives the simulated hands, scanner, card reader and switches."""

from __future__ import annotations

from ui.devices import DeviceEvents
from ui.qt import QtCore, QtWidgets
from ui.simulator import DemoCard, DemoItem, SimulatorPanel

Qt = QtCore.Qt


class Hands:
    def __init__(self) -> None:
        self.placed: list[tuple[str, int, int]] = []
        self.removed: list[str] = []

    def place_item(self, pii: str, part: int = 1, of: int = 1) -> None:
        self.placed.append((pii, part, of))

    def remove_item(self, pii: str) -> None:
        self.removed.append(pii)

    def items_on_pad(self) -> list[str]:
        return sorted({p for p, _, _ in self.placed} - set(self.removed))


def buttons(panel, text: str) -> list[QtWidgets.QPushButton]:
    return [b for b in panel.findChildren(QtWidgets.QPushButton) if b.text() == text]


def test_every_control_reaches_its_device(qtbot):
    hands, scans, taps, online, oos = Hands(), [], [], [], []
    panel = SimulatorPanel(
        hands,
        DeviceEvents(),
        [DemoItem("100001", "三体"), DemoItem("300001", "英语 + CD", 2)],
        [DemoCard("P0001", "adult", "SF2.k.x.1.y")],
        scan=scans.append,
        tap=taps.append,
        set_online=online.append,
        set_out_of_service=oos.append,
    )
    qtbot.addWidget(panel)
    qtbot.mouseClick(buttons(panel, "place 放上")[0], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(buttons(panel, "all parts 全部")[0], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(buttons(panel, "part 1 only")[0], Qt.MouseButton.LeftButton)
    assert hands.placed == [("100001", 1, 1), ("300001", 1, 2), ("300001", 2, 2), ("300001", 1, 2)]
    qtbot.mouseClick(buttons(panel, "clear the pad 清空感应区")[0], Qt.MouseButton.LeftButton)
    assert sorted(hands.removed) == ["100001", "300001"]
    qtbot.mouseClick(buttons(panel, "tap NFC")[0], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(buttons(panel, "scan barcode")[0], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(buttons(panel, "show QR")[0], Qt.MouseButton.LeftButton)
    panel.barcode.setText("#junk#")
    qtbot.mouseClick(buttons(panel, "scan")[0], Qt.MouseButton.LeftButton)
    assert taps == ["P0001"] and scans == ["P0001", "SF2.k.x.1.y", "#junk#"]
    panel.offline.setChecked(True)
    panel.oos.setChecked(True)
    assert online == [False] and oos == [True]


def test_an_id_card_row_taps_the_chip_number_as_an_id_card_and_offers_no_barcode(qtbot):
    taps, id_taps = [], []
    panel = SimulatorPanel(
        None,
        DeviceEvents(),
        [],
        [DemoCard("0A1B2C3D4E5F6071", "ID card 身份证", resident_id=True)],
        tap=taps.append,
        tap_id_card=id_taps.append,
    )
    qtbot.addWidget(panel)
    assert buttons(panel, "scan barcode") == [] and buttons(panel, "show QR") == []
    qtbot.mouseClick(buttons(panel, "tap ID card 刷身份证")[0], Qt.MouseButton.LeftButton)
    assert (taps, id_taps) == ([], ["0A1B2C3D4E5F6071"])
