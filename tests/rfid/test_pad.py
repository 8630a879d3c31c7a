"""The pad watcher: debounced arrivals and departures, decoding, fault reports and reconnects."""

from __future__ import annotations

import queue
import threading

import pytest

from drivers.rfid.emulators import EmulatorServer, FeigEmulator
from drivers.rfid.feig import FeigReader
from drivers.rfid.field import SimulatedTag, TagField, nxp_uid
from drivers.rfid.pad import PadEvent, PadWatcher
from drivers.rfid.sim import SimReader
from kiosk.ports import TagInfo
from tests.waiting import wait_until

UID = nxp_uid(1)


class RecordingFaults:
    """A FaultSink that remembers what it was told."""

    def __init__(self) -> None:
        self.recorded: list[tuple[str, str, str, str]] = []
        self.cleared: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def record_fault(self, device: str, code: str, severity: str, message: str) -> None:
        with self._lock:
            self.recorded.append((device, code, severity, message))

    def clear_fault(self, device: str, code: str) -> None:
        with self._lock:
            self.cleared.append((device, code))

    def codes(self) -> list[str]:
        with self._lock:
            return [code for _, code, _, _ in self.recorded]


def decode_pii(data: bytes, info: TagInfo) -> str:
    """Stands in for the core's tag codecs: the PII at bytes 3-18 of an ISO 28560-3 tag."""
    return data[3:19].rstrip(b"\x00").decode("ascii")


def basic_block(pii: str) -> bytearray:
    return bytearray(b"\x11\x01\x01" + pii.encode().ljust(16, b"\x00"))


def take(events: queue.Queue[PadEvent], timeout: float = 3.0) -> PadEvent:
    return events.get(timeout=timeout)


@pytest.fixture
def sim() -> SimReader:
    reader = SimReader()
    reader.open()
    return reader


def test_a_placed_tag_arrives_with_its_decoded_content(sim: SimReader) -> None:
    events: queue.Queue[PadEvent] = queue.Queue()
    watcher = PadWatcher(sim, decode_pii, events=events)
    sim.field.place(SimulatedTag(UID, dsfid=0x3E, memory=basic_block("1000000056")))
    watcher.poll_once()
    event = take(events)
    assert (event.kind, event.uid, event.item, event.error) == ("arrived", UID, "1000000056", "")
    assert len(event.data) == 32  # the basic block, not the whole memory of 28 x 4 bytes
    assert watcher.present() == [event.tag]


def test_a_tag_leaves_only_after_the_configured_number_of_missed_polls(sim: SimReader) -> None:
    events: queue.Queue[PadEvent] = queue.Queue()
    watcher = PadWatcher(sim, decode_pii, events=events, missing_polls=3)
    tag = sim.field.place(SimulatedTag(UID))
    watcher.poll_once()
    assert take(events).kind == "arrived"
    sim.field.remove(UID)
    watcher.poll_once()
    watcher.poll_once()
    sim.field.place(tag)  # it flickered back at the edge of the field
    watcher.poll_once()
    assert events.empty()
    sim.field.remove(UID)
    for _ in range(3):
        watcher.poll_once()
    event = take(events)
    assert (event.kind, event.uid) == ("left", UID)
    assert events.empty()
    assert watcher.present() == []


def test_a_tag_that_cannot_be_decoded_still_arrives_with_the_reason(sim: SimReader) -> None:
    events: queue.Queue[PadEvent] = queue.Queue()

    def refuse(data: bytes, info: TagInfo) -> object:
        raise ValueError("no known data model")

    watcher = PadWatcher(sim, refuse, events=events)
    sim.field.place(SimulatedTag(UID))
    watcher.poll_once()
    event = take(events)
    assert event.kind == "arrived"
    assert event.item is None
    assert "no known data model" in event.error


def test_a_tag_that_leaves_before_it_is_read_does_not_arrive(sim: SimReader) -> None:
    events: queue.Queue[PadEvent] = queue.Queue()
    watcher = PadWatcher(sim, decode_pii, events=events)
    sim.field.place(SimulatedTag(UID))
    real_read = sim.read_blocks

    def read_after_it_left(uid: bytes, first: int, count: int) -> bytes:
        sim.field.remove(uid)
        return real_read(uid, first, count)

    sim.read_blocks = read_after_it_left  # type: ignore[method-assign]
    watcher.poll_once()
    assert events.empty()
    assert watcher.present() == []


def test_events_also_reach_a_callback(sim: SimReader) -> None:
    seen: list[PadEvent] = []
    watcher = PadWatcher(sim, decode_pii, on_event=seen.append)
    sim.field.place(SimulatedTag(UID))
    watcher.poll_once()
    assert [event.kind for event in seen] == ["arrived"]


