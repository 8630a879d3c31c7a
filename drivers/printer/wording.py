"""What receipts say, per language: the one place their wording lives."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class ReceiptWords:
    titles: MappingProxyType[str, str]  # by receipt kind
    kiosk: str
    time: str
    patron: str
    barcode: str
    due: str
    offline_mark: str
    send_to_owner: str
    send_to_room: str  # format with {room}
    not_done: str
    outcomes: MappingProxyType[str, str]  # short reasons for lines that did not go through
    total: str  # format with {count}
    offline_note: str
    footer: str

    def title(self, kind: str) -> str:
        return self.titles.get(kind, kind)

    def outcome(self, code: str) -> str:
        return self.outcomes.get(code, code)


ZH_CN = ReceiptWords(
    titles=MappingProxyType({"checkout": "借书凭条", "checkin": "还书凭条", "renew": "续借凭条"}),
    kiosk="自助机",
    time="时间",
    patron="读者",
    barcode="条码",
    due="应还日期",
    offline_mark="离线办理",
    send_to_owner="本书属于其他馆，将由工作人员转运归还",
    send_to_room="本书将送到{room}",
    not_done="未办理",
    outcomes=MappingProxyType(
        {
            "limit_reached": "已达借书上限",
            "not_for_loan": "此书不外借",
            "on_hold_for_another": "已被他人预约",
            "renewal_limit": "已达续借次数上限",
            "security_failed": "标签写入失败，请重新放置",
            "unknown_item": "未找到此书",
        }
    ),
    total="共 {count} 册",
    offline_note="标有“离线办理”的记录将在网络恢复后自动同步。",
    footer="谢谢使用，请妥善保管凭条。",
)

EN = ReceiptWords(
    titles=MappingProxyType(
        {"checkout": "Loan receipt", "checkin": "Return receipt", "renew": "Renewal receipt"}
    ),
    kiosk="Kiosk",
    time="Time",
    patron="Reader",
    barcode="Barcode",
    due="Due",
    offline_mark="RECORDED OFFLINE",
    send_to_owner="Belongs to another library; staff will send it back.",
    send_to_room="Moves to {room}.",
    not_done="Not done",
    outcomes=MappingProxyType(
        {
            "limit_reached": "loan limit reached",
            "not_for_loan": "not for loan",
            "on_hold_for_another": "on hold for another reader",
            "renewal_limit": "no renewals left",
            "security_failed": "tag write failed, place it again",
            "unknown_item": "item not found",
        }
    ),
    total="{count} items",
    offline_note="Items marked RECORDED OFFLINE are sent to the library when the network is back.",
    footer="Thank you. Please keep this receipt.",
)

CATALOG: MappingProxyType[str, ReceiptWords] = MappingProxyType({"zh_CN": ZH_CN, "en": EN})


def words_for(language: str) -> ReceiptWords:
    """The wording for ``language`` (``zh_CN``, ``zh``, ``en``, ``en_US`` …); Chinese otherwise."""
    if language in CATALOG:
        return CATALOG[language]
    base = language.replace("-", "_").split("_")[0].lower()
    return {"zh": ZH_CN, "en": EN}.get(base, ZH_CN)
