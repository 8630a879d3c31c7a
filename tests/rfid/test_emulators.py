"""Emulator behaviour the contract does not cover: pacing, long inventories, resync, options."""

from __future__ import annotations

import queue
import socket
import statistics
import threading
import time

import pytest

from drivers.rfid import open_reader
from drivers.rfid.emulators import EmulatorServer, FeigEmulator, M810Emulator
from drivers.rfid.emulators.__main__ import serve
from drivers.rfid.feig import FeigReader
from drivers.rfid.field import SimulatedTag, TagField, nxp_uid
from drivers.rfid.m810 import M810Reader
from kiosk.ports import DeviceTimeout, UnsupportedOperation
from tests.waiting import wait_until


def field_with(count: int) -> TagField:
    return TagField([SimulatedTag(nxp_uid(n), dsfid=0x3E) for n in range(1, count + 1)])


def median_seconds(action, repeats: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def test_paced_feig_inventory_and_read_take_about_as_long_as_a_real_reader() -> None:
    with EmulatorServer(FeigEmulator(field_with(1)), paced=True) as server:
        reader = FeigReader.for_url(server.url)
        reader.open()
        uid = reader.inventory()[0].uid  # first visit also asks system information
        inventory = median_seconds(reader.inventory)
        read = median_seconds(lambda: reader.read_blocks(uid, 0, 8))
        reader.close()
    # 16-slot inventory ~15-30 ms on air plus ~6 ms of frames at 38400 8E1
    assert 0.015 < inventory < 0.2, inventory
    # 8 blocks ~16 ms on air plus ~16 ms of frames at 38400 8E1
    assert 0.016 < read < 0.2, read


def test_paced_3m_inventory_takes_about_as_long_as_a_real_reader() -> None:
    with EmulatorServer(M810Emulator(field_with(1)), paced=True) as server:
        reader = M810Reader.for_url(server.url)
        reader.open()
        inventory = median_seconds(reader.inventory)
        reader.close()
    assert 0.020 < inventory < 0.2, inventory


def test_unpaced_emulators_answer_quickly() -> None:
    with EmulatorServer(FeigEmulator(field_with(1))) as server:
        reader = FeigReader.for_url(server.url)
        reader.open()
        reader.inventory()
        assert median_seconds(reader.inventory) < 0.015
        reader.close()


def test_feig_inventory_of_more_tags_than_one_frame_holds_asks_for_more() -> None:
    with EmulatorServer(FeigEmulator(field_with(30))) as server:
        reader = FeigReader.for_url(server.url)
        reader.open()
        assert {tag.uid for tag in reader.inventory()} == {nxp_uid(n) for n in range(1, 31)}
        reader.close()


def test_feig_emulator_ignores_requests_for_another_bus_address() -> None:
    with EmulatorServer(FeigEmulator(field_with(1), address=0x05)) as server:
        reader = FeigReader.for_url(server.url, address=0x06, timeout=0.1)
        with pytest.raises(DeviceTimeout):
            reader.open()
        # parity N: a Linux pty refuses a second 8E1 open (see EmulatorServer)
        reader = FeigReader.for_url(server.url, address=0x05, parity="N")
        reader.open()
        assert len(reader.inventory()) == 1
        reader.close()


def test_feig_firmware_without_custom_commands_makes_eas_unsupported() -> None:
    field = field_with(1)
    with EmulatorServer(FeigEmulator(field, custom_commands=False)) as server:
        reader = FeigReader.for_url(server.url)
        reader.open()
        with pytest.raises(UnsupportedOperation):
            reader.set_eas(nxp_uid(1), True)
        reader.close()


def test_3m_driver_learns_a_least_significant_byte_first_uid_order() -> None:
    field = field_with(1)
    with EmulatorServer(M810Emulator(field, uid_lsb_first=True)) as server:
        reader = M810Reader.for_url(server.url)
        reader.open()
        assert [tag.uid for tag in reader.inventory()] == [nxp_uid(1)]
        reader.write_afi(nxp_uid(1), 0xC2)
        reader.close()
    assert field.get(nxp_uid(1)).afi == 0xC2  # type: ignore[union-attr]


@pytest.mark.parametrize("emulator", [FeigEmulator, M810Emulator])
def test_emulators_skip_line_noise_before_a_frame(emulator: type) -> None:
    with EmulatorServer(emulator(field_with(1)), kind="tcp") as server:
        port = int(server.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            probe = (
                bytes.fromhex("05 FF 65 E5 CB")
                if emulator is FeigEmulator
                else bytes.fromhex("D5 00 05 04 00 11 8C 66")
            )
            sock.sendall(b"\x00\x01\x02" + probe)
            reply = sock.recv(64)
        assert reply[:1] in (b"\x0d", b"\xd5")


def test_a_pty_emulator_keeps_its_path_across_replug() -> None:
    with EmulatorServer(FeigEmulator(field_with(1))) as server:
        path = server.url
        server.faults.unplug()
        wait_until(lambda: not server.plugged, what="unplug")
        server.faults.replug()
        wait_until(lambda: server.plugged, what="replug")
        assert server.url == path
        reader = FeigReader.for_url(path)
        reader.open()
        assert len(reader.inventory()) == 1
        reader.close()


@pytest.mark.parametrize(("protocol", "tcp"), [("feig", True), ("3m810", False)])
def test_the_emulator_command_serves_a_uri_the_factory_opens(protocol: str, tcp: bool) -> None:
    stop, uris = threading.Event(), queue.Queue[str]()
    argv = [protocol, "--tags", "2", *(["--tcp"] if tcp else [])]
    thread = threading.Thread(target=serve, args=(argv, stop, uris.put))
    thread.start()
    try:
        uri = uris.get(timeout=5)
        assert uri.startswith(f"{protocol}+socket://" if tcp else f"{protocol}:///")
        reader = open_reader(uri)
        assert len(reader.inventory()) == 2
        reader.close()
    finally:
        stop.set()
        thread.join(timeout=5)
