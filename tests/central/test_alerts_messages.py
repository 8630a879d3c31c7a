"""The words and sizes of alert messages, against published facts.

- DingTalk's "加签" signature: the published test vector of the Rust ``dingding`` crate
  (docs.rs/crate/dingding, src/signature.rs: timestamp "1700000000000", secret "secret" ->
  ``OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D``), the same as OpenSSL's HMAC.
- WeCom's group robot takes markdown content of at most 4096 UTF-8 bytes
  (developer.work.weixin.qq.com/document/path/91770); a longer morning is cut between lines
  and says how many alerts are not listed, while DingTalk (up to 20,000 bytes) gets them all.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sync.central.alerts import channels as channel_module
from sync.central.alerts import engine as alert_engine
from sync.central.alerts.settings import parse
from tests.fixtures.alert_receivers import DINGTALK_PATH, Receiver, openssl_sign
from tests.fixtures.central import Central
from tests.fleet.fleetdata import beat, fault

TZ = ZoneInfo("Asia/Shanghai")


def test_the_dingtalk_signature_matches_a_published_vector() -> None:
    sign = channel_module.dingtalk_signature("secret", 1_700_000_000_000)
    assert sign == "OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D"
    assert openssl_sign("secret", "1700000000000") == "OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY="


def test_a_morning_of_forty_alerts_fits_wecom_and_says_what_it_left_out(
    central: Central, robots: Receiver
) -> None:
    robots.dingtalk_secret = "SEC" + "5" * 64
    settings = parse({
        "wecom_webhooks": [robots.url("/cgi-bin/webhook/send?key=k")],
        "dingtalk": [{"url": robots.url(DINGTALK_PATH + "?access_token=t"),
                      "secret": robots.dingtalk_secret}],
        "page_url": "https://central.example",
    })  # fmt: skip
    now = central.clock.now()
    for n in range(40):
        kiosk = central.enrol(f"cy-{n:02d}", f"朝阳区第{n}书房")
        beat(kiosk, devices={"printer": "error"}, faults=[fault("printer", "paper_out", now)])
    central.clock.advance(timedelta(minutes=1))
    report = alert_engine.run_once(
        central.engine, central.clock.now(), TZ, settings,
        channel_module.channels_for(settings), timedelta(minutes=3),
    )  # fmt: skip
    assert report is not None and report.opened == 40 and not report.failed
    [told] = robots.wecom()
    assert len(told.encode()) <= 4096
    listed = sum(1 for line in told.splitlines() if line.startswith("- "))
    assert 5 < listed < 40
    assert told.splitlines()[-1].startswith(f"…另有 {40 - listed} 条未列出")
    [signed] = robots.dingtalk()
    text = signed["body"]["markdown"]["text"]
    assert signed["sign_ok"] and sum(1 for line in text.splitlines() if line.startswith("- ")) == 40
    assert all(not r["problems"] for r in robots.requests)
