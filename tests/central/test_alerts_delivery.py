"""Delivery when a receiver fails: the failing channel gets the message at a later run, the
others never twice, and nothing stops the loop. Real receivers on 127.0.0.1: the robot webhook
server of ``alert_receivers`` (DingTalk's signature checked with OpenSSL) and aiosmtpd, also
over STARTTLS and implicit TLS with a certificate made here by OpenSSL and a login.

SMTP facts used (RFC 5321 replies, RFC 3207 STARTTLS, RFC 4954 AUTH LOGIN/PLAIN, RFC 2047
encoded words for a UTF-8 Subject): a 5xx reply to DATA is a refused message, a failed TLS
handshake or certificate check is a refused connection.
"""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sync.central.alerts import channels as channel_module
from sync.central.alerts import engine as alert_engine
from sync.central.alerts.channels import Message
from sync.central.alerts.settings import AlertSettings, SmtpSettings, parse
from sync.central.database import reading
from sync.central.server import free_port
from tests.fixtures.alert_receivers import DINGTALK_PATH, Mailbox, Receiver
from tests.fixtures.central import Central
from tests.fleet.fleetdata import beat, fault

TZ = ZoneInfo("Asia/Shanghai")
WINDOW = timedelta(minutes=3)
SECRET = "SECd1e2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7"


def run(central: Central, settings: AlertSettings, channels: list[Any] | None = None) -> Any:
    report = alert_engine.run_once(
        central.engine, central.clock.now(), TZ, settings,
        channels if channels is not None else channel_module.channels_for(settings), WINDOW,
    )  # fmt: skip
    assert report is not None
    return report


def paper_out(central: Central) -> Any:
    kiosk = central.enrol("xc-02", "西城书房")
    began = central.clock.now()
    beat(kiosk, devices={"printer": "error"},
         faults=[fault("printer", "paper_out", began, message="纸卷用完")])  # fmt: skip
    return kiosk, began


@pytest.mark.parametrize("failure", ["http_500", "errcode", "not_json", "refused"])
def test_a_failing_wecom_robot_gets_the_alert_later_and_the_others_only_once(
    central: Central, robots: Receiver, mailbox: tuple[Mailbox, int], failure: str
) -> None:
    box, smtp_port = mailbox
    robots.dingtalk_secret = SECRET
    wecom_port = free_port("127.0.0.1")
    wecom: Receiver | None = None
    if failure != "refused":  # else nothing listens there yet: connection refused
        wecom = Receiver(port=wecom_port)
        wecom.status, wecom.answer = {
            "http_500": (500, {"error": "internal"}),
            "errcode": (200, {"errcode": 45009, "errmsg": "api freq out of limit"}),
            "not_json": (200, None),
        }[failure]
    settings = parse({
        "wecom_webhooks": [f"http://127.0.0.1:{wecom_port}/cgi-bin/webhook/send?key=k"],
        "dingtalk": [{"url": robots.url(DINGTALK_PATH + "?access_token=t"), "secret": SECRET}],
        "smtp": {"host": "127.0.0.1", "port": smtp_port, "to": ["tech@example.cn"]},
    })  # fmt: skip
    kiosk, began = paper_out(central)
    try:
        for attempt in (1, 2):
            central.clock.advance(timedelta(minutes=1))
            report = run(central, settings)
            [name] = report.failed
            assert name.startswith("wecom:") and "key=k" not in report.failed[name]
            assert len(robots.dingtalk()) == 1 and len(box.messages) == 1, attempt
        assert robots.dingtalk()[0]["sign_ok"] is True
        if wecom is None:
            wecom = Receiver(port=wecom_port)
        failed_tries = len(wecom.requests)
        assert failed_tries == (0 if failure == "refused" else 2)
        wecom.status, wecom.answer = 200, {"errcode": 0, "errmsg": "ok"}
        central.clock.advance(timedelta(minutes=1))
        report = run(central, settings)
        assert not report.failed and list(report.sent) == [name], report
        [told] = wecom.wecom()[failed_tries:]
        assert "打印机缺纸" in told and "xc-02（西城书房）" in told and "新告警" in told
        central.clock.advance(timedelta(minutes=1))
        assert not run(central, settings).sent  # nothing new: nobody is told again
        # It clears: every channel is told once, the one that failed before too.
        beat(kiosk, faults=[fault("printer", "paper_out", began, cleared_at=central.clock.now())])
        assert run(central, settings).resolved == 1
        assert len(wecom.wecom()) == failed_tries + 2 and "已恢复" in wecom.wecom()[-1]
        assert len(robots.dingtalk()) == 2 and len(box.messages) == 2
        assert all(not r["problems"] for r in robots.requests + wecom.requests)
        with reading(central.engine) as conn:
            [episode] = alert_engine.history(conn)
            rows = alert_engine.deliveries(conn, [episode.id])[episode.id]
        tries = {(r.kind, r.channel.split(":")[0]): r.attempts for r in rows}
        assert tries == {
            ("opened", "wecom"): 3, ("opened", "dingtalk"): 1, ("opened", "smtp"): 1,
            ("resolved", "wecom"): 1, ("resolved", "dingtalk"): 1, ("resolved", "smtp"): 1,
        }  # fmt: skip
    finally:
        if wecom is not None:
            wecom.close()


