"""The words of an alert: Chinese first (the city's technicians), what, where, since when, and
what to do; English after it for the rest. One message carries every event of one run, so a
morning with ten faults is one message in the group, not ten."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sync.central.alerts.channels import Message

#: rule -> (what, in Chinese; in English; what to do, in Chinese)
WORDS: dict[str, tuple[str, str, str]] = {
    "kiosk_offline": ("设备离线", "kiosk offline", "请检查设备电源和网络"),
    "device_fault": ("外设故障", "device fault", "请到现场检查该外设"),
    "paper_out": ("打印机缺纸", "printer out of paper", "请更换打印纸卷"),
    "out_of_service": ("设备暂停服务", "kiosk out of service", "请确认是否需要维修"),
    "backlog": ("数据待上传积压", "outbox backlog", "请检查设备与中心/图书馆系统的网络"),
    "new_conflict": ("新的借还冲突", "new conflict", "请在“待处理冲突”页面处理"),
}
#: Kiosks' device names (``FaultReport.device``: the supervised port's kind from
#: ``drivers/station.py``, or the link's name), as a technician calls them.
DEVICES = {
    "rfid": "RFID 读写器",
    "printer": "凭条打印机",
    "scanner": "扫码器",
    "barcode": "扫码器",
    "nfc": "NFC 读卡器",
    "card": "读卡器",
    "sip2": "图书馆系统连接 (SIP2)",
    "central": "中心连接",
}
#: Transaction kinds in a conflict.
TXN_KINDS = {"checkout": "借出", "checkin": "归还", "renew": "续借", "cancel": "撤销"}
KINDS = {
    "opened": ("🔴 新告警", "new"),
    "reminder": ("🔁 仍未解决", "still open"),
    "resolved": ("✅ 已恢复", "resolved"),
}


@dataclass(frozen=True, slots=True)
class Event:
    kind: str  # opened | reminder | resolved
    rule: str
    subject: str
    kiosk_id: str
    branch: str
    since: datetime
    facts: dict[str, str]
    at: datetime


def _when(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%m-%d %H:%M")


def _detail(event: Event) -> str:
    if event.rule == "paper_out":  # "打印机缺纸" says it all in a chat line
        return ""
    return describe(event.rule, event.subject, event.facts)


def describe(rule: str, subject: str, facts: dict[str, str]) -> str:
    """The particulars of one alert in Chinese (which device, how many rows, which book);
    also shown on the alerts page."""
    f = facts
    if rule in ("device_fault", "paper_out"):
        device = f.get("device", "")
        return f"{DEVICES.get(device, device)} {f.get('code', '')} {f.get('message', '')}".strip()
    if rule == "backlog":
        return f"待上传 {f.get('outbox', '?')} 条"
    if rule == "new_conflict":
        # The pages' words for conflict reasons (imported here: web imports the alerts).
        from sync.central.web.labels import REASONS

        kind, reason = f.get("kind", ""), f.get("reason", "")
        said = REASONS.get(reason, (reason,))[0]
        return f"#{subject} {TXN_KINDS.get(kind, kind)} {f.get('item', '')}（{said}）"
    return ""


def compose(events: list[Event], tz: ZoneInfo, page_url: str = "") -> Message:
    counts = {kind: sum(1 for e in events if e.kind == kind) for kind in KINDS}
    summary = "，".join(
        f"{KINDS[kind][0].split(' ', 1)[1]} {n} 条" for kind, n in counts.items() if n
    )
    subject = f"书房设备告警：{summary}"
    md = ["### 书房设备告警 Shufang alerts", ""]
    text = [subject, ""]
    for e in sorted(events, key=lambda e: (list(KINDS).index(e.kind), e.since)):
        zh, en, advice = WORDS.get(e.rule, (e.rule, e.rule, ""))
        label, label_en = KINDS[e.kind]
        where = f"{e.kiosk_id}（{e.branch}）" if e.branch else e.kiosk_id
        detail = _detail(e)
        since = f"自 {_when(e.since, tz)}"
        tail = f"，{since}" if e.kind != "resolved" else f"，{_when(e.at, tz)} 恢复"
        todo = f"。{advice}" if e.kind != "resolved" and advice else ""
        what = f"{zh}：{detail}" if detail else zh
        line = f"{label}：{where} {what}{tail}{todo} ({label_en}: {en})"
        md.append(f"- {line}")
        text.append(f"- {line}")
        if page_url and e.rule == "new_conflict":
            md.append(f"  [处理冲突 Conflicts]({page_url}/dashboard/conflicts)")
        elif page_url and e.kiosk_id:
            md.append(f"  [打开设备页 Open]({page_url}/dashboard/kiosks/{e.kiosk_id})")
    if page_url:
        text += ["", f"设备总览 Fleet overview: {page_url}/dashboard"]
    text += ["", f"时间为 {tz.key} 当地时间。 Times are local ({tz.key})."]
    return Message(subject=subject, markdown="\n".join(md), text="\n".join(text))
