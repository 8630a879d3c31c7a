"""Reason codes for every circulation outcome, each with the key of its reader-facing message.

The core never holds reader-facing text: the UI looks the key up in its translation catalogs,
so Chinese and English stay complete and testable.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why an operation ended the way it did."""

    OK = "ok"
    # identification
    UNKNOWN_CARD = "unknown_card"
    CARD_EXPIRED = "card_expired"
    CARD_LOST = "card_lost"
    PATRON_BLOCKED = "patron_blocked"
    TOO_MANY_OVERDUE = "too_many_overdue"
    FINES_TOO_HIGH = "fines_too_high"
    PIN_REQUIRED = "pin_required"
    PIN_WRONG = "pin_wrong"
    PIN_LOCKED = "pin_locked"
    #: the reader has a PIN, but this kiosk holds no copy of its hash (``pin_hash_scope``) and
    #: cannot ask the central now: the PIN cannot be checked here
    PIN_NOT_HERE = "pin_not_here"
    ECARD_INVALID = "ecard_invalid"
    ECARD_EXPIRED = "ecard_expired"
    PROVISIONAL_OFFLINE = "provisional_offline"
    # items
    UNKNOWN_ITEM = "unknown_item"
    #: a tag on the pad whose memory could not be read (weak, moving): lift it, place it again
    TAG_NOT_READ = "tag_not_read"
    #: a tag read but naming no item (blank, garbled, another layout): scan the barcode instead
    TAG_UNREADABLE = "tag_unreadable"
    NOT_FOR_LOAN = "not_for_loan"
    ITEM_NOT_AVAILABLE = "item_not_available"
    ALREADY_ON_LOAN = "already_on_loan"
    ALREADY_YOURS = "already_yours"
    ON_HOLD_FOR_ANOTHER = "on_hold_for_another"
    SET_INCOMPLETE = "set_incomplete"
    LIMIT_REACHED = "limit_reached"
    CLASS_LIMIT_REACHED = "class_limit_reached"
    OFFLINE_LIMIT_REACHED = "offline_limit_reached"
    KIOSK_CLOSED = "kiosk_closed"
    #: the library system cannot be reached and does not allow offline lending: borrowing,
    #: returns and renewals all wait (unlike "closed", which still takes returns)
    LIBRARY_SYSTEM_DOWN = "library_system_down"
    ITEM_MISSING = "item_missing"  # the library system has it as lost or missing
    FEE_REQUIRED = "fee_required"  # the item has a charge the reader has to accept
    FEE_TO_ACCEPT = "fee_to_accept"  # an offer: borrow it and accept its charge ({fee})
    #: an offer: renew it and accept the charge the library system asks for renewing ({fee})
    RENEWAL_FEE_TO_ACCEPT = "renewal_fee_to_accept"
    #: the library system refused and its reply says nothing the kiosk can read for sure:
    #: the reader is shown the system's own words instead of a guess
    ACS_REFUSED = "acs_refused"
    #: a request reached the library system but its answer did not come back, and the
    #: system's records do not show it applied (or could not be read): try again
    NO_ANSWER = "no_answer"
    # returns and renewals
    NOT_ON_LOAN = "not_on_loan"
    SEND_TO_OWNER = "send_to_owner"
    #: returned, and a rotation plan moves it to another room (details ``room``): the
    #: transfer box, naming the room (issue #17)
    SEND_TO_ROOM = "send_to_room"
    HOLD_WAITING = "hold_waiting"
    NOT_YOUR_LOAN = "not_your_loan"
    TO_STAFF = "to_staff"  # returned, but staff must look at it (a lost item found...)
    RENEWAL_LIMIT = "renewal_limit"
    RENEW_ON_HOLD = "renew_on_hold"
    #: the renewal would not move the due date (the policy renews from today): declined
    #: without using a renewal; details ``renew_on`` is the first day it will
    RENEW_TOO_SOON = "renew_too_soon"
    # tag security
    SECURITY_FAILED = "security_failed"
    #: the kiosk itself failed (its disk is full, its database cannot be written): the item
    #: was not done; said plainly rather than left "processing" (#14 finding 5)
    KIOSK_FAULT = "kiosk_fault"

    @property
    def message_key(self) -> str:
        """Key of the reader-facing message in the UI's catalogs."""
        return f"reason.{self.value}"
