"""The SIP2 client against pysip2's real server: login, resends, drops, silence, budgets."""

from __future__ import annotations

import contextlib
import logging
import ssl
import subprocess
import time

import pytest

from sync.sip2 import messages
from sync.sip2.client import Account, Sip2Client
from sync.sip2.errors import LoginRefused, Timeout, Unavailable
from sync.sip2.transport import Endpoint
from tests.sip2.conftest import make_client
from tests.sip2.faults import DamagingTransport
from tests.sip2.library import Library, RunningServer, build_app
from tests.sip2.scripted import ScriptedAcs


def item_info(pii: str = "1000001") -> messages.Message:
    return messages.request(
        "17", {"transaction_date": "20261124    100000"}, ("AO", "CITY"), ("AB", pii)
    )


def test_connect_logs_in_and_reads_the_acs_status(library: Library) -> None:
    running = RunningServer(build_app(library, login_required=True, offline_ok=False))
    running.start()
    try:
        client = make_client(running.port, login_user="kiosk", login_password="secret")
        status = client.connect()
        assert status.online and status.checkout_ok and not status.offline_ok
        assert status.institution_id == "CITY"
        assert status.supports("11") and not status.supports("37")
        assert client.exchange(item_info()).get("AJ") == "三体"
        client.close()
    finally:
        running.stop()


def test_a_wrong_login_is_refused_not_retried(library: Library) -> None:
    running = RunningServer(build_app(library, login_required=True))
    running.start()
    try:
        client = make_client(running.port, login_user="kiosk", login_password="wrong")
        with pytest.raises(LoginRefused):
            client.connect()
        with pytest.raises(LoginRefused):
            client.exchange(item_info())
        assert library.requests == 2  # one login per call, nothing more
    finally:
        running.stop()


def test_sequence_numbers_cycle_and_every_reply_matches(client: Sip2Client) -> None:
    for _ in range(12):
        reply = client.exchange(item_info())
        assert reply.sequence == client._sequence
    assert client.exchanges == 13  # 12 plus the status at connect


def test_a_96_from_the_acs_makes_the_client_resend_the_same_bytes(server: RunningServer) -> None:
    endpoint = Endpoint("127.0.0.1", server.port)
    transport = DamagingTransport(endpoint, damage_sends=1)
    client = Sip2Client(endpoint, Account(timeout_s=1.0), transport=transport)
    with contextlib.closing(client):
        assert client.exchange(item_info()).get("AJ") == "三体"
    item_frames = [f for f in transport.sent if f.startswith(b"17")]
    assert len(item_frames) == 2 and item_frames[0] == item_frames[1]


def test_a_reply_with_a_bad_checksum_is_asked_for_again_with_97(server: RunningServer) -> None:
    endpoint = Endpoint("127.0.0.1", server.port)
    transport = DamagingTransport(endpoint, damage_receives=1)
    client = Sip2Client(endpoint, Account(timeout_s=1.0), transport=transport)
    with contextlib.closing(client):
        assert client.exchange(item_info()).get("AJ") == "三体"
    assert any(f.startswith(b"97") for f in transport.sent)


def test_a_server_that_drops_the_connection_is_reconnected(
    server: RunningServer, client: Sip2Client
) -> None:
    client.connect()
    server.stop()
    server.start()  # same port: the library system restarted and closed every connection
    assert client.exchange(item_info()).get("AJ") == "三体"


def test_a_server_that_never_answers_times_out_and_the_request_is_sent_again(
    library: Library, client: Sip2Client
) -> None:
    client.connect()
    library.hang_requests = {library.requests + 1}
    started = time.monotonic()
    assert client.exchange(item_info()).get("AJ") == "三体"
    assert 0.4 < time.monotonic() - started < 3.0


