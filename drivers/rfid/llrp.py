"""An LLRP (EPCglobal Low Level Reader Protocol) UHF reader as a kiosk TagReader.

LLRP is what Impinj, Zebra and most fixed UHF readers speak on TCP port 5084. The messages
are encoded and decoded by ``sllurp`` (``sllurp.llrp.LLRPMessage``); this module keeps the
exchange synchronous, one request and its answer at a time, as the pad watcher and the
security writer expect, which sllurp's own client (a background thread running a
continuous inventory and calling back) is not made for.

- ``open`` reads the reader's connection event, clears its ROSpecs and AccessSpecs and adds
  one ROSpec: one short inventory round (an AISpec with a duration stop trigger) reporting
  every tag's EPC and PC bits at its end.
- ``inventory`` starts that ROSpec and reads the RO_ACCESS_REPORT.
- Reads and writes are AccessSpecs bound to one tag (a C1G2TargetTag matching its EPC) with
  one C1G2Read or C1G2Write, run by the same ROSpec; the result comes in the tag's report.

How ISO 15693 ideas map onto a UHF tag (ISO/IEC 18000-63):

- ``uid`` is the EPC (the UII of an ISO/TS 28560-4 library tag), ``TagInfo.pc`` its PC word.
- "Blocks" are user memory (MB11) in 4-byte units (two words), so the codecs and the pad read
  UHF user memory as they read HF memory; the DSFID is user memory's first byte, not a
  separate field, so ``write_dsfid`` is unsupported.
- The AFI is the low byte of the PC word (toggle bit set): ``write_afi`` rewrites word 1 of
  the EPC bank. There is no EAS command: ``set_eas`` is unsupported and the AFI alone
  secures the item (as ``AfiSecurity`` expects).
"""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Callable
from typing import Any, cast

from drivers.rfid.link import LinkedReader, ReaderLink
from drivers.rfid.llrp_messages import (
    ACCESSSPEC_ID,
    BLOCK_WORDS,
    DEFAULT_INVENTORY_MS,
    END_GRACE,
    LLRP_PORT,
    MANUFACTURERS,
    MB_EPC,
    MB_USER,
    PC_WORD,
    READ_NO_RESPONSE,
    READ_OVERRUN,
    ROSPEC_ID,
    WRITE_LOCKED,
    WRITE_NO_RESPONSE,
    WRITE_OVERRUN,
    access_spec,
    check_status,
    decode_message,
    inventory_rospec,
    read_llrp_message,
    read_op,
    report_epc,
    report_pc_bits,
    rospec_ended,
    sllurp_llrp,
)
from drivers.rfid.llrp_transport import TcpTransport
from drivers.rfid.transport import SerialTransport
from kiosk.ports import (
    DeviceError,
    DeviceGone,
    DeviceState,
    DeviceTimeout,
    FrameError,
    NoTag,
    ReaderInfo,
    TagInfo,
    TagRemoved,
    TagWriteError,
    UnsupportedOperation,
)


