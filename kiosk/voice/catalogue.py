"""Every spoken prompt, in Mandarin and English, each under a key a library can record over.

Spoken words are shorter than the screen's: a prompt says what to do next, or what went wrong
in a few words, and the screen carries the details (the reader's initials, titles and card
numbers are never spoken). Prompts whose text has ``{placeholders}`` are composed when they are
needed (a count and a due date); all others are fixed and rendered ahead of time.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from kiosk.reasons import Reason

#: Kiosk language -> espeak-ng voice that speaks it (``cmn`` is espeak-ng's Mandarin).
LANGUAGES = {"zh_CN": "cmn", "en": "en"}

#: key -> {language: text}. ``reason.*`` keys match kiosk.reasons.Reason, one per reason.
PROMPTS: dict[str, dict[str, str]] = {
    # steps
    "identify.show_card": {
        "zh_CN": "请出示读者证",
        "en": "Please show your library card.",
    },
    "borrow.place_items": {
        "zh_CN": "请放置图书",
        "en": "Please place your books on the pad.",
    },
    "return.place_items": {
        "zh_CN": "请放置要归还的图书",
        "en": "Please place the books to return on the pad.",
    },
    "borrow.blocked": {
        "zh_CN": "现在不能借书，您仍然可以还书",
        "en": "You cannot borrow right now. You can still return books.",
    },
    "receipt.choose": {
        "zh_CN": "需要凭条吗？",
        "en": "Would you like a receipt?",
    },
    "receipt.take": {
        "zh_CN": "请取走凭条",
        "en": "Please take your receipt.",
    },
    "card.take": {
        "zh_CN": "请取走您的读者证和图书，谢谢",
        "en": "Please take your library card and your books. Thank you.",
    },
    "goodbye": {
        "zh_CN": "谢谢，欢迎再来",
        "en": "Thank you. Goodbye.",
    },
    "idle.warning": {
        "zh_CN": "还需要更多时间吗？请轻触屏幕",
        "en": "Do you need more time? Please touch the screen.",
    },
    "scan.refused": {
        "zh_CN": "无法识别这个条码",
        "en": "This barcode cannot be read.",
    },
    "diag.test": {
        "zh_CN": "语音播报测试",
        "en": "Voice prompt test.",
    },
    # results, composed when needed
    "borrow.done": {
        "zh_CN": "借书成功，共 {count} 本，请在 {month} 月 {day} 日前归还",
        "en": "You have borrowed {count} {books}. Please return by {day} {month_name}.",
    },
    "return.done": {
        "zh_CN": "还书成功，共 {count} 本",
        "en": "You have returned {count} {books}. Thank you.",
    },
    "renew.done": {
        "zh_CN": "续借成功，共 {count} 本，请在 {month} 月 {day} 日前归还",
        "en": "You have renewed {count} {books}. Please return by {day} {month_name}.",
    },
    "session.summary": {  # the closing summary, in ui.summary's words (one place for them)
        "zh_CN": "{sentence}",
        "en": "{sentence}",
    },
    # problems, one per reader-facing reason (kiosk.reasons)
    "reason.unknown_card": {"zh_CN": "没有找到这张读者证", "en": "This card was not found."},
    "reason.card_expired": {
        "zh_CN": "读者证已过期，续办后即可借书",
        "en": "Your card has expired. Renew it to borrow again.",
    },
    "reason.card_lost": {
        "zh_CN": "这张读者证已挂失",
        "en": "This card has been reported lost.",
    },
    "reason.patron_blocked": {
        "zh_CN": "账户暂时受限，不能借书",
        "en": "Your account is blocked for now.",
    },
    "reason.too_many_overdue": {
        "zh_CN": "有逾期未还的书，还书后即可继续借",
        "en": "You have overdue books. Return them to borrow again.",
    },
    "reason.fines_too_high": {
        "zh_CN": "有未缴费用，缴清后即可继续借",
        "en": "You have unpaid fees. Pay them to borrow again.",
    },
    "reason.pin_required": {"zh_CN": "请输入密码", "en": "Please enter your PIN."},
    "reason.pin_wrong": {
        "zh_CN": "密码不正确，请再试一次",
        "en": "Wrong PIN. Please try again.",
    },
    "reason.pin_locked": {
        "zh_CN": "这张卡暂时不能使用，请稍后再试",
        "en": "This card is locked for now. Please try again later.",
    },
    "reason.pin_not_here": {
        "zh_CN": "本机暂时核对不了密码，请改用电子读者证",
        "en": "This kiosk cannot check your PIN now. Please use your e-card.",
    },
    "reason.ecard_invalid": {
        "zh_CN": "无法识别这个电子读者证，请刷新后再试",
        "en": "This e-card cannot be read. Please refresh it and try again.",
    },
    "reason.ecard_expired": {
        "zh_CN": "电子读者证已过期，请刷新",
        "en": "This e-card has expired. Please refresh it.",
    },
    "reason.provisional_offline": {
        "zh_CN": "网络中断，按离线规则借阅",
        "en": "The network is down. You are borrowing under offline rules.",
    },
    "reason.unknown_item": {
        "zh_CN": "无法识别这本书",
        "en": "This book cannot be identified.",
    },
    "reason.tag_not_read": {
        "zh_CN": "没读到这本书，请拿起来再放回",
        "en": "This book was not read. Please lift it and put it back.",
    },
    "reason.tag_unreadable": {
        "zh_CN": "标签读不出来，请扫描书上的条码",
        "en": "The tag cannot be read. Please scan the barcode on the book.",
    },
    "reason.not_for_loan": {
        "zh_CN": "这本书仅供馆内阅读",
        "en": "This book is for reading in the library only.",
    },
    "reason.item_not_available": {
        "zh_CN": "这本书暂时不能外借",
        "en": "This book cannot be borrowed right now.",
    },
    "reason.already_on_loan": {
        "zh_CN": "这本书的记录显示仍在借出",
        "en": "This book is still recorded as on loan.",
    },
    "reason.already_yours": {
        "zh_CN": "这本书已借在您名下",
        "en": "You have already borrowed this book.",
    },
    "reason.on_hold_for_another": {
        "zh_CN": "这本书已被其他读者预约，请放回",
        "en": "Another reader has reserved this book. Please put it back.",
    },
    "reason.set_incomplete": {
        "zh_CN": "这套资料还缺部件，请把全部部件一起放上",
        "en": "Part of this set is missing. Please place all its parts together.",
    },
    "reason.limit_reached": {
        "zh_CN": "已达到可借数量上限",
        "en": "You have reached your borrowing limit.",
    },
    "reason.class_limit_reached": {
        "zh_CN": "这类资料已达到可借数量上限",
        "en": "You have reached the limit for this kind of item.",
    },
    "reason.offline_limit_reached": {
        "zh_CN": "网络中断期间，不能再借更多图书",
        "en": "While the network is down, you cannot borrow more books.",
    },
    "reason.kiosk_closed": {
        "zh_CN": "现在不在开放时间内，可以还书，不能借书",
        "en": "The library is closed now. You can return books, but not borrow.",
    },
    "reason.library_system_down": {
        "zh_CN": "暂时连不上图书馆系统，请稍后再试",
        "en": "The library system cannot be reached. Please try again later.",
    },
    "reason.item_missing": {
        "zh_CN": "系统记录这本书已丢失",
        "en": "This book is recorded as missing.",
    },
    "reason.fee_required": {
        "zh_CN": "这本书外借需要付费",
        "en": "This book has a charge to borrow.",
    },
    "reason.fee_to_accept": {
        "zh_CN": "这本书外借收费，请在屏幕上确认",
        "en": "This book has a charge. Please confirm on the screen.",
    },
    "reason.renewal_fee_to_accept": {
        "zh_CN": "续借这本书收费，请在屏幕上确认",
        "en": "Renewing this book has a charge. Please confirm on the screen.",
    },
    "reason.acs_refused": {
        "zh_CN": "图书馆系统未允许此操作，请看屏幕上的说明",
        "en": "The library system did not allow this. Please read the screen.",
    },
    "reason.no_answer": {
        "zh_CN": "图书馆系统没有确认，请再试一次",
        "en": "The library system did not confirm. Please try again.",
    },
    "reason.not_on_loan": {"zh_CN": "已收到这本书", "en": "This book has been received."},
    "reason.send_to_owner": {
        "zh_CN": "已还。这本书要送回别的馆，请放进贴有其他馆标签的箱子",
        "en": "Returned. Please put this book in the box marked Other libraries.",
    },
    "reason.send_to_room": {
        "zh_CN": "已还。这本书要送到别的书房，请放进贴有调拨标签的箱子",
        "en": "Returned. Please put this book in the box marked Transfers.",
    },
    "reason.hold_waiting": {
        "zh_CN": "已还。有读者在等这本书，请放在贴有预约标签的书架上",
        "en": "Returned. A reader is waiting for it: put it on the shelf marked Reserved.",
    },
    "reason.not_your_loan": {
        "zh_CN": "这本书不在您的名下",
        "en": "This book is not on your account.",
    },
    "reason.to_staff": {
        "zh_CN": "已还。请把这本书放进贴有交给工作人员标签的箱子",
        "en": "Returned. Please put this book in the box marked For staff.",
    },
    "reason.renewal_limit": {
        "zh_CN": "已达到续借次数上限",
        "en": "This book cannot be renewed again.",
    },
    "reason.renew_on_hold": {
        "zh_CN": "有读者预约，不能续借",
        "en": "Another reader has reserved it, so it cannot be renewed.",
    },
    "reason.renew_too_soon": {
        "zh_CN": "现在续借不会延长借期，请过几天再续借",
        "en": "Renewing now would not extend the loan. Please renew in a few days.",
    },
    "reason.kiosk_fault": {
        "zh_CN": "本机出了故障，这本书没有办成，请稍后再试",
        "en": "This kiosk has a fault and this book was not done. Please try again later.",
    },
    "reason.security_failed": {
        "zh_CN": "请把这本书重新放好，再试一次",
        "en": "Please place this book again and try once more.",
    },
}

#: Reasons that are never spoken on their own (success is said by the result prompts).
UNSPOKEN_REASONS = frozenset({Reason.OK})


@dataclass(frozen=True)
class Utterance:
    """One thing to say: its catalogue key, language and the exact words."""

    key: str
    language: str
    text: str

    @property
    def voice(self) -> str:
        return LANGUAGES[self.language]

    @property
    def fixed(self) -> bool:
        """Fixed prompts are rendered ahead of time and can be replaced by a recording."""
        return not placeholders(PROMPTS[self.key][self.language])


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def compose(key: str, language: str, **values: object) -> Utterance:
    """The words for ``key`` in ``language`` (falling back to Mandarin), values filled in.

    A missing value is an error rather than a spoken "{count}".
    """
    texts = PROMPTS[key]
    language = language if language in texts else "zh_CN"
    return Utterance(key, language, texts[language].format(**values))


def fixed_utterances(languages: tuple[str, ...] = tuple(LANGUAGES)) -> list[Utterance]:
    """Every fixed prompt in every language: what is rendered ahead of need at start-up."""
    return [
        Utterance(key, language, texts[language])
        for key, texts in PROMPTS.items()
        for language in languages
        if not placeholders(texts[language])
    ]
