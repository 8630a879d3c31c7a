"""The requests the kiosk (SIP2's self-check, "SC") sends the library system, built once each.

A request decided live and the same request replayed from the offline journal differ only in
"no block" and their dates, so both come from here. ``at`` and ``due`` are 18-character SIP2
dates (``fields.sip_date`` in the zone the dialect expects); a field whose value is None is
left out of the message.
"""

from __future__ import annotations

from sync.sip2 import messages
from sync.sip2.client import Account
from sync.sip2.fields import (
    CANCEL,
    CURRENT_LOCATION,
    FEE_ACKNOWLEDGED,
    INSTITUTION,
    ITEM_ID,
    PATRON_ID,
    PATRON_PASSWORD,
    TERMINAL_PASSWORD,
)
from sync.sip2.messages import Message

# patron information (63) summary: position 3 asks for the charged items
NO_SUMMARY = " " * 10
CHARGED_ITEMS_SUMMARY = "  Y       "


def _yes(flag: bool) -> str | None:
    return "Y" if flag else None


def checkout(
    account: Account,
    card: str,
    pii: str,
    *,
    at: str,
    due: str,
    no_block: bool = False,
    pin: str | None = None,
    fee_acknowledged: bool = False,
    cancel: bool = False,
) -> Message:
    """Checkout (11); with ``cancel`` it undoes a checkout, or cancels a failed checkin."""
    return messages.request(
        "11",
        {
            "sc_renewal_policy": "N",
            "no_block": "Y" if no_block else "N",
            "transaction_date": at,
            "nb_due_date": due,
        },
        (INSTITUTION, account.institution_id),
        (PATRON_ID, card),
        (ITEM_ID, pii),
        (TERMINAL_PASSWORD, account.terminal_password),
        (PATRON_PASSWORD, pin),
        (FEE_ACKNOWLEDGED, _yes(fee_acknowledged)),
        (CANCEL, _yes(cancel)),
    )


def checkin(
    account: Account, pii: str, *, at: str, no_block: bool = False, cancel: bool = False
) -> Message:
    """Checkin (09) at the kiosk's location; with ``cancel`` it undoes a checkout."""
    return messages.request(
        "09",
        {"no_block": "Y" if no_block else "N", "transaction_date": at, "return_date": at},
        (CURRENT_LOCATION, account.location_code),
        (INSTITUTION, account.institution_id),
        (ITEM_ID, pii),
        (TERMINAL_PASSWORD, account.terminal_password),
        (CANCEL, _yes(cancel)),
    )


def renew(
    account: Account,
    card: str,
    pii: str,
    *,
    at: str,
    due: str,
    no_block: bool = False,
    pin: str | None = None,
    fee_acknowledged: bool = False,
) -> Message:
    """Renew (29) one item; ``fee_acknowledged`` sends BO = Y for a charge accepted."""
    return messages.request(
        "29",
        {
            "third_party_allowed": "N",
            "no_block": "Y" if no_block else "N",
            "transaction_date": at,
            "nb_due_date": due,
        },
        (INSTITUTION, account.institution_id),
        (PATRON_ID, card),
        (PATRON_PASSWORD, pin),
        (ITEM_ID, pii),
        (TERMINAL_PASSWORD, account.terminal_password),
        (FEE_ACKNOWLEDGED, _yes(fee_acknowledged)),
    )


def patron_status(account: Account, card: str, pin: str | None, *, at: str) -> Message:
    """Patron status (23); the PIN field is always sent (blank when none was typed)."""
    return messages.request(
        "23",
        {"language": account.language, "transaction_date": at},
        (INSTITUTION, account.institution_id),
        (PATRON_ID, card),
        (TERMINAL_PASSWORD, account.terminal_password),
        (PATRON_PASSWORD, pin or ""),
    )


def patron_information(
    account: Account, card: str, pin: str | None, *, at: str, summary: str = NO_SUMMARY
) -> Message:
    """Patron information (63); ``summary`` asks for one list of items (none by default)."""
    return messages.request(
        "63",
        {"language": account.language, "transaction_date": at, "summary": summary},
        (INSTITUTION, account.institution_id),
        (PATRON_ID, card),
        (TERMINAL_PASSWORD, account.terminal_password),
        (PATRON_PASSWORD, pin),
    )


def item_information(account: Account, pii: str, *, at: str) -> Message:
    """Item information (17)."""
    return messages.request(
        "17",
        {"transaction_date": at},
        (INSTITUTION, account.institution_id),
        (ITEM_ID, pii),
        (TERMINAL_PASSWORD, account.terminal_password),
    )


def end_session(account: Account, card: str, *, at: str) -> Message:
    """End patron session (35)."""
    return messages.request(
        "35",
        {"transaction_date": at},
        (INSTITUTION, account.institution_id),
        (PATRON_ID, card),
        (TERMINAL_PASSWORD, account.terminal_password),
    )
