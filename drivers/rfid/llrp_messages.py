"""LLRP messages for the UHF reader driver (``drivers/rfid/llrp.py``): the constants of
LLRP 1.0.1 it uses, sllurp's codec, one message read off the wire, the ROSpec and AccessSpec
it adds, and the fields it takes from responses and tag reports."""

from __future__ import annotations

from typing import Any

from drivers.rfid.llrp_transport import TcpTransport
from kiosk.ports import DeviceGone, FrameError, UnsupportedOperation

LLRP_PORT = 5084
HEADER_SIZE = 10
MAX_MESSAGE = 1 << 20
ROSPEC_ID = 1
ACCESSSPEC_ID = 7
EPC_GEN2 = 1  # LLRP AirProtocols: EPCGlobal Class 1 Gen 2
MB_EPC, MB_USER = 1, 3
EPC_BIT_POINTER = 0x20  # the EPC starts after the CRC and PC words
BLOCK_WORDS = 2  # a "block" of the TagReader port is two 16-bit words, 4 bytes
PC_WORD = 1
DEFAULT_INVENTORY_MS = 60
#: How long a report may trail the end-of-ROSpec event before the round counts as empty.
END_GRACE = 0.05

# C1G2ReadOpSpecResult and C1G2WriteOpSpecResult result codes (LLRP 1.0.1, 16.2.7.5)
READ_NO_RESPONSE, READ_OVERRUN, READ_LOCKED = 2, 4, 5
WRITE_OVERRUN, WRITE_LOCKED, WRITE_NO_RESPONSE = 1, 2, 5

#: LLRP names a reader's maker by its IANA Private Enterprise Number.
MANUFACTURERS = {25882: "Impinj", 161: "Zebra", 24831: "Sirit", 21840: "Alien"}

#: The ``C1G2PC`` TV parameter (type 12), which sllurp 3.0 lists but leaves undecoded.
TV_C1G2PC = 12


def sllurp_llrp() -> Any:
    """sllurp's message codec, imported when an LLRP reader is first used (GPL-3.0: see
    pyproject.toml; kiosks without a UHF reader never load it)."""
    try:
        from sllurp import llrp
    except ImportError as exc:  # pragma: no cover - the dependency is declared
        raise DeviceGone("the LLRP driver needs the 'sllurp' package (pip install sllurp)") from exc
    return llrp


def read_llrp_message(transport: TcpTransport, deadline: float) -> bytes:
    """Exactly one LLRP message, sized by its header's length field."""
    head = transport.read_exact(HEADER_SIZE, deadline)
    version = (head[0] >> 2) & 0x7
    length = int.from_bytes(head[2:6], "big")
    if version not in (1, 2) or not HEADER_SIZE <= length <= MAX_MESSAGE:
        raise FrameError(f"not an LLRP message header: {head.hex()}")
    return head + transport.read_exact(length - HEADER_SIZE, deadline)


def inventory_rospec(antennas: tuple[int, ...], inventory_ms: int) -> dict[str, Any]:
    """One inventory round of ``inventory_ms`` started by START_ROSPEC, reporting every
    tag's EPC and PC bits at its end."""
    rospec = sllurp_llrp().LLRPROSpec(
        None,
        ROSPEC_ID,
        antennas=antennas,
        # Session 0: a tag's inventoried flag falls back as soon as the field stops, so
        # every poll sees every tag (sessions 2-3 keep it for seconds: tags would seem
        # to leave the pad between polls)
        session=0,
        tag_content_selector={
            "EnableTagSeenCount": False,
            "EnablePeakRSSI": False,
            "EnableLastSeenTimestamp": False,
            "C1G2EPCMemorySelector": {"EnableCRC": False, "EnablePCBits": True},
        },
    )
    # started by START_ROSPEC, one inventory round of inventory_ms, one report at its end
    rospec["ROBoundarySpec"]["ROSpecStartTrigger"]["ROSpecStartTriggerType"] = "Null"
    rospec["AISpec"][0]["AISpecStopTrigger"] = {
        "AISpecStopTriggerType": "Duration",
        "DurationTriggerValue": inventory_ms,
    }
    rospec["ROReportSpec"]["ROReportTrigger"] = "Upon_N_Tags_Or_End_Of_ROSpec"
    spec = rospec["AISpec"][0]["InventoryParameterSpec"][0]
    for antenna in spec["AntennaConfiguration"]:
        # the reader's own power and channel settings apply (its web tool sets them);
        # sllurp's placeholder power index 0 is not a valid index on every reader
        antenna.pop("RFTransmitter", None)
    return dict(rospec)