def test_a_malformed_request_makes_pysip2_hang_up_and_the_client_recovers(
    client: Sip2Client,
) -> None:
    # a blank nb due date: pysip2 closes the connection without a reply (as real servers do)
    blank = messages.request(
        "11",
        {
            "sc_renewal_policy": "N",
            "no_block": "Y",
            "transaction_date": " " * 18,
            "nb_due_date": " " * 18,
        },
        ("AO", "CITY"),
        ("AA", "R0001"),
        ("AB", "1000001"),
        ("AC", ""),
    )
    with pytest.raises(Unavailable):
        client.exchange(blank)
    assert client.exchange(item_info()).get("AJ") == "三体"


def test_an_unreachable_acs_is_reported_unavailable_quickly(server: RunningServer) -> None:
    port = server.port
    server.stop()
    client = make_client(port)
    started = time.monotonic()
    with pytest.raises(Unavailable):
        client.exchange(item_info())
    assert time.monotonic() - started < 1.0


def test_the_latency_budget_bounds_a_slow_acs(library: Library, client: Sip2Client) -> None:
    client.connect()
    library.delay_s = 1.0
    started = time.monotonic()
    with pytest.raises(Timeout):
        client.exchange(item_info(), budget_s=0.3)
    assert time.monotonic() - started < 0.6


def test_logs_never_carry_patron_ids_pins_or_names(
    client: Sip2Client, caplog: pytest.LogCaptureFixture, server: RunningServer
) -> None:
    caplog.set_level(logging.DEBUG)
    ask = messages.request(
        "63",
        {"language": "000", "transaction_date": "20261124    100000", "summary": " " * 10},
        ("AO", "CITY"),
        ("AA", "R0001"),
        ("AD", "1234"),
    )
    client.exchange(ask)
    server.stop()
    server.start()
    client.exchange(ask)
    for secret in ("R0001", "1234", "Wang"):
        assert secret not in caplog.text


def test_tls_with_the_sites_ca_file(tmp_path, library: Library) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    running = RunningServer(build_app(library), tls=context)
    running.start()
    try:
        endpoint = Endpoint("127.0.0.1", running.port, tls=True, tls_ca_file=str(cert))
        client = Sip2Client(endpoint, Account(timeout_s=2.0))
        assert client.connect().online
        assert client.exchange(item_info()).get("AJ") == "三体"
        client.close()
        untrusted = Sip2Client(Endpoint("127.0.0.1", running.port, tls=True), Account())
        with pytest.raises(Unavailable):
            untrusted.connect()
    finally:
        running.stop()


def test_split_replies_crlf_terminators_and_unknown_fields_are_read_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)

    def answer(frame: bytes) -> list[bytes]:
        if frame.startswith(b"99"):
            return [
                b"98YYYYNY030003" + b"20261124    100000" + b"2.00AOCITY|BXYYYYYYYYYYYYYYYY|\r\n"
            ]
        # no checksum, a vendor field, split in three TCP segments, CR LF at the end
        return [b"18030201", b"20261124    100000AB1000001|AJ", b"Title|ZZvendor|XAsecret|\r\n"]

    acs = ScriptedAcs(answer)
    try:
        client = make_client(acs.port)
        for _ in range(3):
            reply = client.exchange(item_info())
            assert reply.get("AJ") == "Title" and reply.get("ZZ") == "vendor"
        unknown = [r for r in caplog.records if "unknown field" in r.getMessage()]
        assert len(unknown) == 2  # ZZ and XA, once each, values never logged
        assert "secret" not in caplog.text and "vendor" not in caplog.text
        client.close()
    finally:
        acs.close()


def test_a_reply_to_another_command_or_a_garbled_frame_never_crashes_the_client() -> None:
    def answer(frame: bytes) -> list[bytes]:
        if frame.startswith(b"99"):
            return [b"98YYYYNY030003" + b"20261124    100000" + b"2.00AOCITY|\r"]
        return [b"24bogus\r", b"\x00\xff\r", b"18030201" + b"20261124    100000AB1|AJok|\r"]

    acs = ScriptedAcs(answer)
    try:
        client = make_client(acs.port)
        assert client.exchange(item_info()).get("AJ") == "ok"
        client.close()
    finally:
        acs.close()
