"""The LLRP driver and emulator: frames as the LLRP spec lays them out, and UHF library items.

Spec facts (EPCglobal LLRP 1.0.1): a message header is 3 reserved bits, a 3-bit version (1),
a 10-bit message type, a 32-bit length counting the whole message and a 32-bit message ID;
START_ROSPEC is type 22 carrying a 32-bit ROSpecID; READER_EVENT_NOTIFICATION is type 63
with a ReaderEventNotificationData parameter (246) holding a UTCTimestamp (128) and a
ConnectionAttemptEvent (256) whose status 0 is Success; a TLV parameter header is 6
reserved bits, a 10-bit type and a 16-bit length; a TV parameter is one byte 0x80 | type.
"""

from __future__ import annotations

import queue
import struct
import threading

import pytest
from sllurp.llrp import LLRPMessage

from drivers.rfid.emulators.__main__ import serve
from drivers.rfid.emulators.llrp import LlrpEmulator, LlrpEmulatorServer
from drivers.rfid.emulators.llrp_specs import parse_accessspec
from drivers.rfid.emulators.llrp_wire import find, params
from drivers.rfid.emulators.uhf_tags import library_tag
from drivers.rfid.factory import open_reader, reader_for_uri
from drivers.rfid.field import SimulatedTag, TagField, nxp_uid
from drivers.rfid.items import AfiSecurity, PadItems, decode_tag
from drivers.rfid.llrp import LlrpReader
from drivers.rfid.llrp_messages import inventory_rospec
from drivers.rfid.pad import PadEvent, PadWatcher
from kiosk.ports import DeviceError, UnsupportedOperation
from kiosk.tags import TagData

ISIL = "CN-440300-1"


# --- frames against the specification ---------------------------------------------------


def test_sllurp_encodes_start_rospec_as_the_spec_lays_it_out() -> None:
    frame = LLRPMessage(msgdict={"START_ROSPEC": {"ID": 9, "ROSpecID": 1}}).msgbytes
    assert frame == bytes.fromhex("0416 0000000E 00000009 00000001")


def test_the_emulator_greets_with_a_successful_connection_event() -> None:
    greeting = LlrpEmulator(TagField()).greeting()
    kind, length, _ = struct.unpack_from(">HII", greeting)
    assert (kind >> 10 & 0x7, kind & 0x3FF, length) == (1, 63, len(greeting))
    event = find(greeting[10:], 246)
    assert event is not None
    timestamp, attempt = find(event, 128), find(event, 256)
    assert timestamp is not None and len(timestamp) == 8
    assert attempt == b"\x00\x00"
    decoded = LLRPMessage(msgbytes=greeting)  # and sllurp, written apart, agrees
    assert decoded.isSuccess()


def test_the_report_carries_epc_96_and_pc_bits_that_sllurp_reads() -> None:
    tag = library_tag(afi=0x07, pii="123456789012", isil="CN-1")
    assert len(tag.uid) == 12  # a 96-bit UII goes out as the EPC-96 TV parameter
    field = TagField([tag])
    emulator = LlrpEmulator(field)
    emulator.session.rospecs[1] = True
    emulator.session.pc_bits = True
    frame = emulator._report(1)
    report = LLRPMessage(msgbytes=frame).msgdict["RO_ACCESS_REPORT"]["TagReportData"][0]
    assert bytes.fromhex(report["EPC-96"].decode()) == tag.uid
    assert report["ROSpecID"] == 1 and report["AntennaID"] == 1
    assert 0x80 | 12 in frame  # C1G2PC present; the driver takes it from sllurp's leftovers


def test_the_emulator_reads_the_accessspec_the_driver_sends() -> None:
    reader = LlrpReader.for_address("127.0.0.1", 1)
    sent: list[bytes] = []
    reader._link.exchange = lambda request, read: sent.append(request) or b""  # type: ignore[method-assign]
    reader._request = lambda message: (  # type: ignore[method-assign]
        sent.append(LLRPMessage(msgdict={**message}).msgbytes) or {}
    )
    reader._run_rospec = lambda: []  # type: ignore[method-assign]
    reader._forget_access = lambda: None  # type: ignore[method-assign]
    epc = bytes.fromhex("1DC2 FB21 02DD DF7C 4E00")
    reader._access(epc, {"C1G2Read": _read_op(bank=3, pointer=4, count=6)}, "x")
    add = sent[0]
    assert struct.unpack_from(">H", add)[0] & 0x3FF == 40  # ADD_ACCESSSPEC
    spec = parse_accessspec(find(add[10:], 207) or b"")
    assert spec.target_epc == epc
    assert spec.op[0] == 341 and spec.op[2:4] == (3, 4)
    assert int.from_bytes(spec.op[4], "big") == 6


def _read_op(bank: int, pointer: int, count: int) -> dict[str, int]:
    return {"OpSpecID": 1, "AccessPassword": 0, "MB": bank, "WordPtr": pointer, "WordCount": count}


