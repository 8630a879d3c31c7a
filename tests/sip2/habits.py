"""A scripted ACS whose replies follow the habits of real library systems, per situation.

Each system answers the same situations (a reader at the loan limit, a fines block, a lost
item...) the way that system does: whether it fills the 14 patron-status flags, which
fields it adds (BV/CC/BZ), which words it puts in AF and in which language, which
circulation status its 17 gives. The words marked "recorded" come from that project's own
source or public tests (cited); the others imitate the system's style and are marked so.
Frames are written here by hand, field by field from the SIP2 2.00 layout, not with the
client's encoder.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.sip2.scripted import ScriptedAcs

DATE = "20261124    100000"
#: SIP2 2.00 patron status positions (24/64), written out here rather than imported.
FLAG_POSITIONS = {
    "charge_denied": 0,
    "renewal_denied": 1,
    "recall_denied": 2,
    "hold_denied": 3,
    "card_lost": 4,
    "too_many_charged": 5,
    "too_many_overdue": 6,
    "too_many_renewals": 7,
    "too_many_claims_returned": 8,
    "too_many_lost": 9,
    "excessive_fines": 10,
    "excessive_fees": 11,
    "recall_overdue": 12,
    "too_many_billed": 13,
}
#: 18's circulation status codes (SIP2 2.00).
STATUS = {
    "available": "03",
    "charged": "04",
    "recalled": "07",
    "hold_shelf": "08",
    "in_transit": "10",
    "lost": "12",
    "missing": "13",
}


def flags(*names: str) -> str:
    cells = [" "] * 14
    for name in names:
        cells[FLAG_POSITIONS[name]] = "Y"
    return "".join(cells)


def variable(*pairs: tuple[str, str]) -> str:
    return "".join(f"{fid}{value}|" for fid, value in pairs)


@dataclass(frozen=True)
class Situation:
    """What one system says in one situation: patron flags and fields, refusal words, item."""

    flags: tuple[str, ...] = ()
    patron_fields: tuple[tuple[str, str], ...] = ()
    patron_words: tuple[str, ...] = ()
    refusal_words: tuple[str, ...] = ()
    refusal_fields: tuple[tuple[str, str], ...] = ()
    item: str = "available"
    hold_queue: int = 0
    renewal_ok_on_refusal: str = "N"
    charged: int = 0


@dataclass
class HabitAcs:
    """Answers 99, 63/23, 11, 29, 09 and 17 for one situation; every 11/29/09 is refused."""

    situation: Situation
    seen: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.acs = ScriptedAcs(self.answer)
        self.port = self.acs.port

    def close(self) -> None:
        self.acs.close()

    def answer(self, frame: bytes) -> list[bytes]:
        text = frame.decode("utf-8")
        command = text[:2]
        self.seen.append(command)
        s = self.situation
        if command == "99":
            body = "98YYYYYY005003" + DATE + "2.00" + variable(("AO", "CITY"), ("BX", "Y" * 16))
        elif command in ("63", "23"):
            status = flags(*s.flags)
            fixed = status + "000" + DATE
            if command == "63":
                fixed += "0000" + "0000" + f"{s.charged:04d}" + "0000" * 3
            body = (
                ("64" if command == "63" else "24")
                + fixed
                + variable(
                    ("AO", "CITY"),
                    ("AA", "R1"),
                    ("AE", "Test Reader"),
                    ("BL", "Y"),
                    *(("CQ", "Y"),) * ("AD" in text),
                    *s.patron_fields,
                    *(("AF", w) for w in s.patron_words),
                )
            )
        elif command in ("11", "29"):
            reply = "12" if command == "11" else "30"
            body = (
                reply
                + "0"
                + s.renewal_ok_on_refusal
                + "N"
                + "N"
                + DATE
                + variable(
                    ("AO", "CITY"),
                    ("AA", "R1"),
                    ("AB", "B1"),
                    ("AJ", "A title"),
                    ("AH", ""),
                    *s.refusal_fields,
                    *(("AF", w) for w in s.refusal_words),
                )
            )
        elif command == "09":
            body = (
                "100YNN"
                + DATE
                + variable(("AO", "CITY"), ("AB", "B1"), *(("AF", w) for w in s.refusal_words))
            )
        elif command == "17":
            body = (
                "18"
                + STATUS[s.item]
                + "02"
                + "01"
                + DATE
                + variable(
                    ("AB", "B1"),
                    ("AJ", "A title"),
                    ("CF", str(s.hold_queue)),
                )
            )
        else:
            return []
        return [body.encode("utf-8") + b"\r"]


# --- the systems ------------------------------------------------------------------------

#: Koha (C4/SIP/ILS.pm and C4/SIP/ILS/Transaction/Checkout.pm, Koha-Community/Koha):
#: flags filled; recorded words "Patron expired on 01/03/2020" (t/db_dependent/SIP/ILS.t),
#: "Patron has fines - You owe $5.00.", "Item checked out to another patron",
#: "Item is on hold shelf for another patron.", "Renewals not allowed."; "TOO_MANY_CHECKOUTS"
#: as AF at the item limit is recorded from digibib/ls.ext's SIP checkout steps. The renewal
#: codes ("too_many", "on_reserve") imitate CanBookBeRenewed's error codes.
KOHA = {
    "limit": Situation(refusal_words=("TOO_MANY_CHECKOUTS",)),
    "fines": Situation(
        flags=("charge_denied", "excessive_fines"),
        patron_fields=(("BV", "5.00"), ("CC", "5.00")),
        refusal_words=("Patron has fines - You owe $5.00.",),
    ),
    "item_lost": Situation(refusal_words=("Checkout failed",), item="lost"),
    "item_missing": Situation(refusal_words=("Checkout failed",), item="missing"),
    "hold_other": Situation(
        refusal_words=("Item is on hold shelf for another patron.",), item="hold_shelf"
    ),
    "on_loan_other": Situation(
        refusal_words=("Item checked out to another patron",), item="charged"
    ),
    "renew_limit": Situation(refusal_words=("too_many",), item="charged"),
    "renew_hold": Situation(refusal_words=("on_reserve",), item="charged", hold_queue=1),
    "expired": Situation(
        flags=("charge_denied", "renewal_denied", "recall_denied", "hold_denied"),
        patron_words=("Patron expired on 01/03/2020",),
    ),
    "mystery": Situation(refusal_words=("Checkout failed",)),
}

#: Evergreen (OpenILS::SIP, evergreen-library-system/Evergreen): flags filled; every permit
#: failure is the same recorded sentence "Patron is not allowed to check out the selected
#: item", so only the flags and 17 can tell why.
_EG = "Patron is not allowed to check out the selected item"
EVERGREEN = {
    "limit": Situation(flags=("too_many_charged",), refusal_words=(_EG,)),
    "fines": Situation(
        flags=("charge_denied", "excessive_fines"),
        patron_fields=(("BV", "12.50"), ("CC", "10.00")),
        refusal_words=(_EG,),
    ),
    "item_lost": Situation(refusal_words=(_EG,), item="lost"),
    "item_missing": Situation(refusal_words=(_EG,), item="missing"),
    "hold_other": Situation(refusal_words=(_EG,), item="hold_shelf"),
    "on_loan_other": Situation(refusal_words=(_EG,), item="charged"),
    "renew_limit": Situation(refusal_words=("MAX_RENEWALS_REACHED",), item="charged"),
    "renew_hold": Situation(refusal_words=("COPY_NEEDED_FOR_HOLD",), item="charged", hold_queue=2),
    "expired": Situation(flags=("charge_denied",), patron_words=("PATRON_ACCOUNT_EXPIRED",)),
    "mystery": Situation(refusal_words=(_EG,)),
}

#: FOLIO edge-sip2 (folio-org): flags left blank, blocks only in AF; the words are
#: mod-circulation's recorded messages ("Patron has reached maximum limit of 1 items for
#: material type", "loan has reached its maximum number of renewals") and its automated
#: patron block for fees (imitated: "Maximum outstanding fee/fine balance").
FOLIO = {
    "limit": Situation(
        refusal_words=("Patron has reached maximum limit of 1 items for material type",)
    ),
    "fines": Situation(
        patron_words=("Patron has reached maximum allowed outstanding fee/fine balance",),
        refusal_words=("Patron has reached maximum allowed outstanding fee/fine balance",),
    ),
    "item_lost": Situation(refusal_words=("Item is not loanable",), item="lost"),
    "item_missing": Situation(refusal_words=("Item is not loanable",), item="missing"),
    "hold_other": Situation(
        refusal_words=("Item is already checked out",), item="hold_shelf", hold_queue=1
    ),
    "on_loan_other": Situation(refusal_words=("Item is already checked out",), item="charged"),
    "renew_limit": Situation(
        refusal_words=("loan has reached its maximum number of renewals",), item="charged"
    ),
    "renew_hold": Situation(
        refusal_words=(
            "Items with this loan policy cannot be renewed when there is an active recall request",
        ),
        item="recalled",
    ),
    "expired": Situation(patron_words=("Patron's account has expired",)),
    "mystery": Situation(refusal_words=("Unable to complete the request",)),
}

#: Sierra (imitated habits): flags filled, upper-case AF sentences.
SIERRA = {
    "limit": Situation(flags=("too_many_charged",), refusal_words=("TOO MANY ITEMS CHECKED OUT",)),
    "fines": Situation(
        flags=("excessive_fines",), refusal_words=("EXCESSIVE FINES - PAY AT DESK. LIMIT $10",)
    ),
    "item_lost": Situation(refusal_words=("ITEM STATUS LOST",), item="lost"),
    "item_missing": Situation(refusal_words=("ITEM CANNOT BE CHECKED OUT",), item="missing"),
    "hold_other": Situation(refusal_words=("ITEM HAS HOLD FOR ANOTHER PATRON",), item="hold_shelf"),
    "on_loan_other": Situation(refusal_words=("ITEM IS CHECKED OUT",), item="charged"),
    "renew_limit": Situation(refusal_words=("TOO MANY RENEWALS",), item="charged"),
    "renew_hold": Situation(
        refusal_words=("ON HOLD FOR ANOTHER PATRON",), item="charged", hold_queue=1
    ),
    "expired": Situation(flags=("charge_denied",), patron_words=("CARD EXPIRED - SEE STAFF",)),
    "mystery": Situation(refusal_words=("SEE STAFF",)),
}

#: Polaris (imitated habits): flags filled, BZ/CC sent, long sentences that name limits.
POLARIS = {
    "limit": Situation(
        patron_fields=(("BZ", "0010"),),
        charged=10,
        refusal_words=("Patron has reached the maximum number of items out. Limit: 10",),
    ),
    "fines": Situation(
        patron_fields=(("BV", "25.00"), ("CC", "10.00")),
        refusal_words=("Patron's fines exceed the limit of $10.00",),
    ),
    "item_lost": Situation(refusal_words=("Item status does not allow checkout",), item="lost"),
    "item_missing": Situation(
        refusal_words=("Item status does not allow checkout",), item="missing"
    ),
    "hold_other": Situation(
        refusal_words=("This item is on hold for another patron",), item="hold_shelf"
    ),
    "on_loan_other": Situation(refusal_words=("Item is out to another patron",), item="charged"),
    "renew_limit": Situation(
        refusal_words=("The renewal limit for this item has been reached",), item="charged"
    ),
    "renew_hold": Situation(
        refusal_words=("Item has a hold request; renewal blocked",), item="charged", hold_queue=1
    ),
    "expired": Situation(flags=("charge_denied",), patron_words=("Patron's card has expired",)),
    "mystery": Situation(refusal_words=("Transaction denied (code 4711)",)),
}

#: A Chinese system (Interlib-like, imitated habits): 23 not 63, flags blank, Chinese AF.
CHINESE = {
    "limit": Situation(refusal_words=("借阅数量已达上限，不能再借",)),
    "fines": Situation(
        patron_words=("读者有欠款未缴，暂停借阅",),
        refusal_words=("读者有欠款未缴，超过限额，不能借书",),
    ),
    "item_lost": Situation(refusal_words=("该书已丢失",), item="lost"),
    "item_missing": Situation(refusal_words=("操作失败",), item="missing"),
    "hold_other": Situation(refusal_words=("该书已被其他读者预约",), item="hold_shelf"),
    "on_loan_other": Situation(refusal_words=("该书已借出",), item="charged"),
    "renew_limit": Situation(refusal_words=("续借次数已达上限",), item="charged"),
    "renew_hold": Situation(
        refusal_words=("该书已被预约，不能续借",), item="charged", hold_queue=1
    ),
    "expired": Situation(patron_words=("读者证已过期，请到服务台办理",)),
    "mystery": Situation(refusal_words=("操作失败，请联系馆员",)),
}

SYSTEMS = {
    "koha": KOHA,
    "evergreen": EVERGREEN,
    "folio": FOLIO,
    "sierra": SIERRA,
    "polaris": POLARIS,
    "interlib": CHINESE,
}