class LlrpReader(LinkedReader):
    """A UHF reader over LLRP. Thread-safe: one exchange at a time."""

    def __init__(
        self,
        transport: TcpTransport,
        *,
        antennas: tuple[int, ...] = (1,),
        inventory_ms: int = DEFAULT_INVENTORY_MS,
    ) -> None:
        # ReaderLink drives any transport with SerialTransport's methods; this is one
        self._link = ReaderLink(cast(SerialTransport, transport))
        self._transport = transport
        self.antennas = antennas
        self.inventory_ms = inventory_ms
        self._ids = itertools.count(1)
        self._pc: dict[bytes, int] = {}  # EPC -> PC word from the latest report
        self._info: ReaderInfo | None = None

    @classmethod
    def for_address(
        cls,
        host: str,
        port: int = LLRP_PORT,
        *,
        timeout: float = 1.0,
        antennas: tuple[int, ...] = (1,),
        inventory_ms: int = DEFAULT_INVENTORY_MS,
    ) -> LlrpReader:
        """A reader on the network at ``host:port``."""
        transport = TcpTransport(host, port, timeout=timeout)
        return cls(transport, antennas=antennas, inventory_ms=inventory_ms)

    # --- lifecycle ---------------------------------------------------------------------------

    def _forget(self) -> None:
        self._pc.clear()

    def reader_info(self) -> ReaderInfo:
        with self._link.lock:
            self._require_open()
            return self._info or ReaderInfo(model="LLRP UHF reader", serial=self._transport.url)

    def _capabilities(self) -> ReaderInfo | None:
        """Maker, model and firmware from GET_READER_CAPABILITIES (general device part)."""
        try:
            body = self._request({"GET_READER_CAPABILITIES": {"RequestedData": 1}})
        except (FrameError, UnsupportedOperation):
            return None  # the model is for the technician's eyes; the reader works anyway
        general = body.get("GeneralDeviceCapabilities")
        if not isinstance(general, dict):
            return None
        maker = general.get("DeviceManufacturerName")
        firmware = general.get("ReaderFirmwareVersion", b"")
        if isinstance(firmware, bytes):
            firmware = firmware.decode("utf-8", "replace")
        name = MANUFACTURERS.get(maker, f"manufacturer {maker}") if isinstance(maker, int) else "?"
        return ReaderInfo(
            model=f"{name} LLRP reader, model {general.get('ModelName')}",
            firmware=str(firmware),
            serial=self._transport.url,
        )

    def _handshake(self) -> None:
        transport = self._transport
        event = decode_message(read_llrp_message(transport, transport.deadline()))
        name, body = next(iter(event.items()))
        attempt = body.get("ReaderEventNotificationData", {}).get("ConnectionAttemptEvent")
        if name != "READER_EVENT_NOTIFICATION" or attempt is None:
            raise FrameError(f"the reader greeted with {name}, not a connection event")
        if attempt.get("Status") != "Success":
            raise DeviceGone(f"the reader refused the connection: {attempt.get('Status')}")
        self._info = self._capabilities()
        with contextlib.suppress(FrameError, UnsupportedOperation):  # reports alone do then
            self._request(
                {
                    "SET_READER_CONFIG": {
                        "ResetToFactoryDefaults": False,
                        "ReaderEventNotificationSpec": {
                            "EventNotificationState": {"ROSpecEvent": True}
                        },
                    }
                }
            )
        self._request({"DELETE_ACCESSSPEC": {"AccessSpecID": 0}})
        self._request({"DELETE_ROSPEC": {"ROSpecID": 0}})
        self._request(
            {"ADD_ROSPEC": {"ROSpec": inventory_rospec(self.antennas, self.inventory_ms)}}
        )
        self._request({"ENABLE_ROSPEC": {"ROSpecID": ROSPEC_ID}})

    # --- inventory ---------------------------------------------------------------------------

    def inventory(self) -> list[TagInfo]:
        with self._link.lock:
            return [self._tag_info(tag) for tag in self._run_rospec()]

    def _tag_info(self, report: dict[str, Any]) -> TagInfo:
        epc = report_epc(report)
        pc = report_pc_bits(report)
        if pc is not None:
            self._pc[epc] = pc
        afi = pc & 0xFF if pc is not None and pc & 0x100 else None
        return TagInfo(uid=epc, dsfid=0, afi=afi, block_size=2 * BLOCK_WORDS, pc=pc)

    def _run_rospec(self) -> list[dict[str, Any]]:
        """START_ROSPEC, then the report its end brings: every tag seen, with access results."""
        messages = self._exchange(
            {"START_ROSPEC": {"ROSpecID": ROSPEC_ID}}, until="RO_ACCESS_REPORT"
        )
        tags: list[dict[str, Any]] = []
        for name, body in messages:
            if name == "START_ROSPEC_RESPONSE":
                check_status(name, body)
            elif name == "RO_ACCESS_REPORT":
                tags.extend(body.get("TagReportData", []))
        return tags

    # --- memory ------------------------------------------------------------------------------

    def read_blocks(self, uid: bytes, first: int, count: int) -> bytes:
        """User memory from block ``first``. UHF user memory is often smaller than the pad's
        first read (a few words on many chips): a read past its end is read again up to the
        end of the bank, and the bytes beyond it read as zeros, as unwritten memory does."""
        if first < 0 or count < 1:
            raise ValueError("read at least one block from block 0 on")
        wanted = count * BLOCK_WORDS
        with self._link.lock:
            data = self._read_user(uid, first * BLOCK_WORDS, wanted)
            if data is None:  # past the end: WordCount 0 reads to the end of the bank
                data = self._read_user(uid, first * BLOCK_WORDS, 0)
        if data is None:
            raise DeviceError(f"tag {uid.hex()} has no user memory at block {first}")
        return data[: 2 * wanted].ljust(2 * wanted, b"\0")

    def _read_user(self, uid: bytes, pointer: int, words: int) -> bytes | None:
        """The words read; None when they lie past the end of user memory."""
        result = self._access(uid, read_op(MB_USER, pointer, words), "C1G2ReadOpSpecResult")
        if result is None:
            raise NoTag(f"tag {uid.hex()} did not answer")
        code = result.get("Result")
        if code == 0:
            return bytes(result.get("ReadData", b""))
        if code == READ_NO_RESPONSE:
            raise NoTag(f"tag {uid.hex()} did not answer the read")
        if code == READ_OVERRUN:
            return None
        raise DeviceError(f"reading tag {uid.hex()} failed (LLRP result {code})")

    def write_blocks(self, uid: bytes, first: int, data: bytes) -> None:
        if first < 0 or not data or len(data) % 2:
            raise ValueError("write whole 16-bit words from block 0 on")
        self._write(uid, MB_USER, first * BLOCK_WORDS, data)

    def write_afi(self, uid: bytes, afi: int) -> None:
        if not 0 <= afi <= 0xFF:
            raise ValueError(f"AFI {afi} is not a byte")
        with self._link.lock:
            pc = self._pc.get(uid)
            if pc is None:
                pc = self._read_pc(uid)
            word = (pc & 0xFE00) | 0x100 | afi  # the toggle set: the low byte is an ISO AFI
            self._write(uid, MB_EPC, PC_WORD, word.to_bytes(2, "big"))
            self._pc[uid] = word

    def write_dsfid(self, uid: bytes, dsfid: int) -> None:
        raise UnsupportedOperation(
            "a UHF tag's DSFID is the first byte of its user memory: write it with write_blocks"
        )

    def set_eas(self, uid: bytes, enabled: bool) -> None:
        raise UnsupportedOperation("ISO/IEC 18000-63 has no EAS command: the AFI secures the item")

    def _read_pc(self, uid: bytes) -> int:
        result = self._access(uid, read_op(MB_EPC, PC_WORD, 1), "C1G2ReadOpSpecResult")
        if result is None or result.get("Result") != 0:
            raise TagRemoved(f"tag {uid.hex()} did not answer the PC word read")
        return int.from_bytes(bytes(result["ReadData"])[:2], "big")

    def _write(self, uid: bytes, bank: int, word_pointer: int, data: bytes) -> None:
        op = {
            "C1G2Write": {
                "OpSpecID": 1,
                "AccessPassword": 0,
                "MB": bank,
                "WordPtr": word_pointer,
                "WriteDataWordCount": len(data) // 2,
                "WriteData": bytes(data),
            }
        }
        with self._link.lock:
            result = self._access(uid, op, "C1G2WriteOpSpecResult")
        if result is None:
            raise TagRemoved(f"tag {uid.hex()} left before it could be written")
        code, written = result.get("Result"), result.get("NumWordsWritten", 0)
        if code == 0 and written == len(data) // 2:
            return
        if code == WRITE_NO_RESPONSE:
            raise TagRemoved(f"tag {uid.hex()} left after {written} of {len(data) // 2} words")
        if code in (WRITE_LOCKED, WRITE_OVERRUN):
            what = "locked" if code == WRITE_LOCKED else "beyond its memory"
            raise TagWriteError(f"tag {uid.hex()}: the words are {what} ({written} written)")
        raise TagWriteError(f"writing tag {uid.hex()} failed (LLRP result {code})")

    def _access(self, uid: bytes, op: dict[str, Any], result_name: str) -> dict[str, Any] | None:
        """Run one OpSpec on the tag whose EPC is ``uid``; its result, or None when the tag
        was not in the field. The AccessSpec never outlives the call: a write left waiting
        for a tag would otherwise land when that tag comes back."""
        spec = access_spec(uid, op)
        self._request({"ADD_ACCESSSPEC": {"AccessSpec": spec}})
        try:
            self._request({"ENABLE_ACCESSSPEC": {"AccessSpecID": ACCESSSPEC_ID}})
            tags = self._run_rospec()
        except DeviceError:
            self._forget_access()
            raise
        found = None
        for report in tags:
            if result_name in report and report_epc(report) == uid:
                found = report[result_name]
            if report_pc_bits(report) is not None:
                self._pc[report_epc(report)] = report_pc_bits(report)  # type: ignore[assignment]
        if found is None:
            self._forget_access()
        return found

    def _forget_access(self) -> None:
        # the status is irrelevant: a spec that already ran and ended is simply not there
        with contextlib.suppress(FrameError, UnsupportedOperation):
            self._exchange({"DELETE_ACCESSSPEC": {"AccessSpecID": ACCESSSPEC_ID}})

    # --- messages ----------------------------------------------------------------------------

    def _request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send one request and check the status of its response."""
        (name, body), *_ = self._exchange(message)
        check_status(name, body)
        return body

    def _exchange(
        self, message: dict[str, Any], *, until: str | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        """Send ``message``; return its response (and, with ``until``, every message up to
        and including the first of that name), skipping keepalives and events."""
        (request_name,) = message
        response_name = f"{request_name}_RESPONSE"
        message_id = next(self._ids)
        body = dict(message[request_name], ID=message_id)
        try:
            request = sllurp_llrp().LLRPMessage(msgdict={request_name: body}).msgbytes
        except Exception as exc:  # sllurp raises bare errors for fields it cannot encode
            raise DeviceError(f"cannot encode {request_name}: {exc}") from exc
        wanted = {response_name} | ({until} if until else set())
        seen: list[tuple[str, dict[str, Any]]] = []

        def read(_: SerialTransport, deadline: float) -> bytes:
            transport = self._transport
            raw = b""
            ended = False
            while wanted - {name for name, _ in seen}:
                try:
                    frame = read_llrp_message(transport, deadline)
                except DeviceTimeout:
                    if ended and any(name == response_name for name, _ in seen):
                        break  # the ROSpec ended and no report followed: nothing was seen
                    raise
                raw += frame
                decoded = decode_message(frame)
                name, content = next(iter(decoded.items()))
                if name == "KEEPALIVE":
                    transport.write(
                        sllurp_llrp().LLRPMessage(msgdict={"KEEPALIVE_ACK": {}}).msgbytes
                    )
                    continue
                if name == "ERROR_MESSAGE":
                    check_status(name, content)
                if name == "READER_EVENT_NOTIFICATION" and rospec_ended(content):
                    # readers need not send an empty report: the end event says it is over,
                    # and a report that does come arrives right after it
                    ended = True
                    deadline = min(deadline, time.monotonic() + END_GRACE)
                if name in wanted:
                    seen.append((name, content))
            return raw

        read_frames: Callable[[SerialTransport, float], bytes] = read
        self._link.exchange(request, read_frames)
        seen.sort(key=lambda item: item[0] != response_name)
        return seen

    def _require_open(self) -> None:
        if self._link.state is DeviceState.DISCONNECTED or not self._transport.is_open:
            raise DeviceGone(f"{self._transport.url} is not open")