# --- the reader ---------------------------------------------------------------------------


def test_the_rospec_polls_in_session_0_with_the_readers_own_power_and_pc_bits() -> None:
    rospec = inventory_rospec(antennas=(1, 2), inventory_ms=40)
    assert rospec["ROBoundarySpec"]["ROSpecStartTrigger"]["ROSpecStartTriggerType"] == "Null"
    assert rospec["AISpec"][0]["AISpecStopTrigger"] == {
        "AISpecStopTriggerType": "Duration",
        "DurationTriggerValue": 40,
    }
    antennas = rospec["AISpec"][0]["InventoryParameterSpec"][0]["AntennaConfiguration"]
    assert [a["AntennaID"] for a in antennas] == [1, 2]
    for antenna in antennas:
        assert "RFTransmitter" not in antenna
        (command,) = antenna["C1G2InventoryCommand"]
        assert command["C1G2SingulationControl"]["Session"] == 0
    selector = rospec["ROReportSpec"]["TagReportContentSelector"]
    assert selector["C1G2EPCMemorySelector"]["EnablePCBits"] is True
    # on the wire: ROSpec (177) > AISpec (183) > InventoryParameterSpec (186) >
    # AntennaConfiguration (222) holds C1G2InventoryCommand (330) and no RFTransmitter (224)
    frame = LLRPMessage(msgdict={"ADD_ROSPEC": {"ID": 1, "ROSpec": rospec}}).msgbytes
    body = find(frame[10:], 177)
    assert body is not None
    ai_spec = find(body[6:], 183)
    assert ai_spec is not None
    antenna_count = struct.unpack_from(">H", ai_spec)[0]
    inventory = find(ai_spec[2 + 2 * antenna_count :], 186)
    assert inventory is not None
    configurations = [b for k, b in params(inventory[3:]) if k == 222]
    assert len(configurations) == 2
    assert [k for k, _ in params(configurations[0][2:])] == [330]


def test_factory_builds_an_llrp_reader_on_port_5084_by_default() -> None:
    reader = reader_for_uri("llrp://192.0.2.7")
    assert isinstance(reader, LlrpReader)
    assert reader._transport.url == "llrp://192.0.2.7:5084"
    tuned = reader_for_uri("llrp://192.0.2.7:6000?antennas=1,2&inventory_ms=40&timeout=2")
    assert isinstance(tuned, LlrpReader)
    assert (tuned.antennas, tuned.inventory_ms) == ((1, 2), 40)
    with pytest.raises(ValueError, match="unknown option"):
        reader_for_uri("llrp://192.0.2.7?baud=9600")
    with pytest.raises(ValueError, match="names no reader"):
        reader_for_uri("llrp:///dev/ttyUSB0")


def test_reader_info_comes_from_the_readers_capabilities(world) -> None:
    _, server, reader = world
    info = reader.reader_info()
    assert info.model == "manufacturer 0 LLRP reader, model 1"
    assert info.firmware == "shufang-llrp-emulator 1"
    assert info.serial == server.uri


@pytest.mark.parametrize("empty_reports", [True, False])
def test_an_empty_round_is_an_empty_inventory_whether_or_not_a_report_comes(
    empty_reports: bool,
) -> None:
    field = TagField()
    emulator = LlrpEmulator(field, empty_reports=empty_reports)
    server = LlrpEmulatorServer(emulator).start()
    reader = LlrpReader.for_address("127.0.0.1", server.port, timeout=1.0)
    try:
        reader.open()
        assert emulator.session.rospec_events  # the driver asked for end-of-ROSpec events
        assert reader.inventory() == []
        tag = field.place(library_tag(afi=0x07, pii="1"))
        assert [t.uid for t in reader.inventory()] == [tag.uid]
        field.remove(tag.uid)
        assert reader.inventory() == []
        assert reader.state.value == "ready"
    finally:
        reader.close()
        server.stop()


def test_inventory_reports_the_epc_and_the_pc_words_afi(world) -> None:
    field, _, reader = world
    tag = field.place(library_tag(afi=0x07, pii="31234567", isil=ISIL))
    (seen,) = reader.inventory()
    assert seen.uid == tag.uid
    assert seen.pc is not None and seen.pc & 0x100 and seen.afi == 0x07
    assert seen.pc >> 11 == len(tag.uid) // 2


def test_dsfid_and_eas_are_not_uhf_commands(world) -> None:
    field, _, reader = world
    tag = field.place(library_tag(afi=0x07, pii="1"))
    with pytest.raises(UnsupportedOperation):
        reader.write_dsfid(tag.uid, 0x06)
    with pytest.raises(UnsupportedOperation):
        reader.set_eas(tag.uid, True)


