"""ISO/TS 28560-4 (China: GB/T 35660.3) UHF library tags: EPC bank (PC word, UII) and user memory.

An ISO/IEC 18000-63 tag keeps the item's identity in its EPC bank (MB01)::

    word 0   StoredCRC: CRC-16 over the PC word and the UII (the tag computes it)
    word 1   PC word:  bits 15-11 L, the UII length in words
                       bit 10 UMI (user memory holds data), bit 9 XI (an XPC word follows)
                       bit 8 T, the toggle: 1 = an ISO UII, whose low byte is an ISO AFI;
                       0 = a GS1 EPC with EPCglobal attribute bits
    word 2.. the UII, L words

The UII is the owner library's ISIL, a dot, and the primary item identifier ("OI.PII", e.g.
``CN-110000-1.12345678``), or the PII alone when the owner is given in user memory. It is
written in URN Code 40 (:mod:`kiosk.tags.urn40`: three characters to a 16-bit word, long
numeric strings for runs of digits, escapes for the rest).

User memory (MB11) holds a DSFID byte (0x06) and ISO 28560-2 data sets without the PII
(:mod:`kiosk.tags.iso28560_2` reads and writes them), starting with the content parameter.

Security is the AFI in the PC word (T = 1): like the AFI of an HF tag, its values are policy.
Decoding is lenient (every assumption becomes a warning); encoding is strict.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from kiosk.tags.crc import crc16_epc
from kiosk.tags.detect import blank_fill
from kiosk.tags.errors import TagDecodeError, TagEncodeError
from kiosk.tags.isil import validate_isil
from kiosk.tags.iso28560_2 import decode_object, encode_object
from kiosk.tags.model import TagData
from kiosk.tags.urn40 import split_uii, uii_compact, uii_expand

FORMAT = "28560-4"
#: The DSFID that starts an ISO/TS 28560-4 tag's user memory: ISO 28560-2 data sets.
DSFID_USER = 0x06
#: Longest UII an EPC bank can hold: the PC word's 5-bit length counts at most 31 words.
MAX_UII_WORDS = 31
#: Where Gen2 puts the first XPC word (bank word 0x21) when the XI bit is set.
XPC_W1_BYTE = 0x42

# --- the PC word -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProtocolControl:
    """The PC word of an EPC bank, split into its fields."""

    length_words: int
    umi: bool
    xi: bool
    toggle: bool
    low_byte: int  # the ISO AFI when ``toggle``; EPCglobal attribute bits otherwise

    @classmethod
    def from_word(cls, word: int) -> ProtocolControl:
        return cls(
            word >> 11, bool(word & 0x400), bool(word & 0x200), bool(word & 0x100), word & 0xFF
        )

    @property
    def word(self) -> int:
        return (
            (self.length_words << 11)
            | (self.umi << 10)
            | (self.xi << 9)
            | (self.toggle << 8)
            | self.low_byte
        )

    @property
    def afi(self) -> int | None:
        return self.low_byte if self.toggle else None


def pc_with_afi(pc_word: int, afi: int) -> int:
    """The PC word with its AFI replaced (and the toggle set): what a security write stores."""
    if not 0 <= afi <= 0xFF:
        raise TagEncodeError(f"AFI {afi!r} must be 0-255")
    return (pc_word & 0xFE00) | 0x100 | afi


# --- decoding ----------------------------------------------------------------------------------


def decode_uhf(epc: bytes, user: bytes | None = None, *, layout: str = "auto") -> TagData:
    """Read an ISO/TS 28560-4 tag: its EPC bank (or the PC word and UII, or the UII alone)
    and, when read, its user memory. Anything unreadable raises TagDecodeError only.

    ``layout`` says what ``epc`` starts with: ``bank`` (StoredCRC, PC word, UII, as a read of
    MB01 from word 0 returns it), ``pc`` (the PC word, then the UII, as LLRP reports it with
    its PC bits), ``uii`` (the UII only) or ``auto`` (judged from the lengths and the CRC).
    """
    try:
        return _decode(bytes(epc), None if user is None else bytes(user), layout)
    except TagDecodeError:
        raise
    except Exception as exc:  # the contract: garbage gives TagDecodeError, nothing else
        raise TagDecodeError(f"UHF tag data could not be decoded ({exc})") from exc


def _decode(epc: bytes, user: bytes | None, layout: str) -> TagData:
    if layout not in ("auto", "bank", "pc", "uii"):
        raise TagDecodeError(f"layout {layout!r} must be auto, bank, pc or uii")
    warnings: list[str] = []
    if layout == "auto":
        layout = _guess_layout(epc, warnings)
    info: dict[str, Any] = {"layout": layout}
    pc: ProtocolControl | None = None
    if layout == "bank":
        if len(epc) < 4:
            raise TagDecodeError(f"an EPC bank needs its CRC and PC words; {len(epc)} bytes read")
        pc = ProtocolControl.from_word(int.from_bytes(epc[2:4], "big"))
        body = epc[4:]
    elif layout == "pc":
        if len(epc) < 2:
            raise TagDecodeError("no PC word was read (under 2 bytes)")
        pc = ProtocolControl.from_word(int.from_bytes(epc[:2], "big"))
        body = epc[2:]
    else:
        body = epc
    uii = body
    if pc is not None:
        info.update(
            pc=f"{pc.word:04X}",
            length_words=pc.length_words,
            umi=pc.umi,
            xi=pc.xi,
            toggle=pc.toggle,
            afi=pc.afi,
        )
        if not pc.toggle:
            info["epc_attributes"] = pc.low_byte
            warnings.append(
                "the PC word's toggle bit is 0: the tag says it holds a GS1 EPC, not an "
                "ISO UII; read as ISO/TS 28560-4 anyway"
            )
        wanted = 2 * pc.length_words
        uii = body[:wanted]
        if len(body) < wanted:
            warnings.append(
                f"the PC word says the UII has {pc.length_words} words but only "
                f"{len(body)} bytes were read; the UII may be cut short"
            )
        rest = body[wanted:]
        if pc.xi and layout == "bank" and len(epc) >= XPC_W1_BYTE + 2:
            info["xpc_w1"] = epc[XPC_W1_BYTE : XPC_W1_BYTE + 2].hex().upper()
        elif any(rest):
            warnings.append(f"{len(rest)} bytes after the UII are not zero; ignored")
        if layout == "bank":
            stored = int.from_bytes(epc[:2], "big")
            computed = crc16_epc(epc[2 : 4 + wanted])
            info["crc_ok"] = stored == computed
            if stored == 0:
                info["crc_ok"] = None  # many tools hand over the bank without the CRC
                warnings.append("the stored CRC is 0x0000: not given, not checked")
            elif stored != computed:
                warnings.append(
                    f"the stored CRC 0x{stored:04X} does not match the PC word and UII "
                    f"(0x{computed:04X}); the read may be corrupt"
                )
    if not uii or blank_fill(uii) is not None:
        raise TagDecodeError("the UII is empty: a blank UHF tag or not an ISO/TS 28560-4 tag")
    text = uii_expand(uii, warnings)
    info["uii"] = text
    owner, pii = split_uii(text)
    tag = TagData(format=FORMAT, pii=pii, isil=owner, crc_ok=info.get("crc_ok"), uhf=info)
    if any(ord(c) < 0x20 for c in pii):
        warnings.append(f"the PII {pii!r} holds control characters")
    if user is not None:
        _read_user(tag, user, pc, warnings)
    elif pc is not None and pc.umi:
        info["user_memory"] = "not read"
    tag.warnings = warnings + tag.warnings
    return tag


def _guess_layout(epc: bytes, warnings: list[str]) -> str:
    def fits(at: int, exact: bool) -> bool:
        if len(epc) < at + 2:
            return False
        pc = ProtocolControl.from_word(int.from_bytes(epc[at : at + 2], "big"))
        body = len(epc) - at - 2
        size = 2 * pc.length_words
        return pc.length_words > 0 and (size == body if exact else size <= body)

    if fits(2, exact=False):
        length = 2 * (epc[2] >> 3)
        if int.from_bytes(epc[:2], "big") == crc16_epc(epc[2 : 4 + length]):
            return "bank"
    if fits(0, exact=True) and epc[0] & 0x01:
        return "pc"
    if fits(2, exact=True) and epc[2] & 0x01:
        return "bank"
    warnings.append(
        "no PC word found (neither the first nor the second word gives the UII's length): "
        "read as the UII alone"
    )
    return "uii"


def _read_user(tag: TagData, user: bytes, pc: ProtocolControl | None, warnings: list[str]) -> None:
    info = tag.uhf if tag.uhf is not None else {}
    if not user or blank_fill(user) is not None:
        info["user_memory"] = "blank"
        if pc is not None and pc.umi:
            warnings.append("the PC word's UMI bit says user memory holds data, but it is blank")
        return
    info["user_memory"] = "read"
    tag.dsfid = user[0]
    if user[0] != DSFID_USER:
        warnings.append(
            f"user memory starts with DSFID 0x{user[0]:02X}, not 0x06; read as ISO 28560-2 "
            "data sets anyway"
        )
    if pc is not None and not pc.umi:
        warnings.append("the PC word's UMI bit is 0 but user memory holds data; read it")
    try:
        data = decode_object(user[1:], strict=False, without_pii=True)
    except TagDecodeError as exc:
        warnings.append(f"user memory could not be read: {exc}")
        return
    if data.pii and data.pii != tag.pii:
        warnings.append(f"user memory's PII {data.pii!r} differs from the UII's {tag.pii!r}")
    if data.isil:
        if tag.isil is None:
            tag.isil = data.isil
        elif data.isil != tag.isil:
            warnings.append(
                f"user memory names owner {data.isil!r}, the UII {tag.isil!r}; the UII's is used"
            )
    tag.set, tag.type_of_usage = data.set, data.type_of_usage
    tag.elements = data.elements
    tag.warnings.extend(f"user memory: {w}" for w in data.warnings)


# --- encoding ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UhfEncoding:
    """What to write on a UHF tag: the EPC bank from word 0 (CRC, PC, UII) and user memory."""

    epc_bank: bytes
    user: bytes

    @property
    def pc_and_uii(self) -> bytes:
        """Words 1.. of the EPC bank: what a reader writes (the tag computes its own CRC)."""
        return self.epc_bank[2:]

    @property
    def pc_word(self) -> int:
        return int.from_bytes(self.epc_bank[2:4], "big")


def encode_uhf(
    tag: TagData | None = None,
    /,
    *,
    afi: int,
    isil_in_uii: bool = True,
    user_size: int | None = None,
    **fields: Any,
) -> UhfEncoding:
    """Encode strictly for an ISO/TS 28560-4 tag; bad data raises TagEncodeError.

    ``afi`` goes in the PC word (the security state: policy values, as on HF tags).
    ``isil_in_uii`` writes "ISIL.PII" as the UII (GB/T 35660.3 practice); otherwise the ISIL
    goes to user memory. Set information, type of usage and other elements go to user memory
    (``user_size`` bytes, default just enough); without any, user memory stays empty and
    the UMI bit 0.
    """
    if tag is None:
        tag = TagData(format=FORMAT, **fields)
    elif fields:
        tag = dataclasses.replace(tag, **fields)
    pii = tag.pii
    if not pii or not isinstance(pii, str) or pii != pii.strip():
        raise TagEncodeError("a PII without leading or trailing spaces is required")
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in pii):
        raise TagEncodeError(f"PII {pii!r} holds a control character")
    owner = validate_isil(tag.isil) if tag.isil else None
    uii_text = f"{owner}.{pii}" if owner and isil_in_uii else pii
    if split_uii(uii_text) != ((owner, pii) if owner and isil_in_uii else (None, pii)):
        raise TagEncodeError(
            f"the UII {uii_text!r} would read back as owner {split_uii(uii_text)[0]!r} and "
            f"PII {split_uii(uii_text)[1]!r}: write the owner's ISIL into the UII"
        )
    uii = uii_compact(uii_text)
    if len(uii) // 2 > MAX_UII_WORDS:
        raise TagEncodeError(
            f"the UII {uii_text!r} takes {len(uii) // 2} words; an EPC bank holds {MAX_UII_WORDS}"
        )
    rest = dataclasses.replace(tag, pii=None, isil=None if isil_in_uii else owner)
    has_user = bool(rest.isil or rest.set or rest.type_of_usage is not None or rest.elements)
    user = b""
    if has_user:
        # block size 1: the data sets and their terminator, nothing after
        user = bytes([DSFID_USER]) + encode_object(rest, block_size=1, without_pii=True)
        user += bytes(len(user) % 2)
        if user_size is not None:
            if not isinstance(user_size, int) or user_size < len(user) or user_size % 2:
                raise TagEncodeError(
                    f"user memory of {user_size!r} bytes cannot hold the {len(user)} bytes "
                    "of data (sizes are whole words)"
                )
            user += bytes(user_size - len(user))
    if not isinstance(afi, int) or isinstance(afi, bool) or not 0 <= afi <= 0xFF:
        raise TagEncodeError(f"AFI {afi!r} must be 0-255")
    pc = ProtocolControl(len(uii) // 2, has_user, False, True, afi).word
    stored = pc.to_bytes(2, "big") + uii
    return UhfEncoding(crc16_epc(stored).to_bytes(2, "big") + stored, user)
