"""What the QR "receipt" holds: a short list a phone shows as it is, or the library's own page.

A phone camera shows a QR code's text as it reads it, so the text is written for a reader, not
a program: the branch and day, each title shortened with its due date, and the session's
summary sentence. Kept small (a few hundred bytes), the code stays coarse enough to scan from
the screen. A library with a page for its readers (loans, renewals) sets ``ui.receipt_qr`` to
``link`` and ``ui.receipt_qr_link`` to a URL template instead. Neither holds the reader's card
number or name: whoever photographs the screen learns no more than the screen showed.
"""

from __future__ import annotations

from string import Formatter
from urllib.parse import quote
from zoneinfo import ZoneInfo

from kiosk.ports import Receipt
from ui.i18n import catalog
from ui.summary import day_text

TITLE_CHARS = 14  # a title longer than this is cut, with an ellipsis
MAX_LINES = 10  # titles listed; the rest are counted
LINK_FIELDS = ("kiosk", "kind", "at", "items")


def shorten(title: str, limit: int = TITLE_CHARS) -> str:
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def receipt_qr_text(receipt: Receipt, summary: str, tz: ZoneInfo) -> str:
    """The list a phone shows: 朝阳城市书房 · 借书 · 2026-12-04 14:05, then one line a book."""
    words = catalog(receipt.language)
    kind = words["receipt.qr_checkout" if receipt.kind == "checkout" else "receipt.qr_checkin"]
    lines = [f"{receipt.branch_name} · {kind} · {receipt.at.astimezone(tz):%Y-%m-%d %H:%M}"]
    for line in receipt.lines[:MAX_LINES]:
        text = shorten(line.title)
        if line.due_at is not None:
            due = day_text(line.due_at.astimezone(tz).date(), receipt.language)
            text += " — " + words["receipt.qr_due"].format(date=due)
        lines.append(text)
    if len(receipt.lines) > MAX_LINES:
        lines.append(words["receipt.qr_more"].format(count=len(receipt.lines) - MAX_LINES))
    if summary:
        lines.append(summary)
    return "\n".join(lines)


def receipt_qr_link(template: str, receipt: Receipt) -> str:
    """``template`` with {kiosk}, {kind}, {at} (UTC, 20261204T060512Z) and {items} (the item
    barcodes, comma-separated) filled in, each URL-encoded; other braces are left as written."""
    values = {
        "kiosk": receipt.kiosk_id,
        "kind": receipt.kind,
        "at": receipt.at.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ"),
        "items": ",".join(line.pii for line in receipt.lines),
    }
    out = []
    for literal, name, spec, conversion in Formatter().parse(template):
        out.append(literal)
        if name is None:
            continue
        if name in values:
            out.append(quote(values[name], safe=","))
        else:  # not ours: keep it as the library wrote it
            out.append("{" + name + (f"!{conversion}" if conversion else "")
                       + (f":{spec}" if spec else "") + "}")  # fmt: skip
    return "".join(out)


def receipt_qr_content(
    receipt: Receipt, *, summary: str, tz: ZoneInfo, mode: str = "text", link: str = ""
) -> str:
    """What the QR code encodes for ``ui.receipt_qr`` = ``mode`` (a link needs a template)."""
    if mode == "link" and link:
        return receipt_qr_link(link, receipt)
    return receipt_qr_text(receipt, summary, tz)