def test_a_read_past_the_end_of_small_user_memory_gives_the_memory_then_zeros(world) -> None:
    field, _, reader = world
    small = library_tag(afi=0x07, pii="31234567", set=(1, 2), user_words=6)
    assert small.memory and len(small.memory) == 12
    field.place(small)
    assert reader.read_blocks(small.uid, 0, 8) == bytes(small.memory) + bytes(20)
    assert reader.read_blocks(small.uid, 2, 2) == bytes(small.memory[8:]) + bytes(4)
    with pytest.raises(DeviceError):
        reader.read_blocks(small.uid, 3, 1)


def test_write_afi_keeps_the_pc_words_length_and_umi(world) -> None:
    field, _, reader = world
    tag = field.place(library_tag(afi=0x07, pii="31234567", isil=ISIL, set=(1, 2)))
    (before,) = reader.inventory()
    reader.write_afi(tag.uid, 0xC2)
    (after,) = reader.inventory()
    assert before.pc is not None and after.pc is not None
    assert after.pc == (before.pc & 0xFF00) | 0xC2


# --- UHF library items on the pad --------------------------------------------------------------


def test_uhf_items_arrive_with_pii_set_and_owner_and_are_secured(world) -> None:
    """Two parts of one set would carry the same UII and so the same EPC, which no UHF
    reader can tell apart: each part here is its own item."""
    field, _, reader = world
    book = field.place(library_tag(afi=0x07, pii="31234567", isil=ISIL, set=(1, 1)))
    atlas = field.place(library_tag(afi=0x07, pii="A0000042", isil=ISIL, type_of_usage=1))
    events: list[PadEvent] = []
    items: list[tuple] = []
    pad_items = PadItems(on_item=lambda *a: items.append(a), on_gone=lambda pii: None)

    def on_event(event: PadEvent) -> None:
        events.append(event)
        pad_items.handle(event)

    PadWatcher(reader, decode_tag, on_event=on_event).poll_once()
    decoded = [event.item for event in events]
    assert all(isinstance(tag, TagData) and tag.format == "28560-4" for tag in decoded)
    assert {(t.pii, t.isil, t.set, t.type_of_usage) for t in decoded} == {  # type: ignore[union-attr]
        ("31234567", ISIL, (1, 1), None),
        ("A0000042", ISIL, None, 1),
    }
    assert sorted(item[0] for item in items) == ["31234567", "A0000042"]
    security = AfiSecurity(reader, afi_secured=0x07, afi_on_loan=0xC2)
    security.secure((book.uid, atlas.uid), on_loan=True)
    assert (book.afi, atlas.afi) == (0xC2, 0xC2)
    security.secure(book.uid, on_loan=False)
    assert {tag.uid: tag.afi for tag in reader.inventory()}[book.uid] == 0x07


def test_a_uhf_tag_without_user_memory_is_read_from_its_epc_alone(world) -> None:
    field, _, reader = world
    field.place(library_tag(afi=0x07, pii="3123456789", isil=ISIL))
    events: list[PadEvent] = []
    watcher = PadWatcher(reader, decode_tag, on_event=events.append)
    reads: list[tuple] = []
    real_read = reader.read_blocks
    reader.read_blocks = lambda *a: reads.append(a) or real_read(*a)  # type: ignore[method-assign]
    watcher.poll_once()
    (event,) = events
    assert event.data == b"" and isinstance(event.item, TagData)
    assert (event.item.pii, event.item.isil, event.item.warnings) == ("3123456789", ISIL, [])
    assert reads == []  # the PC word's UMI bit is 0: no user memory to read


def test_a_hf_style_tag_on_a_uhf_pad_is_unreadable_not_a_crash(world) -> None:
    field, _, reader = world
    field.place(SimulatedTag(nxp_uid(1), afi=0x07, memory=bytearray(b"\x06\x11")))
    events: list[PadEvent] = []
    PadWatcher(reader, decode_tag, on_event=events.append).poll_once()
    (event,) = events
    assert event.kind == "arrived"
    assert event.error or (isinstance(event.item, TagData) and event.item.warnings)


def test_the_emulator_command_serves_uhf_items_the_kiosk_can_read() -> None:
    stop, uris = threading.Event(), queue.Queue[str]()
    thread = threading.Thread(target=serve, args=(["llrp", "--tags", "2"], stop, uris.put))
    thread.start()
    try:
        uri = uris.get(timeout=5)
        assert uri.startswith("llrp://127.0.0.1:")
        reader = open_reader(uri)
        tags = reader.inventory()
        piis = {decode_tag(b"", tag).pii for tag in tags}
        assert piis == {"100001", "100002"}
        reader.close()
    finally:
        stop.set()
        thread.join(timeout=5)


def test_factory_takes_a_bracketed_ipv6_reader_address() -> None:
    reader = reader_for_uri("llrp://[2001:db8::7]:6000")
    assert isinstance(reader, LlrpReader)
    assert reader._transport.url.endswith(":6000")
    assert "2001:db8::7" in reader._transport.url