def access_spec(uid: bytes, op: dict[str, Any]) -> dict[str, Any]:
    """An AccessSpec running ``op`` once on the tag whose EPC is ``uid`` (a C1G2TargetTag
    matching the whole EPC), reported with the tag."""
    return {
        "AccessSpecID": ACCESSSPEC_ID,
        "AntennaID": 0,
        "ProtocolID": EPC_GEN2,
        "CurrentState": False,
        "ROSpecID": 0,
        "AccessSpecStopTrigger": {"AccessSpecStopTriggerType": 1, "OperationCountValue": 1},
        "AccessCommand": {
            "TagSpecParameter": {
                "C1G2TagSpec": {
                    "C1G2TargetTag": [
                        {
                            "MB": MB_EPC,
                            "M": True,
                            "Pointer": EPC_BIT_POINTER,
                            "TagMask": "ff" * len(uid),
                            "TagData": uid.hex(),
                        }
                    ]
                }
            },
            "OpSpecParameter": [op],
        },
        "AccessReportSpec": {"AccessReportTrigger": 1},
    }


def read_op(bank: int, word_pointer: int, words: int) -> dict[str, Any]:
    """A C1G2Read of ``words`` words (0: to the end of the bank) from ``word_pointer``."""
    return {
        "C1G2Read": {
            "OpSpecID": 1,
            "AccessPassword": 0,
            "MB": bank,
            "WordPtr": word_pointer,
            "WordCount": words,
        }
    }


def decode_message(frame: bytes) -> dict[str, Any]:
    """One LLRP message as sllurp decodes it: {name: body}."""
    try:
        message = sllurp_llrp().LLRPMessage(msgbytes=frame)
    except Exception as exc:  # sllurp raises LLRPError, KeyError, struct.error...
        raise FrameError(f"undecodable LLRP message {frame[:12].hex()}: {exc}") from exc
    return dict(message.msgdict)


def check_status(name: str, body: dict[str, Any]) -> None:
    """Raise unless the response's LLRPStatus says Success."""
    status = body.get("LLRPStatus", {})
    code = status.get("StatusCode")
    if code == "Success":
        return
    text = status.get("ErrorDescription", b"")
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if code == "M_UnsupportedMessage":
        raise UnsupportedOperation(f"{name}: {code} {text}".strip())
    raise FrameError(f"{name}: the reader says {code} {text}".strip())


def rospec_ended(event: dict[str, Any]) -> bool:
    data = event.get("ReaderEventNotificationData", {})
    rospec = data.get("ROSpecEvent") if isinstance(data, dict) else None
    return isinstance(rospec, dict) and rospec.get("EventType") == "End_of_ROSpec"


def report_epc(report: dict[str, Any]) -> bytes:
    value = report.get("EPC") or report.get("EPC-96") or b""
    try:
        return bytes.fromhex(value.decode() if isinstance(value, bytes) else str(value))
    except ValueError as exc:
        raise FrameError(f"the report's EPC {value!r} is not hex") from exc


def report_pc_bits(report: dict[str, Any]) -> int | None:
    """The PC word a report carries, where the reader was asked for it (EnablePCBits)."""
    if isinstance(report.get("C1G2PC"), int):
        return int(report["C1G2PC"])
    for unknown in report.get("SllurpDecodeError", []):
        if isinstance(unknown, dict) and unknown.get("Type") == TV_C1G2PC:
            data = unknown.get("Data", b"")
            if len(data) == 2:
                return int.from_bytes(data, "big")
    return None
