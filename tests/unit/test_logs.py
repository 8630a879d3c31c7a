"""`shufang run` and `shufang sync` log to stderr in a form the journal files by priority
(issue #15: `shufang run` set up no logging, so its warnings vanished)."""

from __future__ import annotations

import io
import logging
import subprocess
import sys

from kiosk.cli.logs import setup_logging


def test_under_systemd_lines_carry_the_sd_daemon_priority_and_no_time() -> None:
    out = io.StringIO()
    setup_logging(stream=out, environ={"JOURNAL_STREAM": "8:12345"})
    try:
        logging.getLogger("shufang.test").warning("printer paper low")
        logging.getLogger("shufang.test").info("kiosk starting")
        logging.getLogger("shufang.test").debug("not shown at INFO")
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("shufang.test").exception("pass failed")
    finally:
        logging.getLogger().removeHandler(logging.getLogger().handlers[-1])
    lines = out.getvalue().splitlines()
    assert lines[:3] == ["<4>shufang.test: printer paper low", "<6>shufang.test: kiosk starting",
                         "<3>shufang.test: pass failed"]  # fmt: skip
    assert all(line.startswith("<3>") for line in lines[3:]) and "ValueError: boom" in lines[-1]


def test_at_a_desk_lines_carry_their_time() -> None:
    out = io.StringIO()
    setup_logging(stream=out, environ={})
    try:
        logging.getLogger("shufang.test").warning("hello")
    finally:
        logging.getLogger().removeHandler(logging.getLogger().handlers[-1])
    assert out.getvalue().rstrip().endswith("WARNING shufang.test: hello")
    assert out.getvalue()[:2] == "20"


def test_shufang_run_logs_a_config_warning_to_stderr(tmp_path) -> None:
    """A real `shufang run` process under a journal-like environment: its log reaches stderr
    with priorities before anything else happens (here: a config it refuses)."""
    config = tmp_path / "kiosk.toml"
    config.write_text("[kiosk]\nid = 'k1'\n")
    result = subprocess.run(
        [sys.executable, "-c",
         "import logging, sys; from kiosk.cli import main; from kiosk.cli import run as r;"
         "r.config_or_fail = lambda a: logging.getLogger('shufang.run').warning('w1') or 2;"
         "sys.exit(main(['run', '--config', sys.argv[1]]))", str(config)],
        capture_output=True, text=True, timeout=120,
        env={"JOURNAL_STREAM": "8:1", "PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert result.returncode == 2
    assert "<4>shufang.run: w1" in result.stderr


def test_verbose_logging_keeps_nfcpys_frames_and_their_card_numbers_out() -> None:
    out = io.StringIO()
    levels = logging.getLogger().level, logging.getLogger("nfc").level
    setup_logging(logging.DEBUG, stream=out, environ={"JOURNAL_STREAM": "8:1"})
    try:
        # what nfcpy's ContactlessFrontend.exchange logs for a resident ID card's answer
        logging.getLogger("nfc.clf").debug("<<< 0a1b2c3d4e5f60719000 0.012s")
        logging.getLogger("nfc.clf").warning("reader firmware answered late")
        logging.getLogger("drivers.card.nfc_reader").debug("card: sense failed")
    finally:
        logging.getLogger().removeHandler(logging.getLogger().handlers[-1])
        logging.getLogger().setLevel(levels[0])
        logging.getLogger("nfc").setLevel(levels[1])
    assert "0a1b2c3d" not in out.getvalue()
    assert out.getvalue().splitlines() == [
        "<4>nfc.clf: reader firmware answered late",
        "<7>drivers.card.nfc_reader: card: sense failed",
    ]
