"""The fleet pages over plain HTTP, on SQLite and PostgreSQL: sign-in, escaping, states, CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape
from urllib.parse import quote, unquote

import pytest
import requests

from sync.central import branches, staff_accounts
from sync.central.database import reading, writing
from tests.fixtures.central import START, Central
from tests.fleet.conftest import PASSWORD, disable_staff, signed_in, staff_account, staff_token
from tests.fleet.fleetdata import MINUTE, Journal, beat, fault, put_catalog

PAGES = (
    "/dashboard",
    "/dashboard/ranking",
    "/dashboard/conflicts",
    "/dashboard/statistics",
    "/dashboard/statistics.csv",
    "/dashboard/kiosks/k1",
)


def get(web: requests.Session, central: Central, path: str) -> requests.Response:
    reply = web.get(central.url + path, timeout=30, allow_redirects=False)
    assert reply.status_code == 200, (path, reply.status_code, reply.text[:500])
    return reply


def state_of(html: str, kiosk_id: str) -> str:
    row = re.search(rf'<tr data-kiosk="{re.escape(kiosk_id)}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, f"{kiosk_id} not on the page"
    found = re.search(r'data-state="(\w+)"', row.group(1))
    assert found
    return found.group(1)


def test_every_page_sends_a_stranger_to_sign_in_and_back(central: Central) -> None:
    central.enrol("k1")
    staff_account(central)
    stranger = requests.Session()
    for path in PAGES:
        reply = stranger.get(central.url + path, allow_redirects=False, timeout=30)
        assert reply.status_code == 303, path
        assert reply.headers["location"] == "/dashboard/signin?next=" + quote(path, safe="")
    page = stranger.get(central.url + "/", timeout=30)  # / -> /dashboard -> sign-in
    assert page.status_code == 200 and 'name="password"' in page.text
    assert "librarian" not in page.text


def sign_in(central: Central, username: str, password: str, **extra: str) -> requests.Response:
    return requests.post(
        central.url + "/dashboard/signin",
        data={"username": username, "password": password, **extra},
        allow_redirects=False,
        timeout=30,
    )


def test_sign_in_sets_a_strict_http_only_cookie_without_the_password(central: Central) -> None:
    username, password = staff_account(central)
    web = requests.Session()
    reply = web.post(
        central.url + "/dashboard/signin",
        data={"username": username, "password": password, "next": "/dashboard/ranking?days=90"},
        allow_redirects=False,
        timeout=30,
    )
    assert reply.status_code == 303
    assert reply.headers["location"] == "/dashboard/ranking?days=90"
    cookie = reply.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/dashboard" in cookie
    assert password not in unquote(cookie)
    page = get(web, central, "/dashboard/ranking?days=90")
    assert "librarian" in page.text and "最近 90 天" in page.text and "管理员" in page.text
    out = web.post(central.url + "/dashboard/signout", allow_redirects=False, timeout=30)
    assert out.status_code == 303 and 'shufang_staff=""' in out.headers["set-cookie"]
    again = web.get(central.url + "/dashboard", allow_redirects=False, timeout=30)
    assert again.status_code == 303


def test_a_wrong_password_or_unknown_name_is_refused_and_says_so(central: Central) -> None:
    username, password = staff_account(central)
    for name, secret in (
        (username, password + "x"),
        ("nobody", password),
        (username, ""),
        ("<b>", password),
        (staff_token(central), staff_token(central)),  # an API token is not a page password
    ):
        reply = sign_in(central, name, secret)
        assert reply.status_code == 401, name
        assert "用户名或密码不对" in reply.text and "Wrong username or password" in reply.text
        assert "set-cookie" not in reply.headers
        assert "<b>" not in reply.text


def test_repeated_wrong_passwords_lock_the_account_for_a_while(central: Central) -> None:
    username, password = staff_account(central)
    for _ in range(4):
        assert sign_in(central, username, "wrong password").status_code == 401
    fifth = sign_in(central, username, "wrong password")
    assert fifth.status_code == 401 and "密码错误次数过多" in fifth.text
    locked = sign_in(central, username, password)  # even the right password waits
    assert locked.status_code == 401 and "解锁时间" in locked.text
    central.clock.advance(timedelta(seconds=31))
    assert sign_in(central, username, password).status_code == 303
    with reading(central.engine) as conn:
        actions = [r.action for r in staff_accounts.audit_log(conn)]
    assert actions.count("signin.failed") == 5 and actions[0] == "signin"


def test_disabling_the_account_or_a_new_password_ends_its_sessions(central: Central) -> None:
    web = signed_in(central)
    get(web, central, "/dashboard")
    with writing(central.engine) as conn:
        staff_accounts.set_password(conn, "librarian", "a new password!", central.clock.now(), "t")
    assert web.get(central.url + "/dashboard", allow_redirects=False, timeout=30).status_code == 303
    assert sign_in(central, "librarian", "a new password!").status_code == 303
    web = requests.Session()
    web.post(
        central.url + "/dashboard/signin",
        data={"username": "librarian", "password": "a new password!"},
        timeout=30,
    )
    get(web, central, "/dashboard")
    disable_staff(central)
    assert web.get(central.url + "/dashboard", allow_redirects=False, timeout=30).status_code == 303
    assert sign_in(central, "librarian", "a new password!").status_code == 401


def test_a_session_ends_after_twelve_hours_on_the_service_clock(central: Central) -> None:
    web = signed_in(central)
    central.clock.advance(timedelta(hours=12) - timedelta(seconds=1))
    get(web, central, "/dashboard")
    central.clock.advance(timedelta(seconds=1))
    assert web.get(central.url + "/dashboard", allow_redirects=False, timeout=30).status_code == 303


def test_a_forged_or_altered_cookie_is_refused(central: Central) -> None:
    web = signed_in(central)
    name, expires, epoch, signature = web.cookies["shufang_staff"].split(".")
    for forged in (
        f"{name}.{int(expires) + 86400}.{epoch}.{signature}",
        f"{name}.{expires}.{int(epoch) + 1}.{signature}",
        f"{name}.{expires}.{epoch}.{'0' * len(signature)}",
        "YWRtaW4.9999999999.0.abc",
        "garbage",
    ):
        forger = requests.Session()
        forger.cookies.set("shufang_staff", forged, path="/dashboard")
        reply = forger.get(central.url + "/dashboard", allow_redirects=False, timeout=30)
        assert reply.status_code == 303, forged


def test_only_our_own_pages_are_redirect_targets(central: Central) -> None:
    username, password = staff_account(central)
    for target in ("https://evil.example/", "//evil.example/dashboard", "/dashboard//evil"):
        reply = sign_in(central, username, password, next=target)
        assert reply.headers["location"] == "/dashboard", target


def test_sign_in_from_another_site_or_with_a_huge_form_is_refused(central: Central) -> None:
    url = central.url + "/dashboard/signin"
    username, password = staff_account(central)
    data = {"username": username, "password": password}
    foreign = requests.post(url, data=data, headers={"Origin": "https://evil.example"}, timeout=30)
    assert foreign.status_code == 403 and "set-cookie" not in foreign.headers
    opaque = requests.post(url, data=data, headers={"Origin": "null"}, timeout=30)
    assert opaque.status_code == 403
    ours = requests.post(
        url, data=data, headers={"Origin": central.url}, allow_redirects=False, timeout=30
    )
    assert ours.status_code == 303
    huge = requests.post(url, data={**data, "next": "x" * 10_000}, timeout=30)
    assert huge.status_code == 413


def test_kiosk_names_branches_and_fault_texts_are_escaped(central: Central) -> None:
    evil_id = "<script>alert(1)</script>"
    evil_branch = '"><img src=x onerror=alert(2)>'
    kiosk = central.enrol(evil_id, evil_branch)
    beat(
        kiosk,
        software="<b>1.0</b>",
        devices={"<svg onload=alert(3)>": "error"},
        faults=[fault("rfid", "<i>x</i>", START, message="\"'><script>alert(4)</script>")],
    )
    web = signed_in(central)
    pages = [
        get(web, central, "/dashboard").text,
        get(web, central, "/dashboard/ranking").text,
        get(web, central, "/dashboard/kiosks/" + quote(evil_id, safe="")).text,
    ]
    for html in pages:
        assert "<script>" not in html and "<img" not in html and "<svg onload" not in html
        assert "<b>1.0" not in html and "<i>x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]
    assert unescape(evil_branch) in unescape(pages[0])
    headers = web.get(central.url + "/dashboard", timeout=30).headers
    assert "script-src" not in headers["content-security-policy"]  # no script may run at all
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"


def test_fleet_page_shows_each_state_with_text(central: Central) -> None:
    kiosks = {kid: central.enrol(kid, "东城书房") for kid in ("ok", "away", "hurt", "quiet")}
    central.enrol("new", "西城书房")
    beat(kiosks["ok"], outbox_depth=4)
    beat(kiosks["away"], "out_of_service")
    beat(kiosks["hurt"], devices={"rfid": "ready", "printer": "disconnected"})
    beat(kiosks["quiet"])
    central.clock.advance(2 * MINUTE)
    for kid in ("ok", "away", "hurt"):
        beat(kiosks[kid], "out_of_service" if kid == "away" else "in_service")
    central.clock.advance(2 * MINUTE)  # quiet's last beat is now 4 minutes old: offline
    web = signed_in(central)
    html = get(web, central, "/dashboard").text
    assert state_of(html, "ok") == "in_service"
    assert state_of(html, "away") == "out_of_service"
    assert state_of(html, "quiet") == "offline"
    assert state_of(html, "new") == "never_seen"
    assert state_of(html, "hurt") == "in_service"  # its last beat said the printer was fine
    beat(kiosks["hurt"], devices={"rfid": "ready", "printer": "disconnected"})
    html = get(web, central, "/dashboard").text
    assert state_of(html, "hurt") == "device_fault"
    assert "printer: disconnected" in html
    for text in ("正常服务", "In service", "暂停服务", "离线", "外设故障", "未上线"):
        assert text in html
    assert html.index("东城书房") < html.index("西城书房")


def test_kiosk_page_shows_its_fault_timeline_and_devices(central: Central) -> None:
    kiosk = central.enrol("k1", "东城书房")
    beat(kiosk, faults=[fault("rfid", "tag_write_failed", START - timedelta(hours=3))])
    central.clock.advance(MINUTE)
    beat(
        kiosk,
        devices={"rfid": "ready", "printer": "error"},
        faults=[fault("printer", "paper_out", START, message="纸卷用完")],
    )
    web = signed_in(central)
    html = get(web, central, "/dashboard/kiosks/k1").text
    timeline = html[html.index('id="faults"') :]
    assert timeline.index("paper_out") < timeline.index("tag_write_failed")  # newest first
    assert "纸卷用完" in timeline and "未清除" in timeline
    devices = html[html.index('id="devices"') : html.index('id="faults"')]
    assert "printer" in devices and "error" in devices and "rfid" in devices
    assert "<svg" in html and "fault-mark" in html
    missing = web.get(central.url + "/dashboard/kiosks/nope", timeout=30)
    assert missing.status_code == 404 and "没有这台设备" in missing.text


def test_ranking_puts_the_most_failing_kiosk_first(central: Central) -> None:
    good, bad = central.enrol("good"), central.enrol("bad")
    beat(good, faults=[fault("rfid", "timeout", START, severity="warning")])
    beat(bad, faults=[fault("rfid", f"e{n}", START + n * MINUTE) for n in range(3)])
    web = signed_in(central)
    html = get(web, central, "/dashboard/ranking?days=30").text
    table = html[html.index('id="most-faults"') :]
    assert table.index(">bad<") < table.index(">good<")
    assert "最近 365 天" in get(web, central, "/dashboard/ranking?days=365").text


def test_conflicts_page_masks_the_card(central: Central) -> None:
    put_catalog(central, ["B1"], ["21000000123456", "21000000999999"])
    first, second = Journal(central.enrol("k1")), Journal(central.enrol("k2"))
    first.add("checkout", "B1", "21000000123456", START - timedelta(hours=1))
    first.push()
    second.add("checkout", "B1", "21000000999999", START, decision="offline")
    assert second.push()[0]["status"] == "conflict"
    html = get(signed_in(central), central, "/dashboard/conflicts").text
    assert "B1" in html and "******9999" in html
    assert "21000000999999" not in html and "21000000123456" not in html
    assert "此书已借给另一位读者" in html


def test_statistics_csv_is_an_attachment_with_the_api_rows(central: Central) -> None:
    put_catalog(central, ["A", "B", "C"], ["P1", "P2"])
    journal = Journal(central.enrol("k1", "=HYPERLINK(1)"))
    other = Journal(central.enrol("k2", "西城书房"))
    journal.add("checkout", "A", "P1", START - timedelta(days=2))
    journal.add("checkout", "B", "P2", START - timedelta(days=2, minutes=-5))
    journal.add("renew", "A", "P1", START - timedelta(days=1))
    journal.add("checkin", "B", "P2", START - timedelta(days=1))
    other.add("checkout", "C", "P2", START)
    journal.push()
    other.push()
    web = signed_in(central)
    since = (START - timedelta(days=5)).date().isoformat()
    until = START.date().isoformat()
    reply = get(web, central, f"/dashboard/statistics.csv?since={since}&until={until}")
    assert reply.headers["content-type"].startswith("text/csv")
    assert reply.headers["content-disposition"] == (
        f'attachment; filename="shufang-statistics-{since}-{until}.csv"'
    )
    assert reply.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(reply.content.decode("utf-8-sig"))))
    api = central.staff.get("/statistics", since=since, until=until).json()
    assert len(rows) == len(api) == 3
    for row, expected in zip(rows, api, strict=True):
        branch = expected["branch"]
        assert row["branch"] == ("'" + branch if branch.startswith("=") else branch)
        assert {k: int(row[k]) for k in ("loans", "returns", "renewals", "readers")} == {
            k: expected[k] for k in ("loans", "returns", "renewals", "readers")
        }
        assert row["day"] == expected["day"]
    assert [(r["branch"], r["day"], r["loans"], r["returns"], r["renewals"]) for r in rows] == [
        ("'=HYPERLINK(1)", "2026-11-22", "2", "0", "0"),
        ("'=HYPERLINK(1)", "2026-11-23", "0", "1", "1"),
        ("西城书房", "2026-11-24", "1", "0", "0"),
    ]
    only = get(web, central, f"/dashboard/statistics.csv?since={since}&branch=西城书房")
    assert len(list(csv.DictReader(io.StringIO(only.text.lstrip("\ufeff"))))) == 1
    page = get(web, central, f"/dashboard/statistics?since={since}&until={until}").text
    assert 'id="csv"' in page and "statistics.csv?since=" in page
    assert page.count('class="chart"') == 2


@pytest.mark.parametrize("path", ["/dashboard/static/fleet.css"])
def test_the_stylesheet_is_served_without_sign_in(central: Central, path: str) -> None:
    reply = requests.get(central.url + path, timeout=30)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/css")
    assert "http" not in reply.text  # nothing fetched from elsewhere
    assert requests.get(central.url + "/dashboard/static/x.js", timeout=30).status_code == 404


def test_a_new_service_with_no_kiosks_says_so_on_every_page(central: Central) -> None:
    web = signed_in(central)
    assert "还没有登记的设备" in get(web, central, "/dashboard").text
    assert "此期间没有故障" in get(web, central, "/dashboard/ranking").text
    assert "没有待处理的冲突" in get(web, central, "/dashboard/conflicts").text
    assert "此期间没有借还记录" in get(web, central, "/dashboard/statistics").text
    csv_text = get(web, central, "/dashboard/statistics.csv").text
    assert csv_text == "\ufeffbranch,day,loans,returns,renewals,readers\r\n"


def _two_conflicts(central: Central) -> None:
    """Two open conflicts: a central one (a double loan) and one a library system refused."""
    put_catalog(central, ["B1"], ["21000000123456", "21000000999999"])
    first, second = (
        Journal(central.enrol("k1", "东城书房")),
        Journal(central.enrol("k2", "西城书房")),
    )
    first.add("checkout", "B1", "21000000123456", START - timedelta(hours=1))
    first.push()
    second.add("checkout", "B1", "21000000999999", START, decision="offline")
    assert second.push()[0]["status"] == "conflict"


def _settle(web: requests.Session, central: Central, cid: str, **form: str) -> requests.Response:
    return web.post(
        f"{central.url}/dashboard/conflicts/{cid}/resolve",
        data=form,
        allow_redirects=False,
        timeout=30,
    )


def test_an_administrator_settles_a_conflict_on_the_page_and_it_is_audited(
    central: Central,
) -> None:
    _two_conflicts(central)
    web = signed_in(central)
    html = get(web, central, "/dashboard/conflicts").text
    cid = re.search(r'data-conflict="(\d+)"', html).group(1)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)
    assert _settle(web, central, cid, action="apply", note="x").status_code == 403  # no csrf
    foreign = web.post(
        f"{central.url}/dashboard/conflicts/{cid}/resolve",
        data={"csrf": csrf, "action": "apply"},
        headers={"Origin": "https://evil.example"},
        allow_redirects=False,
        timeout=30,
    )
    assert foreign.status_code == 403
    done = _settle(web, central, cid, csrf=csrf, action="apply", note="柜台核实，书在二号读者处")
    assert done.status_code == 303 and done.headers["location"].endswith(f"settled={cid}")
    after = get(web, central, done.headers["location"]).text
    assert f'data-conflict="{cid}"' not in after and "已处理冲突" in after
    record = central.staff.get("/conflicts", open="false").json()[0]
    assert record["resolution"] == "applied" and record["resolved_by"] == "librarian"
    assert record["note"] == "柜台核实，书在二号读者处"
    loans = central.staff.get("/loans", item_pii="B1").json()
    assert [loan["patron_card"] for loan in loans] == ["21000000999999"]
    again = _settle(web, central, cid, csrf=csrf, action="dismiss")
    assert again.status_code == 409 and "already applied" in again.text
    with reading(central.engine) as conn:
        entry = next(r for r in staff_accounts.audit_log(conn) if r.action == "conflict.apply")
    assert entry.actor == "librarian" and entry.subject == cid
    assert "柜台核实" in entry.detail and "21000000" not in entry.detail  # no card numbers


def test_a_viewer_sees_conflicts_but_cannot_settle_them(central: Central) -> None:
    _two_conflicts(central)
    web = signed_in(central, "zhao.viewer", role="viewer")
    html = get(web, central, "/dashboard/conflicts").text
    assert "只有管理员可以处理冲突" in html and 'action="/dashboard/conflicts/' not in html
    cid = re.search(r'data-conflict="(\d+)"', html).group(1)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', get(web, central, "/dashboard").text)
    token = csrf.group(1) if csrf else ""
    refused = _settle(web, central, cid, csrf=token, action="dismiss", note="try")
    assert refused.status_code == 403
    assert central.staff.get("/conflicts", open="true").json()[0]["resolved_at"] is None


def test_conflict_filters_by_source_branch_and_age(central: Central) -> None:
    _two_conflicts(central)
    web = signed_in(central)

    def listed(query: str) -> int:
        return len(
            re.findall(r'data-conflict="', get(web, central, "/dashboard/conflicts" + query).text)
        )

    assert listed("") == 1
    assert listed("?source=central") == 1 and listed("?source=sip2") == 0
    assert listed("?branch=西城书房") == 1 and listed("?branch=东城书房") == 0
    assert listed("?older=1") == 0
    central.clock.advance(timedelta(days=2))
    web = signed_in(central)  # the morning's session has ended
    assert listed("?older=1") == 1 and listed("?older=7") == 0


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-kiosk="([^"]+)"', html)


def test_the_overview_lists_the_fleet_most_urgent_first_with_filters_and_search(
    central: Central,
) -> None:
    """One table for the fleet: faults, then offline, out of service, backlog, healthy."""
    names = {
        "cy-01": "朝阳书房", "cy-02": "朝阳书房", "cy-03": "望京书房",
        "hd-01": "海淀书房", "hd-02": "海淀书房", "hd-03": "中关村书房",
    }  # fmt: skip
    kiosks = {kid: central.enrol(kid, branch) for kid, branch in names.items()}
    district_of = {
        "朝阳书房": "朝阳区",
        "望京书房": "朝阳区",
        "海淀书房": "海淀区",
        "中关村书房": "海淀区",
    }
    reply = central.staff.put(
        "/admin/branches",
        {"branches": [{"branch": b, "district": d} for b, d in district_of.items()]},
    )
    assert reply.status_code == 200 and reply.json()["inserted"] == 4
    beat(kiosks["hd-03"])  # offline soon: its beat is the oldest
    central.clock.advance(4 * MINUTE)
    beat(kiosks["cy-01"])
    beat(kiosks["cy-02"], outbox_depth=250, software="0.2.0")
    beat(kiosks["cy-03"], "out_of_service")
    beat(kiosks["hd-01"], software="0.2.0")
    beat(
        kiosks["hd-02"],
        devices={"rfid": "ready", "printer": "error"},
        faults=[fault("printer", "paper_out", central.clock.now(), message="纸卷用完")],
    )
    web = signed_in(central)
    html = get(web, central, "/dashboard").text
    assert _rows(html) == ["hd-02", "hd-03", "cy-03", "cy-02", "cy-01", "hd-01"]
    assert state_of(html, "cy-02") == "backlog" and "待上传积压" in html
    assert "朝阳区" in html and "海淀区" in html
    # The counts at the top are links that filter the table.
    link = re.search(r'href="([^"]+)" data-count="offline"', html)
    assert link and unescape(link.group(1)) == "/dashboard?state=offline"
    assert _rows(get(web, central, unescape(link.group(1))).text) == ["hd-03"]
    assert _rows(get(web, central, "/dashboard?district=" + quote("朝阳区")).text) == [
        "cy-03", "cy-02", "cy-01",
    ]  # fmt: skip
    assert _rows(get(web, central, "/dashboard?device=printer").text) == ["hd-02"]
    assert _rows(get(web, central, "/dashboard?version=0.2.0").text) == ["cy-02", "hd-01"]
    assert _rows(get(web, central, "/dashboard?q=" + quote("望京")).text) == ["cy-03"]
    assert _rows(get(web, central, "/dashboard?q=HD-0").text) == ["hd-02", "hd-03", "hd-01"]
    nothing = get(web, central, "/dashboard?q=nowhere").text
    assert _rows(nothing) == [] and "没有符合筛选条件的设备" in nothing
    # Counts follow the other filters: in 海淀区 one fault, one offline, one in service.
    district = get(web, central, "/dashboard?district=" + quote("海淀区")).text
    counts = dict(re.findall(r'data-count="(\w+)"><span class="n">(\d+)</span>', district))
    assert counts == {"device_fault": "1", "offline": "1", "in_service": "1"}
    assert 'href="/dashboard/kiosks/hd-02"' in html  # a row links to the kiosk's timeline


def test_districts_are_refused_whole_when_one_is_bad(central: Central) -> None:
    reply = central.staff.put(
        "/admin/branches",
        {"branches": [{"branch": "甲", "district": "东城区"}, {"branch": " ", "district": "x"}]},
    )
    assert reply.status_code == 422
    with reading(central.engine) as conn:
        assert branches.districts(conn) == {}


def test_administrators_read_the_accounts_and_the_audit_log_and_viewers_cannot(
    central: Central,
) -> None:
    _two_conflicts(central)
    admin = signed_in(central)
    assert sign_in(central, "librarian", "wrong password").status_code == 401
    html = get(admin, central, "/dashboard/conflicts").text
    cid = re.search(r'data-conflict="(\d+)"', html).group(1)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)
    _settle(admin, central, cid, csrf=csrf, action="dismiss", note="读者已到馆核实")
    viewer = signed_in(central, "zhao.min", role="viewer")
    audit = get(admin, central, "/dashboard/audit").text
    assert 'data-account="zhao.min"' in audit and "查看员" in audit
    for action in ("signin", "signin.failed", "staff.add", "conflict.dismiss"):
        assert f'data-action="{action}"' in audit, action
    assert "读者已到馆核实" in audit and "21000000" not in audit
    assert 'href="/dashboard/audit"' in audit
    refused = viewer.get(central.url + "/dashboard/audit", allow_redirects=False, timeout=30)
    assert refused.status_code == 403 and "没有权限" in refused.text
    assert 'href="/dashboard/audit"' not in get(viewer, central, "/dashboard").text


def test_one_address_guessing_many_accounts_is_made_to_wait(central: Central) -> None:
    from sync.central import throttle

    staff_account(central, "wang.ming")
    for n in range(throttle.LIMIT):
        assert sign_in(central, f"guess.{n}", "guess guess guess").status_code == 401
    waited = sign_in(central, "wang.ming", PASSWORD)  # even the right password waits
    assert waited.status_code == 429 and "密码错误次数过多" in waited.text
    central.clock.advance(throttle.WINDOW)
    assert sign_in(central, "wang.ming", PASSWORD).status_code == 303