def test_a_mail_server_that_refuses_the_message_gets_it_later(
    central: Central, robots: Receiver, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    box.refuse = "554 5.7.1 Message refused"
    settings = parse({
        "wecom_webhooks": [robots.url("/cgi-bin/webhook/send?key=k")],
        "smtp": {"host": "127.0.0.1", "port": port, "to": ["tech@example.cn", "duty@example.cn"],
                 "sender": "shufang@example.cn"},
    })  # fmt: skip
    paper_out(central)
    report = run(central, settings)
    assert "554" in next(iter(report.failed.values())) and len(robots.wecom()) == 1
    box.refuse = ""
    central.clock.advance(timedelta(minutes=1))
    assert not run(central, settings).failed
    [mail] = box.messages
    assert box.envelopes == [("shufang@example.cn", ["tech@example.cn", "duty@example.cn"])]
    assert len(robots.wecom()) == 1
    # UTF-8 all through, and the Subject in RFC 2047 words so any server takes it.
    assert mail["Subject"].startswith("书房设备告警：新告警 1 条")
    assert "=?utf-8?" in box.raw[0].split(b"\r\n\r\n", 1)[0].decode("ascii").lower()
    body = mail.get_content()
    assert "打印机缺纸" in body and "西城书房" in body and "请更换打印纸卷" in body


def test_a_channel_that_breaks_does_not_stop_the_others(central: Central, robots: Receiver) -> None:
    @dataclass
    class Broken:
        name: str = "broken:1"

        def send(self, message: Message) -> None:
            raise RuntimeError("https://example/webhook?key=SECRET-KEY went wrong")

    settings = parse({"wecom_webhooks": [robots.url("/cgi-bin/webhook/send?key=k")]})
    paper_out(central)
    report = run(central, settings, [Broken(), *channel_module.channels_for(settings)])
    assert report.failed == {"broken:1": "RuntimeError"}  # no URL (a key) in the record
    assert len(robots.wecom()) == 1


# --- SMTP with TLS and a login -----------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made by OpenSSL: the city's own CA."""
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture(params=["starttls", "ssl"])
def tls_mailbox(
    request: pytest.FixtureRequest, certificate: tuple[Path, Path]
) -> Iterator[tuple[Mailbox, int, str, list[tuple[str, str]]]]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[str, str]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        if isinstance(data, LoginPassword):
            logins.append((data.login.decode(), data.password.decode()))
            return AuthResult(success=data.password == "s3cret-口令".encode())
        return AuthResult(success=False)

    box = Mailbox()
    port = free_port("127.0.0.1")
    if request.param == "starttls":
        controller = Controller(
            box, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
            authenticator=authenticator, auth_required=True,
        )  # fmt: skip
    else:
        controller = Controller(
            box, hostname="127.0.0.1", port=port, ssl_context=context,
            server_hostname="127.0.0.1", authenticator=authenticator, auth_required=True,
            auth_require_tls=False,
        )  # fmt: skip
    controller.start()
    yield box, port, request.param, logins
    controller.stop()


def test_mail_goes_over_tls_with_a_login_and_an_unknown_certificate_is_refused(
    tls_mailbox: tuple[Mailbox, int, str, list[tuple[str, str]]],
    certificate: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    box, port, mode, logins = tls_mailbox
    password = tmp_path / "smtp-password"
    password.write_text("s3cret-口令\n", encoding="utf-8")
    base = SmtpSettings(
        "127.0.0.1", port, starttls=mode == "starttls", ssl=mode == "ssl",
        username="alerts", password_file=str(password), recipients=("tech@example.cn",),
    )  # fmt: skip
    message = Message("书房设备告警：新告警 1 条", "m", "西城书房 打印机缺纸")
    # No CA for the city's certificate: the certificate check refuses it, nothing is sent.
    with pytest.raises(channel_module.DeliveryError, match="SSLCertVerificationError"):
        channel_module.SmtpMailer(base, 5.0).send(message)
    assert box.messages == [] and logins == []
    trusted = SmtpSettings(**{**_fields(base), "cafile": str(certificate[0])})
    channel_module.SmtpMailer(trusted, 5.0).send(message)
    assert logins == [("alerts", "s3cret-口令")]
    [mail] = box.messages
    assert mail["Subject"] == "书房设备告警：新告警 1 条" and "打印机缺纸" in mail.get_content()
    wrong = tmp_path / "wrong"
    wrong.write_text("猜错了", encoding="utf-8")
    refused = SmtpSettings(**{**_fields(trusted), "password_file": str(wrong)})
    # (aiosmtpd 1.4 answers a refused login by waiting, so this ends in the timeout.)
    with pytest.raises(channel_module.DeliveryError, match=r"smtp:127\.0\.0\.1"):
        channel_module.SmtpMailer(refused, 2.0).send(message)
    assert len(box.messages) == 1


def _fields(settings: SmtpSettings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in SmtpSettings.__dataclass_fields__}


def test_smtp_settings_take_tls_and_a_ca_file() -> None:
    settings = parse({"smtp": {"host": "smtp.qiye.example", "port": 465, "ssl": True,
                               "cafile": "/etc/shufang/ca.pem", "to": ["a@b.cn"]}})  # fmt: skip
    assert settings.smtp is not None and settings.smtp.ssl and not settings.smtp.starttls
    assert settings.smtp.cafile == "/etc/shufang/ca.pem"
    with pytest.raises(ValueError, match="starttls or ssl, not both"):
        parse({"smtp": {"host": "m", "starttls": True, "ssl": True, "to": ["a@b.cn"]}})


def test_a_second_runner_waits_while_one_holds_the_run(central: Central, robots: Receiver) -> None:
    """The service and a ``run-once`` from cron at the same moment: one sends, the other
    steps aside (PostgreSQL's advisory lock; a lock file beside a SQLite database)."""
    import fcntl

    import sqlalchemy as sa

    settings = parse({"wecom_webhooks": [robots.url("/cgi-bin/webhook/send?key=k")]})
    paper_out(central)
    engine = central.engine
    if engine.dialect.name == "sqlite":
        holder: Any = open(f"{engine.url.database}.alerts-lock", "a+b")  # noqa: SIM115
        fcntl.flock(holder, fcntl.LOCK_EX)
    else:
        holder = engine.connect()
        holder.execute(sa.select(sa.func.pg_advisory_lock(alert_engine._LOCK_KEY)))
        holder.commit()
    try:
        assert alert_engine.run_once(
            engine, central.clock.now(), TZ, settings,
            channel_module.channels_for(settings), WINDOW,
        ) is None  # fmt: skip
        assert robots.requests == []
    finally:
        if engine.dialect.name != "sqlite":
            holder.execute(sa.select(sa.func.pg_advisory_unlock(alert_engine._LOCK_KEY)))
            holder.commit()
        holder.close()
    assert run(central, settings).opened == 1 and len(robots.wecom()) == 1


def test_the_alert_command_says_when_the_database_is_unreachable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kiosk.cli import main

    config = tmp_path / "central.toml"
    port = free_port("127.0.0.1")  # nothing listens there
    config.write_text(
        f'[database]\nurl = "postgresql+psycopg://nobody@127.0.0.1:{port}/none"\n'
        '[alerts]\nwecom_webhooks = ["http://127.0.0.1:9/cgi-bin/webhook/send?key=k"]\n',
        encoding="utf-8",
    )
    assert main(["central", "alerts", "run-once", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "cannot reach the database: OperationalError" in err and "Traceback" not in err
