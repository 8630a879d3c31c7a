"""What an LLRP client's ROSpec and AccessSpec ask the emulator for, parsed from their TLVs:
whether reports carry PC bits, and each AccessSpec's target tag and C1G2 op."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from drivers.rfid.emulators import llrp_wire as wire


@dataclass
class Access:
    """One AccessSpec as the client added it: the tag it targets and the one op it runs."""

    spec_id: int
    enabled: bool
    target_epc: bytes | None  # None: any tag
    op: tuple[int, int, int, int, bytes]  # kind, op id, bank, word pointer, count or data
    operations_left: int  # 0: no limit


def pc_bits_asked(rospec_rest: bytes) -> bool:
    """Whether any C1G2EPCMemorySelector under the ROSpec asks for PC bits (flag 0x40)."""
    for kind, body in wire.params(rospec_rest):
        if kind == wire.P_C1G2_EPC_MEMORY_SELECTOR:
            return bool(body[0] & 0x40)
        if kind in (wire.P_C1G2_READ, wire.P_C1G2_WRITE) or not body:
            continue
        if kind in _CONTAINERS:
            skip = _CONTAINERS[kind]
            try:
                if pc_bits_asked(body[skip:]):
                    return True
            except ValueError:
                continue
    return False


# ROReportSpec (237): trigger byte, N; TagReportContentSelector (238): two flag bytes
_CONTAINERS = {237: 3, 238: 2}


def parse_accessspec(spec: bytes) -> Access:
    spec_id, _antenna, _protocol, state, _rospec = struct.unpack_from(">IHBBI", spec)
    operations_left = 0
    target: bytes | None = None
    op: tuple[int, int, int, int, bytes] | None = None
    for kind, body in wire.params(spec[12:]):
        if kind == wire.P_ACCESS_STOP_TRIGGER:
            trigger, count = struct.unpack_from(">BH", body)
            operations_left = count if trigger == 1 else 0
        elif kind == wire.P_ACCESS_COMMAND:
            for inner, data in wire.params(body):
                if inner == wire.P_C1G2_TAG_SPEC:
                    target = target_epc(wire.find(data, wire.P_C1G2_TARGET_TAG) or b"")
                elif inner == wire.P_C1G2_READ:
                    op_id, _password, bank, pointer, count = struct.unpack_from(">HIBHH", data)
                    op = (wire.P_C1G2_READ, op_id, bank >> 6, pointer, count.to_bytes(2, "big"))
                elif inner == wire.P_C1G2_WRITE:
                    op_id, _password, bank, pointer, count = struct.unpack_from(">HIBHH", data)
                    payload = data[11 : 11 + 2 * count]
                    op = (wire.P_C1G2_WRITE, op_id, bank >> 6, pointer, payload)
    if op is None:
        raise ValueError("the AccessSpec holds no C1G2Read or C1G2Write")
    return Access(spec_id, bool(state & 0x80), target, op, operations_left)


def target_epc(target: bytes) -> bytes | None:
    """The EPC a C1G2TargetTag matches (EPC bank from bit 0x20, full mask), else None."""
    if not target:
        return None
    flags, pointer, mask_bits = struct.unpack_from(">BHH", target)
    mask_len = -(-mask_bits // 8)
    (data_bits,) = struct.unpack_from(">H", target, 5 + mask_len)
    data = target[7 + mask_len : 7 + mask_len + -(-data_bits // 8)]
    if flags >> 6 != wire.MB_EPC or pointer != 0x20 or not flags & 0x20:
        return None
    return data
