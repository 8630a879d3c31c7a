"""Technicians acknowledge an open alert on /dashboard/alerts (issue #16): its reminders
stop, the "resolved" message still goes out, viewers cannot, and the audit log keeps it.

The messages go to the local WeCom robot receiver (the documented ``markdown`` body), as in
``test_alerts.py``; the page is driven over HTTP with a signed-in session and its CSRF token.
"""

from __future__ import annotations

import re
from datetime import timedelta

import requests

from sync.central import staff_accounts
from sync.central.alerts import engine as alert_engine
from sync.central.database import reading
from tests.central.test_alerts import run, settings_for, wecom
from tests.fixtures.alert_receivers import Receiver
from tests.fixtures.central import Central
from tests.fleet.conftest import signed_in
from tests.fleet.fleetdata import beat, fault


def _csrf(web: requests.Session, central: Central) -> str:
    html = web.get(central.url + "/dashboard/alerts", timeout=30).text
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    return found.group(1) if found else ""


def _acknowledge(web: requests.Session, central: Central, episode: int, csrf: str) -> int:
    reply = web.post(
        f"{central.url}/dashboard/alerts/{episode}/acknowledge",
        data={"csrf": csrf},
        allow_redirects=False,
        timeout=30,
    )
    return reply.status_code


def test_an_acknowledged_alert_gets_no_reminders_but_its_resolution_is_sent(
    central: Central, robots: Receiver
) -> None:
    settings = settings_for(robots)
    kiosk = central.enrol("xc-02", "西城书房")
    quiet = central.enrol("dc-01", "东城书房")
    now = central.clock.now()
    beat(kiosk, devices={"printer": "error"}, faults=[fault("printer", "paper_out", now)])
    beat(quiet, devices={"printer": "error"}, faults=[fault("printer", "paper_out", now)])
    assert run(central, settings).opened == 2
    with reading(central.engine) as conn:
        episodes = {e.kiosk_id: e.id for e in alert_engine.history(conn)}

    viewer = signed_in(central, "zhao.min", role="viewer")
    assert "我来处理" not in viewer.get(central.url + "/dashboard/alerts", timeout=30).text
    refused = _acknowledge(viewer, central, episodes["xc-02"], _csrf(viewer, central))
    assert refused == 403

    tech = signed_in(central, "li.wei", role="technician")
    assert _acknowledge(tech, central, episodes["xc-02"], csrf="") == 403  # no CSRF token
    assert _acknowledge(tech, central, episodes["xc-02"], _csrf(tech, central)) == 303
    html = tech.get(central.url + "/dashboard/alerts?taken=1", timeout=30).text
    assert 'data-taken-by="li.wei"' in html and "已由 li.wei 接手" in html

    # Four hours on, both still hold: only the one nobody took is reminded.
    central.clock.advance(settings.remind_after)
    beat(kiosk, devices={"printer": "error"})
    beat(quiet, devices={"printer": "error"})
    assert run(central, settings).reminded == 1
    assert "dc-01" in wecom(robots)[-1] and "xc-02" not in wecom(robots)[-1]

    # Paper goes in: the group still hears that it is resolved.
    central.clock.advance(timedelta(minutes=5))
    beat(kiosk, devices={"printer": "ready"}, faults=[fault("printer", "paper_out", now,
         cleared_at=central.clock.now())])  # fmt: skip
    beat(quiet, devices={"printer": "error"})
    assert run(central, settings).resolved == 1
    assert "已恢复" in wecom(robots)[-1] and "xc-02" in wecom(robots)[-1]

    # A resolved alert cannot be taken; the audit log names who took the open one.
    assert _acknowledge(tech, central, episodes["xc-02"], _csrf(tech, central)) == 404
    with reading(central.engine) as conn:
        taken = [r for r in staff_accounts.audit_log(conn) if r.action == "alert.acknowledge"]
    assert [(r.actor, r.subject) for r in taken] == [("li.wei", str(episodes["xc-02"]))]
