"""``shufang tag decode`` and ``shufang tag encode``: JSON out, exit code 2 with a clear message."""

from __future__ import annotations

import json

import pytest

from kiosk.cli import main

from .vectors import ANNEX_B1, DDM_EXAMPLE

B1_SPACED = ANNEX_B1.hex(" ").upper()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict | None, str]:
    code = main(["tag", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def test_decode_prints_the_fields_as_json(capsys):
    code, report, err = run(capsys, "decode", ANNEX_B1.hex(), "--dsfid", "0x3E")
    assert code == 0 and err == ""
    assert report["format"] == "28560-3"
    assert report["pii"] == "1000000056"
    assert report["isil"] == "DK-718500"
    assert report["set"] == {"part": 1, "of": 1}
    assert report["type_of_usage"] == 1
    assert report["crc_ok"] is True
    assert report["warnings"] == []


def test_decode_takes_spaced_hex_and_reports_assumptions(capsys):
    code, report, _ = run(capsys, "decode", *B1_SPACED.split(), "--dsfid", "0")
    assert code == 0
    assert report["format"] == "28560-3"
    assert "assumed ISO 28560-3" in report["warnings"][0]


def test_decode_without_dsfid_reads_ddm(capsys):
    code, report, _ = run(capsys, "decode", DDM_EXAMPLE.hex())
    assert code == 0
    assert (report["format"], report["country"], report["library"]) == ("ddm1", "DE", "705")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["decode", "xyz"], "not hex bytes"),
        (["decode", "123"], "not hex bytes"),
        (["decode", "00"], None),  # a blank byte is not an error
        (["decode", "DEADBEEF"], "unrecognised tag content"),
        (["decode", ANNEX_B1.hex(), "--dsfid", "sixty"], "--dsfid 'sixty' is not a number"),
        (["decode", ANNEX_B1.hex(), "--dsfid", "300"], "not a byte value"),
    ],
)
def test_decode_errors_exit_2_with_a_message(capsys, argv, message):
    code, report, err = run(capsys, *argv)
    if message is None:
        assert code == 0 and report["format"] == "blank"
    else:
        assert code == 2 and report is None
        assert err.startswith("shufang: tag decode: ") and message in err


def test_encode_28560_3_prints_hex_and_read_back(capsys):
    code, report, _ = run(
        capsys,
        "encode",
        "--format", "28560-3",
        "--pii", "1000000056",
        "--isil", "DK-718500",
        "--set", "1/1",
        "--size", "32",
    )  # fmt: skip
    assert code == 0
    assert report["hex"] == ANNEX_B1.hex().upper()
    assert report["dsfid"] == 0x3E
    assert (report["format"], report["pii"], report["crc_ok"]) == ("28560-3", "1000000056", True)


def test_encode_28560_2_with_chinese_isil_and_set(capsys):
    code, report, _ = run(
        capsys,
        "encode",
        "--format", "28560-2",
        "--pii", "31000001234567",
        "--isil", "CN-110000-1",
        "--set", "1/2",
        "--type-of-usage", "0x10",
    )  # fmt: skip
    assert code == 0
    assert report["dsfid"] == 0x06
    assert report["set"] == {"part": 1, "of": 2}
    assert report["isil"] == "CN-110000-1" and report["type_of_usage"] == 16
    assert report["warnings"] == []
    assert bytes.fromhex(report["hex"])[:2] == bytes([0x11, 0x06])


def test_encode_ddm1_from_country_and_library(capsys):
    code, report, _ = run(
        capsys, "encode", "--format", "ddm1", "--pii", "11223344",
        "--country", "DE", "--library", "705", "--size", "32",
    )  # fmt: skip
    assert code == 0 and report["hex"] == DDM_EXAMPLE.hex().upper()
    assert report["format"] == "ddm1"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format", "28560-3", "--pii", "12345678901234567"], "at most 16"),
        (["--format", "28560-2", "--pii", "1", "--isil", "CN110000"], "PREFIX-identifier"),
        (["--format", "28560-2", "--pii", "1", "--set", "3/2"], "part <= of"),
        (["--format", "28560-2", "--pii", "1", "--set", "half"], "K/N"),
        (["--format", "28560-3", "--pii", "1", "--size", "16"], "32-byte tag"),
        (["--format", "28560-3", "--pii", "1", "--type-of-usage", "x"], "not a number"),
    ],
)
def test_encode_errors_exit_2_with_a_message(capsys, argv, message):
    code, report, err = run(capsys, "encode", *argv)
    assert code == 2 and report is None
    assert err.startswith("shufang: tag encode: ") and message in err


def test_unknown_format_is_refused_by_argparse(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["tag", "encode", "--format", "3m", "--pii", "1"])
    assert caught.value.code == 2
    assert "invalid choice: '3m'" in capsys.readouterr().err


def test_every_tag_subcommand_has_help(capsys):
    for argv in (["tag", "--help"], ["tag", "decode", "--help"], ["tag", "encode", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        assert capsys.readouterr().out.strip()


# --- UHF (ISO/TS 28560-4) ----------------------------------------------------------------

UHF_BANK = "0000 45C2 141C C04F C70B ADB5 C6E2 DA1D ED4D D319"  # dp2's test, ISO/TS 28560-4 p. 49
UHF_USER = "06 02 01 D0 14 02 04B3 4607 441C B6E2 E335 D653 08AB 4D6C 9DD5 56CD EB00"


def test_decode_uhf_prints_owner_pii_and_pc_word(capsys):
    code, report, err = run(capsys, "decode", "--uhf", UHF_BANK)
    assert code == 0 and err == ""
    assert report["format"] == "28560-4"
    assert (report["isil"], report["pii"]) == ("CH-000134-1", "12345678.31")
    assert report["uhf"]["afi"] == 0xC2 and report["uhf"]["pc"] == "45C2"


def test_decode_uhf_with_user_memory(capsys):
    code, report, _ = run(capsys, "decode", "--uhf", UHF_BANK[5:], "--user", UHF_USER)
    assert code == 0
    assert report["elements"]["shelf_location"] == "QA268.L55"
    assert report["dsfid"] == 6


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["decode"], "give the tag memory"),
        (["decode", "--user", "06"], "--user goes with --uhf"),
        (["decode", "0011", "--uhf", UHF_BANK], "not both"),
        (["decode", "--uhf", "zz"], "not hex bytes"),
        (["decode", "--uhf", "0000"], "tag decode:"),
    ],
)
def test_decode_uhf_errors_exit_2(capsys, argv, message):
    code, report, err = run(capsys, *argv)
    assert code == 2 and report is None
    assert message in err