def test_a_transient_timeout_is_a_warning_and_keeps_the_tags(sim: SimReader) -> None:
    events: queue.Queue[PadEvent] = queue.Queue()
    faults = RecordingFaults()
    watcher = PadWatcher(sim, decode_pii, events=events, faults=faults, device="pad-1")
    sim.field.place(SimulatedTag(UID))
    watcher.poll_once()
    take(events)
    sim.faults.drop_replies(1)
    watcher.poll_once()
    assert faults.recorded[0][:3] == ("pad-1", "timeout", "warning")
    sim.open()  # what the polling thread does after an error
    watcher.poll_once()
    assert events.empty()
    assert faults.cleared == [("pad-1", "timeout")]


def test_the_back_off_doubles_up_to_its_limit(sim: SimReader) -> None:
    watcher = PadWatcher(sim, decode_pii, backoff_initial=0.5, backoff_max=3.0)
    assert [watcher.backoff.next_delay() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_the_default_rate_is_five_polls_a_second(sim: SimReader) -> None:
    assert PadWatcher(sim, decode_pii).period == pytest.approx(0.2)
    assert PadWatcher(sim, decode_pii, polls_per_second=20).period == pytest.approx(0.05)


def test_the_thread_reports_arrivals_and_departures() -> None:
    reader = SimReader()
    events: queue.Queue[PadEvent] = queue.Queue()
    watcher = PadWatcher(reader, decode_pii, events=events, polls_per_second=50, missing_polls=2)
    watcher.start()
    try:
        reader.field.place(SimulatedTag(UID, memory=basic_block("31234")))
        arrived = take(events)
        assert (arrived.kind, arrived.item) == ("arrived", "31234")
        reader.field.remove(UID)
        assert take(events).kind == "left"
    finally:
        watcher.stop()
    assert not watcher.running


def test_an_unplugged_reader_is_recorded_its_tags_leave_and_it_reconnects() -> None:
    reader = SimReader()
    events: queue.Queue[PadEvent] = queue.Queue()
    faults = RecordingFaults()
    watcher = PadWatcher(
        reader,
        decode_pii,
        events=events,
        faults=faults,
        polls_per_second=50,
        missing_polls=2,
        backoff_initial=0.01,
        backoff_max=0.05,
    )
    reader.field.place(SimulatedTag(UID))
    watcher.start()
    try:
        assert take(events).kind == "arrived"
        reader.faults.unplug()
        assert take(events).kind == "left"
        wait_until(lambda: faults.codes().count("device_gone") >= 3, what="reconnect attempts")
        assert all(severity == "error" for _, _, severity, _ in faults.recorded)
        reader.faults.replug()
        assert take(events).kind == "arrived"
        wait_until(lambda: ("rfid", "device_gone") in faults.cleared, what="fault cleared")
    finally:
        watcher.stop()


def test_the_watcher_reconnects_a_feig_reader_through_its_emulator() -> None:
    field = TagField([SimulatedTag(UID, dsfid=0x3E, memory=basic_block("1000000056"))])
    events: queue.Queue[PadEvent] = queue.Queue()
    faults = RecordingFaults()
    with EmulatorServer(FeigEmulator(field), kind="tcp") as server:
        reader = FeigReader.for_url(server.url, timeout=0.2)
        watcher = PadWatcher(
            reader,
            decode_pii,
            events=events,
            faults=faults,
            polls_per_second=20,
            missing_polls=2,
            backoff_initial=0.05,
            backoff_max=0.1,
        )
        watcher.start()
        try:
            assert take(events).item == "1000000056"
            server.faults.unplug()
            assert take(events).kind == "left"
            wait_until(lambda: "device_gone" in faults.codes(), what="fault recorded")
            server.faults.replug()
            assert take(events, timeout=5).item == "1000000056"
        finally:
            watcher.stop()
            reader.close()


def test_a_tag_that_keeps_failing_to_read_arrives_with_the_reason(sim: SimReader) -> None:
    events: queue.Queue[PadEvent] = queue.Queue()
    faults = RecordingFaults()
    watcher = PadWatcher(sim, decode_pii, events=events, faults=faults, read_attempts=2)
    sim.field.place(SimulatedTag(UID, block_count=4))
    failing = TagInfo(UID, block_count=None)  # unknown size: 8 blocks (too many) are read
    sim.field.inventory = lambda afi=None: [failing]  # type: ignore[method-assign]
    watcher.poll_once()
    assert events.empty()
    watcher.poll_once()
    event = take(events)
    assert (event.kind, event.item) == ("arrived", None)
    assert "could not read" in event.error
    assert faults.codes() == ["device_error", "device_error"]
