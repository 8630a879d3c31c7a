"""Fixed receipts for printer tests and goldens: fixed time, fixed titles, both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kiosk.ports import Receipt, ReceiptLine

AT = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)  # 14:30 in Asia/Shanghai

TITLES = (
    "三体",
    "活着（余华作品）精装纪念版 附赠书签与作者访谈录音光盘一张，共两册",
    "The Very Hungry Caterpillar",
    "平凡的世界",
    "红楼梦",
    "Python编程：从入门到实践（第3版）",
    "小王子",
    "A Brief History of Time: From the Big Bang to Black Holes (Illustrated Edition)",
    "哈利·波特与魔法石",
    "中国国家地理 2024年第5期",
)


def borrow_receipt(language: str, count: int = 10) -> Receipt:
    lines = tuple(
        ReceiptLine(
            title=TITLES[i % len(TITLES)],
            pii=f"3120000{i:07d}",
            due_at=AT + timedelta(days=30 if i % 4 else 60),
            offline=i % 3 == 0,
        )
        for i in range(count)
    )
    branch = "杭州图书馆 西湖城市书房" if language.startswith("zh") else "West Lake Study Room"
    return Receipt(
        kind="checkout",
        kiosk_id="SF-HZ-0007",
        branch_name=branch,
        at=AT,
        language=language,
        lines=lines,
        patron_initials="张*" if language.startswith("zh") else "Z.*",
    )


def return_receipt(language: str) -> Receipt:
    lines = (
        ReceiptLine(title=TITLES[0], pii="31200000000001"),
        ReceiptLine(title=TITLES[2], pii="31200000000002", send_to_owner=True, offline=True),
        ReceiptLine(title=TITLES[4], pii="31200000000003", outcome="unknown_item"),
    )
    return Receipt(
        kind="checkin",
        kiosk_id="SF-HZ-0007",
        branch_name="杭州图书馆 西湖城市书房",
        at=AT,
        language=language,
        lines=lines,
    )
