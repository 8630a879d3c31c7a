"""Every TagReader implementation wired to a simulated field that the test also holds."""

from __future__ import annotations

from dataclasses import dataclass

from drivers.rfid.emulators import EmulatorServer, FeigEmulator, M810Emulator
from drivers.rfid.emulators.llrp import LlrpEmulator, LlrpEmulatorServer
from drivers.rfid.feig import FeigReader
from drivers.rfid.field import TagField
from drivers.rfid.injected_faults import ReaderFaults
from drivers.rfid.llrp import LlrpReader
from drivers.rfid.m810 import M810Reader
from drivers.rfid.sim import SimReader
from kiosk.ports import TagReader

DRIVER_TIMEOUT = 0.25  # short, so no-reply faults cost little test time


@dataclass
class Rig:
    """A reader under test and the hands that control its world."""

    name: str
    reader: TagReader
    field: TagField
    faults: ReaderFaults
    supports_eas: bool
    reports_tag_details: bool  # AFI and memory size in every inventory (the simulator)
    server: EmulatorServer | None = None

    @property
    def reports_dsfid(self) -> bool:
        """FEIG passes on the DSFID of the ISO 15693 inventory; the 3M 810 sends UIDs only;
        a UHF tag's DSFID is the first byte of its user memory, not part of an inventory."""
        return not self.name.startswith(("3m810", "llrp"))

    @property
    def writes_dsfid(self) -> bool:
        """The 3M 810's Write DSFID is not publicly documented, so its driver refuses it;
        a UHF tag has no DSFID command (the byte is written with user memory)."""
        return not self.name.startswith(("3m810", "llrp"))


RIGS = ["sim", "feig-pty", "feig-tcp", "3m810-pty", "3m810-tcp", "llrp-tcp"]


def build_rig(name: str) -> Rig:
    field, faults = TagField(), ReaderFaults()
    if name == "sim":
        return Rig(name, SimReader(field, faults), field, faults, True, True)
    protocol, kind = name.split("-")
    if protocol == "llrp":
        llrp = LlrpEmulatorServer(LlrpEmulator(field, faults)).start()
        reader = LlrpReader.for_address("127.0.0.1", llrp.port, timeout=DRIVER_TIMEOUT)
        return Rig(name, reader, field, faults, False, False, llrp)
    if protocol == "feig":
        server = EmulatorServer(FeigEmulator(field, faults), kind=kind).start()  # type: ignore[arg-type]
        reader: TagReader = FeigReader.for_url(server.url, timeout=DRIVER_TIMEOUT)
        return Rig(name, reader, field, faults, True, False, server)
    server = EmulatorServer(M810Emulator(field, faults), kind=kind).start()  # type: ignore[arg-type]
    reader = M810Reader.for_url(server.url, timeout=DRIVER_TIMEOUT)
    return Rig(name, reader, field, faults, False, False, server)
