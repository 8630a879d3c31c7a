"""``shufang tag``: decode tag memory a technician read, or encode the bytes to write on a tag."""

from __future__ import annotations

import argparse
import json
import re

from kiosk.cli.common import Subcommands, fail
from kiosk.tags import (
    WRITABLE_FORMATS,
    TagDecodeError,
    TagEncodeError,
    decode,
    dsfid_for,
    encode,
)
from kiosk.tags.uhf import decode_uhf

_SEPARATORS = re.compile(r"[\s:,-]+")


def register(subparsers: Subcommands) -> None:
    parser = subparsers.add_parser(
        "tag",
        help="decode and encode library RFID tag data",
        description="Read and write ISO 28560-2, ISO 28560-3 and Danish Data Model 1.0 tag "
        "data; recognise 3M and blank tags; read UHF tags (ISO/TS 28560-4, GB/T 35660.3). "
        "Prints JSON.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    reader = actions.add_parser(
        "decode",
        help="decode tag memory given as hex",
        description="Decode tag memory (as a reader returned it) and print what it says, "
        "with a warning for everything that had to be assumed.",
    )
    reader.add_argument(
        "hex",
        metavar="HEX",
        nargs="*",
        help="HF tag memory in hex; spaces and colons are ignored",
    )
    reader.add_argument(
        "--uhf",
        metavar="HEX",
        help="a UHF tag (ISO/TS 28560-4, GB/T 35660.3): its EPC bank from word 0 (CRC, PC, "
        "UII), or the PC word and UII, or the UII alone",
    )
    reader.add_argument("--user", metavar="HEX", help="with --uhf: the tag's user memory")
    reader.add_argument(
        "--dsfid", metavar="N", help="DSFID the reader reported, e.g. 0x3E, 0x06 or 0"
    )
    reader.add_argument(
        "--block-size", type=int, default=4, metavar="N", help="tag block size (default 4)"
    )
    reader.set_defaults(func=run_decode)

    writer = actions.add_parser(
        "encode",
        help="print the bytes to write for an item",
        description="Encode item data strictly and print the hex to write, the DSFID to "
        "write with it, and the data read back from those bytes.",
    )
    writer.add_argument(
        "--format", required=True, choices=WRITABLE_FORMATS, help="data model to write"
    )
    writer.add_argument("--pii", required=True, help="primary item identifier (barcode)")
    writer.add_argument("--isil", help="owner library ISIL, e.g. CN-110000-1")
    writer.add_argument("--country", help="ddm1 only: owner country code, e.g. DK")
    writer.add_argument("--library", help="ddm1 only: owner library id, e.g. 718500")
    writer.add_argument("--set", metavar="K/N", help="part K of a set of N items, e.g. 1/2")
    writer.add_argument(
        "--type-of-usage", metavar="N", help="type of usage (fixed formats: 0-15; default 1)"
    )
    writer.add_argument(
        "--size",
        type=int,
        metavar="BYTES",
        help="tag memory to fill: 32 (truncated basic block), 34, or more",
    )
    writer.add_argument(
        "--block-size", type=int, default=4, metavar="N", help="tag block size (default 4)"
    )
    writer.add_argument(
        "--align", action="store_true", help="28560-2: start each element on a block boundary"
    )
    writer.set_defaults(func=run_encode)


def run_decode(args: argparse.Namespace) -> int:
    if args.uhf is not None:
        return _decode_uhf(args)
    if args.user is not None:
        return fail("tag decode: --user goes with --uhf")
    if not args.hex:
        return fail("tag decode: give the tag memory as HEX, or a UHF tag with --uhf HEX")
    try:
        data = _hex(" ".join(args.hex))
        dsfid = None if args.dsfid is None else _number(args.dsfid, "--dsfid")
        tag = decode(data, dsfid=dsfid, block_size=args.block_size)
    except (TagDecodeError, ValueError) as error:
        return fail(f"tag decode: {error}")
    _print(tag.to_json_dict())
    return 0


def _decode_uhf(args: argparse.Namespace) -> int:
    if args.hex:
        return fail("tag decode: give HF tag memory or --uhf, not both")
    try:
        epc = _hex(args.uhf)
        user = None if args.user is None else _hex(args.user)
        tag = decode_uhf(epc, user)
    except (TagDecodeError, ValueError) as error:
        return fail(f"tag decode: {error}")
    _print(tag.to_json_dict())
    return 0


def run_encode(args: argparse.Namespace) -> int:
    fields: dict[str, object] = {"pii": args.pii}
    for name in ("isil", "country", "library", "set"):
        if getattr(args, name) is not None:
            fields[name] = getattr(args, name)
    try:
        if args.type_of_usage is not None:
            fields["type_of_usage"] = _number(args.type_of_usage, "--type-of-usage")
        data = encode(
            format=args.format,
            size=args.size,
            block_size=args.block_size,
            align=args.align,
            **fields,
        )
        dsfid = dsfid_for(args.format)
        written = decode(data, dsfid=dsfid, block_size=args.block_size)
    except (TagEncodeError, TagDecodeError, ValueError) as error:
        return fail(f"tag encode: {error}")
    report = written.to_json_dict()
    report["format"] = args.format
    report["hex"] = data.hex().upper()
    report["dsfid"] = dsfid
    _print(report)
    return 0


def _hex(text: str) -> bytes:
    cleaned = _SEPARATORS.sub("", text)
    if cleaned[:2].lower() == "0x":
        cleaned = cleaned[2:]
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        raise ValueError(f"{text!r} is not hex bytes (pairs of 0-9 A-F, spaces allowed)") from None


def _number(text: str, option: str) -> int:
    """Decimal or 0x-prefixed hex; bare hex with letters (3E) is accepted too."""
    try:
        return int(text, 0)
    except ValueError:
        pass
    try:
        return int(text, 16)
    except ValueError:
        raise ValueError(f"{option} {text!r} is not a number (use 62 or 0x3E)") from None


def _print(report: dict[str, object]) -> None:
    print(json.dumps(report, ensure_ascii=False, indent=2))
