"""Bilingual labels of the staff pages: Chinese first, English beside it, one place for both."""

from __future__ import annotations

from markupsafe import Markup

#: key -> (Chinese, English). Templates show both, so a manager reads either language.
LABELS: dict[str, tuple[str, str]] = {
    "app": ("书房 设备管理", "Shufang fleet"),
    "nav_fleet": ("设备", "Kiosks"),
    "nav_ranking": ("可靠性排行", "Reliability"),
    "nav_conflicts": ("待处理冲突", "Open conflicts"),
    "nav_statistics": ("借还统计", "Statistics"),
    "nav_alerts": ("告警", "Alerts"),
    "nav_efficiency": ("服务效能", "Efficiency"),
    "eff_city": ("全市", "City"),
    "eff_city_median": ("全市中位数", "City median"),
    "eff_median_loans": ("每馆借出中位数", "median loans per room"),
    "eff_flagged": ("个书房低于全市水平", "rooms below the city"),
    "eff_flag_rule": ("红色：低于全市中位数的", "red: below the city median times"),
    "eff_rank": ("名次", "Rank"),
    "eff_room": ("书房", "Room"),
    "eff_visits": ("到馆人次", "Visits"),
    "eff_loans": ("借出", "Loans"),
    "eff_readers": ("读者数", "Readers"),
    "eff_new_readers": ("新读者", "New readers"),
    "eff_loans_per_open_hour": ("每开放小时借出", "Loans / open hour"),
    "eff_loans_per_seat": ("每座位借出", "Loans / seat"),
    "eff_turnover": ("每百册借出", "Loans / 100 vols"),
    "eff_stale_share": ("90天未借出", "Unborrowed 90 d"),
    "eff_uptime_percent": ("设备可用率%", "Kiosk uptime %"),
    "eff_faults": ("故障", "Faults"),
    "eff_flags": ("偏低项", "Below the city"),
    "eff_reader_days": (
        "无客流计数器：按每日到馆借还读者数计",
        "no door counter: readers who borrowed or returned, per day",
    ),
    "nav_audit": ("账号与审计", "Accounts & audit"),
    "staff_accounts": ("员工账号", "Staff accounts"),
    "role": ("角色", "Role"),
    "last_signin": ("最近登录", "Last sign-in"),
    "account_active": ("正常", "active"),
    "account_locked": ("暂时锁定", "locked for now"),
    "account_disabled": ("已停用", "disabled"),
    "audit_log": ("审计日志", "Audit log"),
    "when": ("时间", "When"),
    "who": ("谁", "Who"),
    "action": ("操作", "Action"),
    "subject": ("对象", "Subject"),
    "alerts_open": ("条未恢复", "open"),
    "alert_rule": ("告警", "Alert"),
    "alert_state": ("状态", "State"),
    "alert_since": ("开始于", "Since"),
    "alert_sent": ("通知记录", "Notifications"),
    "alert_is_open": ("未恢复", "Open"),
    "alert_resolved": ("已恢复", "Resolved"),
    "alert_reminders": ("已提醒", "reminders"),
    "alert_held": ("非开放时间，暂不发送", "held outside opening hours"),
    "no_alerts": ("还没有告警", "No alerts yet"),
    "channel_wecom": ("企业微信", "WeCom"),
    "channel_dingtalk": ("钉钉", "DingTalk"),
    "channel_smtp": ("邮件", "e-mail"),
    "sign_in": ("员工登录", "Staff sign-in"),
    "sign_out": ("退出", "Sign out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "account_help": (
        "账号由管理员用 shufang central staff add 用户名 --role 角色 开设",
        "Accounts are opened by an administrator with shufang central staff add NAME --role ROLE",
    ),
    "bad_password": ("用户名或密码不对", "Wrong username or password"),
    "locked_until": (
        "密码错误次数过多，请稍后再试，解锁时间",
        "Too many wrong passwords; try again after",
    ),
    "role_viewer": ("查看员", "viewer"),
    "role_technician": ("技术员", "technician"),
    "role_administrator": ("管理员", "administrator"),
    "signed_in_as": ("已登录", "Signed in as"),
    "kiosk": ("设备", "Kiosk"),
    "branch": ("分馆", "Branch"),
    "state": ("状态", "State"),
    "last_seen": ("最后心跳", "Last seen"),
    "outbox": ("待上传", "Outbox"),
    "software": ("软件版本", "Software"),
    "policy": ("规则版本", "Policy"),
    "open_faults": ("未清除故障", "Open faults"),
    "uptime": ("可用率", "Uptime"),
    "downtime_h": ("停机(小时)", "Downtime (h)"),
    "mtbf_h": ("平均无故障(小时)", "MTBF (h)"),
    "faults": ("故障次数", "Faults"),
    "failures": ("严重故障", "Failures"),
    "last_fault": ("最近故障", "Last fault"),
    "most_faults": ("故障最多", "Most faults"),
    "most_downtime": ("停机最长", "Most downtime"),
    "days": ("天", "days"),
    "last_days": ("最近", "Last"),
    "never": ("从未连接", "never"),
    "none": ("无", "none"),
    "upstream_offline": ("图书馆系统离线，自", "library system offline since"),
    "devices": ("外设", "Devices"),
    "device": ("外设", "Device"),
    "device_status": ("当前状态", "Current status"),
    "fault_timeline": ("故障时间线", "Fault timeline"),
    "service_history": ("服务状态历史", "Service history"),
    "code": ("故障码", "Code"),
    "severity": ("级别", "Severity"),
    "message": ("说明", "Message"),
    "first_at": ("首次", "First"),
    "last_at": ("最近", "Last"),
    "count": ("次数", "Count"),
    "cleared": ("已清除", "Cleared"),
    "still_open": ("未清除", "open"),
    "no_faults": ("此期间没有故障", "No faults in this period"),
    "no_kiosks": ("还没有登记的设备", "No kiosks enrolled yet"),
    "no_conflicts": ("没有待处理的冲突", "No open conflicts"),
    "source_sip2": (
        "图书馆系统拒绝，请在图书馆系统中处理",
        "refused by the library system (SIP2): settle it there",
    ),
    "no_statistics": ("此期间没有借还记录", "No loans, returns or renewals in this period"),
    "conflict_no": ("编号", "No."),
    "created": ("记录时间", "Recorded"),
    "source": ("来源", "Source"),
    "src_central": ("中心系统", "central ledger"),
    "src_sip2": ("图书馆系统 (SIP2)", "library system (SIP2)"),
    "all_sources": ("全部来源", "All sources"),
    "age": ("已等待", "Waiting"),
    "any_age": ("不限", "Any age"),
    "older_than": ("超过", "more than"),
    "decision": ("处理", "Decision"),
    "note": ("备注", "Note"),
    "note_placeholder": ("处理说明（写入审计日志）", "How it was settled (kept in the audit log)"),
    "apply": ("按此生效", "Apply"),
    "dismiss": ("不生效，关闭", "Dismiss"),
    "conflict_settled": ("已处理冲突", "Settled conflict"),
    "not_settled": ("未能处理", "Not settled"),
    "settle_needs_admin": (
        "只有管理员可以处理冲突；你的账号可以查看",
        "Only administrators settle conflicts; your account can view them",
    ),
    "forbidden": ("没有权限", "Not allowed"),
    "forbidden_help": (
        "你的账号角色不能做这件事，请联系管理员",
        "Your account's role cannot do this; ask an administrator",
    ),
    "kind": ("类型", "Kind"),
    "item": ("条码", "Item"),
    "card": ("读者证(部分隐藏)", "Card (masked)"),
    "reason": ("原因", "Reason"),
    "detail": ("详情", "Detail"),
    "happened": ("发生时间", "Happened"),
    "loans": ("借出", "Loans"),
    "returns": ("归还", "Returns"),
    "renewals": ("续借", "Renewals"),
    "readers": ("读者人数", "Readers"),
    "reader_visits": ("读者人次", "Reader visits"),
    "day": ("日期", "Day"),
    "total": ("合计", "Total"),
    "all_branches": ("全部分馆", "All branches"),
    "since": ("从", "From"),
    "until": ("到", "To"),
    "show": ("显示", "Show"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 Excel", "Download XLSX"),
    "printable": ("打印版 / 存为 PDF", "Printable / PDF"),
    "eff_report": ("书房服务效能报告", "Study-room efficiency report"),
    "data_table": ("数据表", "Data table"),
    "window": ("统计区间", "Period"),
    "checkout": ("借出", "checkout"),
    "checkin": ("归还", "checkin"),
    "renew": ("续借", "renewal"),
    "cancel": ("撤销", "cancel"),
    "kiosks_total": ("台设备", "kiosks"),
    "updated": ("数据时间", "As of"),
    "back_to_fleet": ("返回设备总览", "Back to all kiosks"),
    "unknown_kiosk": ("没有这台设备", "No such kiosk"),
    "in_window": ("区间内", "in period"),
    "state_in_service": ("正常服务", "In service"),
    "state_out_of_service": ("暂停服务", "Out of service"),
    "state_offline": ("离线", "Offline"),
    "state_device_fault": ("外设故障", "Device fault"),
    "state_never_seen": ("未上线", "Never seen"),
    "state_revoked": ("已停用", "Revoked"),
    "state_backlog": ("待上传积压", "Backlog"),
    "all_states": ("全部", "All"),
    "search": ("搜索", "Search"),
    "search_hint": ("设备号、分馆或区县", "kiosk, branch or district"),
    "district": ("区县", "District"),
    "all_districts": ("全部区县", "All districts"),
    "device_kind": ("故障外设", "Faulty device"),
    "all_devices": ("任何外设", "Any device"),
    "all_versions": ("全部版本", "All versions"),
    "clear_filters": ("清除筛选", "Clear filters"),
    "no_match": ("没有符合筛选条件的设备", "No kiosk matches these filters"),
    "legend_offline": ("无心跳", "no heartbeat"),
    "fault_error": ("故障(错误)", "fault (error)"),
    "fault_warning": ("故障(警告)", "fault (warning)"),
    "weekend_note": ("灰色底纹为周末", "shaded days are weekends"),
}

#: Conflict reasons from ``sync.central.ledger``, said the way a librarian would say them.
REASONS: dict[str, tuple[str, str]] = {
    "unknown_item": ("馆藏中没有这个条码", "item not in the catalogue"),
    "unknown_patron": ("中心没有这张读者证", "card not known centrally"),
    "item_on_loan_to_another_patron": ("此书已借给另一位读者", "on loan to another reader"),
    "patron_blocked_since_last_sync": ("离线期间读者被停借", "reader blocked while offline"),
    "patron_blocked": ("读者被停借", "reader blocked"),
    "item_not_on_loan": ("续借时此书不在借", "renewed but not on loan"),
    "no_due_date": ("缺少应还日期", "no due date"),
    "out_of_order": ("交易顺序错乱", "arrived out of order"),
    "seq_reused": ("交易序号重复", "sequence number reused"),
    "cancelled_transaction_unknown": ("撤销的交易不存在", "cancelled transaction unknown"),
    "cancelled_transaction_of_another_kiosk": (
        "撤销的是另一台自助机的交易",
        "cancel of another kiosk's transaction",
    ),
    "only_checkouts_and_checkins_can_be_cancelled": (
        "只能撤销借出或归还",
        "only checkouts and returns can be cancelled",
    ),
    # refusals a kiosk read from its library system's reply (``kiosk.reasons.Reason``)
    "unknown_card": ("图书馆系统没有这张读者证", "card unknown to the library system"),
    "card_expired": ("读者证已过期", "card expired"),
    "card_lost": ("读者证已挂失", "card reported lost"),
    "too_many_overdue": ("逾期图书过多", "too many overdue items"),
    "fines_too_high": ("欠款过多", "fines too high"),
    "already_on_loan": ("此书已被借出", "already on loan"),
    "already_yours": ("读者已借此书", "already on loan to this reader"),
    "item_not_available": ("此书不可借", "item not available"),
    "on_hold_for_another": ("此书已被他人预约", "on hold for another reader"),
    "not_for_loan": ("此书不外借", "not for loan"),
    "limit_reached": ("已达借阅上限", "loan limit reached"),
    "not_on_loan": ("此书不在借", "not on loan"),
    "renewal_limit": ("已达续借上限", "renewal limit reached"),
    "security_failed": ("防盗标签处理失败", "tag security failed"),
}


def label(key: str) -> Markup:
    """Both languages, each tagged with its ``lang`` so fonts and screen readers pick right."""
    zh, en = LABELS[key]
    return Markup('<span lang="zh-CN">{}</span> <span class="en" lang="en">{}</span>').format(
        zh, en
    )


def period(days: int) -> Markup:
    """ "最近 30 天 · last 30 days": a number inside each language reads naturally in both."""
    return Markup(
        '<span lang="zh-CN">最近 {n} 天</span> <span class="en" lang="en">last {n} days</span>'
    ).format(n=days)


def reason(code: str) -> Markup:
    """A conflict reason in both languages; an unknown code is shown as it came."""
    if code not in REASONS:
        return Markup("<code>{}</code>").format(code)
    zh, en = REASONS[code]
    return Markup('<span lang="zh-CN">{}</span> <span class="en" lang="en">{}</span>').format(
        zh, en
    )


def plain(key: str) -> str:
    """Both languages as plain text, for titles, attributes and SVG labels."""
    zh, en = LABELS[key]
    return f"{zh} {en}"
