"""Alerts against real receivers on 127.0.0.1: a webhook server speaking as WeCom's and
DingTalk's group robots answer, and an SMTP server (aiosmtpd). The central is live, on SQLite
and PostgreSQL, and the kiosks' state arrives through the real heartbeat API.

Formats checked here come from the vendors' documentation: WeCom robot
(developer.work.weixin.qq.com/document/path/91770: msgtype markdown, content ≤ 4096 bytes,
answer errcode 0) and DingTalk custom robot (open.dingtalk.com/document/robots/customize-robot-
security-settings: sign = urlencode(base64(HmacSHA256(key=secret, timestamp + "\\n" + secret))),
``&timestamp=&sign=`` on the URL, answer errcode 0). The DingTalk signature is verified with
OpenSSL's own HMAC (``openssl dgst``), not with our code.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest

from sync.central.alerts import channels as channel_module
from sync.central.alerts import engine as alert_engine
from sync.central.alerts.settings import AlertSettingsError, DingTalkRobot, SmtpSettings, parse
from sync.central.database import reading
from tests.fixtures.alert_receivers import Mailbox, Receiver, openssl_sign
from tests.fixtures.central import START, Central
from tests.fleet.fleetdata import beat, fault

TZ = ZoneInfo("Asia/Shanghai")
WINDOW = timedelta(minutes=3)
SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"


def settings_for(robots: Receiver, smtp_port: int | None = None, **extra: Any) -> Any:
    table: dict[str, Any] = {
        "wecom_webhooks": [robots.url("/cgi-bin/webhook/send?key=test-key")],
        "dingtalk": [{"url": robots.url("/robot/send?access_token=tok"), "secret": SECRET}],
        "page_url": "https://central.example",
        **extra,
    }
    if smtp_port:
        table["smtp"] = {"host": "127.0.0.1", "port": smtp_port, "to": ["tech@example.cn"],
                         "sender": "shufang@example.cn"}  # fmt: skip
    return parse(table)


def run(central: Central, settings: Any) -> alert_engine.RunReport:
    report = alert_engine.run_once(
        central.engine, central.clock.now(), TZ, settings,
        channel_module.channels_for(settings), WINDOW,
    )  # fmt: skip
    assert report is not None
    return report


def wecom(robots: Receiver) -> list[str]:
    return [r["body"]["markdown"]["content"] for r in robots.requests if "webhook" in r["path"]]


def dingtalk(robots: Receiver) -> list[dict[str, Any]]:
    return [r for r in robots.requests if r["path"] == "/robot/send"]


def test_each_rule_alerts_once_reminds_and_resolves_on_every_channel(
    central: Central, robots: Receiver, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    robots.dingtalk_secret = SECRET  # the receiver refuses a wrong signature, as DingTalk does
    settings = settings_for(robots, port)
    away, hurt, fine = central.enrol("dc-01", "东城书房"), central.enrol("xc-02", "西城书房"), None
    fine = central.enrol("hd-01", "海淀书房")
    central.clock.advance(-timedelta(minutes=20))
    beat(away)  # then silent for 20 minutes, at 10:00 local on a weekday: open hours
    central.clock.advance(timedelta(minutes=20))
    beat(fine)
    beat(
        hurt,
        devices={"rfid": "ready", "printer": "error"},
        faults=[fault("printer", "paper_out", central.clock.now(), message="纸卷用完")],
    )
    first = run(central, settings)
    assert first.opened == 2 and not first.failed and not first.quiet
    [text] = wecom(robots)
    assert "设备离线" in text and "dc-01（东城书房）" in text and "请检查设备电源和网络" in text
    assert "打印机缺纸" in text and "xc-02（西城书房）" in text and "hd-01" not in text
    assert "自 11-24 09:40" in text  # last heartbeat, in the city's local time
    assert "https://central.example/dashboard/kiosks/dc-01" in text
    assert len(text.encode()) <= 4096
    [signed] = dingtalk(robots)
    assert (
        signed["body"]["msgtype"] == "markdown"
        and "打印机缺纸" in signed["body"]["markdown"]["text"]
    )
    stamp = signed["query"]["timestamp"][0]
    assert signed["query"]["access_token"] == ["tok"]
    # The sign arrives URL-encoded (base64 has + / =): decode it once and compare.
    raw_sign = signed["raw_query"].split("sign=", 1)[1].split("&", 1)[0]
    assert unquote(raw_sign) == openssl_sign(SECRET, stamp)
    assert "application/json" in signed["content_type"] and signed["sign_ok"]
    assert all(not r["problems"] for r in robots.requests)
    [mail] = box.messages
    assert mail["Subject"].startswith("书房设备告警：") and mail["To"] == "tech@example.cn"
    assert "打印机缺纸" in mail.get_content() and "Asia/Shanghai" in mail.get_content()

    # Nothing new: nothing sent.
    central.clock.advance(timedelta(minutes=1))
    beat(fine)
    assert run(central, settings).opened == 0
    assert len(wecom(robots)) == 1 and len(dingtalk(robots)) == 1 and len(box.messages) == 1

    # Four hours later both still hold: one reminder message each.
    central.clock.advance(settings.remind_after)
    beat(fine)
    beat(hurt, devices={"rfid": "ready", "printer": "error"})
    assert run(central, settings).reminded == 2
    assert wecom(robots)[-1].count("仍未解决") == 2

    # The silent kiosk comes back: a "resolved" message, once.
    beat(away)
    assert run(central, settings).resolved == 1
    assert "已恢复" in wecom(robots)[-1] and "dc-01" in wecom(robots)[-1]
    assert "xc-02" not in wecom(robots)[-1]
    run(central, settings)
    assert len(wecom(robots)) == 3 and len(box.messages) == 3


def test_nothing_is_sent_outside_opening_hours_and_unseen_episodes_close_quietly(
    central: Central, robots: Receiver
) -> None:
    settings = settings_for(robots)
    kiosk = central.enrol("dc-01", "东城书房")
    other = central.enrol("xc-01", "西城书房")
    # 22:00 local: the rooms are closed. A kiosk switched off is not an alert.
    central.clock.advance(timedelta(hours=12))
    beat(kiosk)
    beat(other)
    central.clock.advance(timedelta(hours=1))
    night = run(central, settings)
    assert night.quiet and night.opened == 0 and robots.requests == []
    # A paper fault at 23:00 that a night cleaner fixed at 23:30: nobody is told.
    beat(other, devices={"printer": "error"},
         faults=[fault("printer", "paper_out", central.clock.now())])  # fmt: skip
    assert run(central, settings).opened == 1
    central.clock.advance(timedelta(minutes=30))
    beat(other, faults=[fault("printer", "paper_out", central.clock.now() - timedelta(minutes=30),
                              cleared_at=central.clock.now())])  # fmt: skip
    assert run(central, settings).closed_unseen == 1
    # 08:20 next morning, dc-01 is still silent: 20 minutes of opening time.
    central.clock.set(START.replace(hour=0, minute=20) + timedelta(days=1))
    beat(other)
    morning = run(central, settings)
    assert morning.opened == 1 and not morning.quiet
    [text] = wecom(robots)
    assert "dc-01" in text and "设备离线" in text and "打印机缺纸" not in text


def test_a_failing_channel_gets_it_later_and_the_others_never_twice(
    central: Central, robots: Receiver
) -> None:
    wecom_only = Receiver()
    try:
        settings = parse({
            "wecom_webhooks": [wecom_only.url("/cgi-bin/webhook/send?key=k")],
            "dingtalk": [{"url": robots.url("/robot/send?access_token=t")}],
        })  # fmt: skip
        kiosk = central.enrol("dc-01", "东城书房")
        beat(kiosk, devices={"printer": "error"},
             faults=[fault("printer", "paper_out", central.clock.now())])  # fmt: skip
        wecom_only.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
        first = run(central, settings)
        assert list(first.failed) == [channel_module.WeComRobot(settings.wecom[0]).name]
        assert "errcode 93000" in next(iter(first.failed.values()))
        assert len(dingtalk(robots)) == 1 and "timestamp" not in dingtalk(robots)[0]["query"]
        wecom_only.status, wecom_only.answer = 502, None
        assert run(central, settings).failed
        wecom_only.status, wecom_only.answer = 200, {"errcode": 0, "errmsg": "ok"}
        third = run(central, settings)
        assert not third.failed and sum(third.sent.values()) == 1
        assert len(wecom_only.requests) == 3 and len(dingtalk(robots)) == 1
        with reading(central.engine) as conn:
            [episode] = alert_engine.history(conn)
            rows = alert_engine.deliveries(conn, [episode.id])[episode.id]
        attempts = {r.channel: r.attempts for r in rows}
        assert sorted(attempts.values()) == [1, 3]
    finally:
        wecom_only.close()
    refused = channel_module.WeComRobot("http://127.0.0.1:9/cgi-bin/webhook/send?key=x", 2.0)
    with pytest.raises(channel_module.DeliveryError, match="ConnectionError"):
        refused.send(channel_module.Message("s", "m", "t"))


def test_an_smtp_server_that_refuses_is_a_failed_delivery() -> None:
    mailer = channel_module.SmtpMailer(SmtpSettings("127.0.0.1", 9, recipients=("a@b.cn",)), 2.0)
    with pytest.raises(channel_module.DeliveryError, match=r"smtp:127\.0\.0\.1:9"):
        mailer.send(channel_module.Message("主题", "m", "正文"))


def test_the_dingtalk_url_is_signed_as_documented() -> None:
    robot = channel_module.DingTalkRobotChannel(
        DingTalkRobot("https://oapi.dingtalk.com/robot/send?access_token=abc", SECRET)
    )
    url = robot.signed_url(now_ms=1_700_000_000_000)
    query = parse_qs(urlsplit(url).query)
    assert query["timestamp"] == ["1700000000000"]
    assert query["sign"] == [openssl_sign(SECRET, "1700000000000")]


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"offline_minute": 5}, "unknown setting alerts.offline_minute"),
        ({"offline_minutes": "15"}, "alerts.offline_minutes must be a whole number"),
        ({"opening_hours": "8-21"}, "alerts.opening_hours must be HH:MM-HH:MM"),
        ({"wecom_webhooks": "https://x"}, "alerts.wecom_webhooks must be a list"),
        ({"dingtalk": [{"secret": "SEC1"}]}, "alerts.dingtalk entries need url"),
        ({"smtp": {"host": "m", "to": ["nobody"]}}, "alerts.smtp.to must list e-mail"),
    ],
)
def test_a_wrong_alerts_setting_is_named(table: dict[str, Any], words: str) -> None:
    with pytest.raises(AlertSettingsError, match=words):
        parse(table)


def test_the_alerts_page_shows_open_episodes_and_what_each_channel_got(
    central: Central, robots: Receiver
) -> None:
    from tests.fleet.conftest import signed_in

    refusing = Receiver()
    refusing.answer = {"errcode": 310000, "errmsg": "keywords not in content"}
    settings = parse({
        "wecom_webhooks": [refusing.url("/cgi-bin/webhook/send?key=k")],
        "dingtalk": [{"url": robots.url("/robot/send?access_token=t")}],
    })  # fmt: skip
    kiosk = central.enrol("xc-02", "西城书房")
    now = central.clock.now()
    beat(kiosk, devices={"printer": "error"}, faults=[fault("printer", "paper_out", now)])
    try:
        run(central, settings)
    finally:
        refusing.close()
    web = signed_in(central, "zhao.min", role="viewer")
    html = web.get(central.url + "/dashboard/alerts", timeout=30).text
    assert "打印机缺纸" in html and "xc-02" in html and "未恢复" in html
    assert "✓" in html and "✗ (1)" in html and "errcode 310000" in html
    assert '<span class="count">1 ' in html  # one open alert


def test_the_command_reads_the_alerts_section_of_the_config(
    tmp_path: Any, robots: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    from kiosk.cli import main

    db = tmp_path / "central.db"
    config = tmp_path / "central.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{db}"\n[alerts]\nopening_hours = "00:00-23:59"\n'
        f'wecom_webhooks = ["{robots.url("/cgi-bin/webhook/send?key=k")}"]\n',
        encoding="utf-8",
    )
    assert main(["central", "alerts", "test", "--config", str(config)]) == 0
    assert "测试消息" in wecom(robots)[0]
    assert main(["central", "alerts", "run-once", "--config", str(config), "--create"]) == 0
    typo = tmp_path / "typo.toml"
    typo.write_text("[alerts]\nofline_minutes = 5\n", encoding="utf-8")
    assert main(["central", "alerts", "run-once", "--config", str(typo)]) == 2
    assert "unknown setting alerts.ofline_minutes" in capsys.readouterr().err
    bare = tmp_path / "bare.toml"
    bare.write_text(f'[database]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    assert main(["central", "alerts", "run-once", "--config", str(bare)]) == 2
    assert "no alert channel configured" in capsys.readouterr().err
