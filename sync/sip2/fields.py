"""SIP2 field vocabulary: variable-field ids, patron-status flags and the 18-character dates."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

#: Variable-field ids the connector reads or writes, by name (for readable code and logs).
PATRON_ID = "AA"
ITEM_ID = "AB"
TERMINAL_PASSWORD = "AC"
PATRON_PASSWORD = "AD"
PERSONAL_NAME = "AE"
SCREEN_MESSAGE = "AF"
PRINT_LINE = "AG"
DUE_DATE = "AH"
TITLE = "AJ"
INSTITUTION = "AO"
CURRENT_LOCATION = "AP"
PERMANENT_LOCATION = "AQ"
OWNER = "BG"
CANCEL = "BI"
VALID_PATRON = "BL"
FEE_AMOUNT = "BV"
FEE_TYPE = "BT"
CURRENCY = "BH"
FEE_LIMIT = "CC"
CHARGED_LIMIT = "BZ"
OVERDUE_LIMIT = "CA"
FEE_ACKNOWLEDGED = "BO"
CHARGED_ITEMS = "AU"
DESTINATION = "CT"  # 3M extension: where a returned item must go
HOLD_PATRON = "CY"  # 3M extension: the reader a returned item is held for
ITEM_PROPERTIES = "CH"
LOGIN_USER = "CN"
LOGIN_PASSWORD = "CO"
LOCATION_CODE = "CP"
VALID_PATRON_PASSWORD = "CQ"
HOLD_QUEUE_LENGTH = "CF"
SORT_BIN = "CL"
ALERT_TYPE = "CV"  # an extension (3M 2.00 addendum, Evergreen, Koha), absent from many servers
SCREEN_FIELDS = (SCREEN_MESSAGE, PRINT_LINE)

#: Fields whose values identify a reader: never written to a log.
PRIVATE_FIELDS = frozenset(
    {
        PATRON_ID,
        PATRON_PASSWORD,
        PERSONAL_NAME,
        LOGIN_PASSWORD,
        TERMINAL_PASSWORD,
        "BD",
        "BE",
        "BF",
        "AS",
        "AT",
        "AU",
        "AV",
        "BU",
        "CD",
    }
)

#: Positions of the 14-character patron status (24/64): "Y" means the privilege is denied.
PATRON_STATUS_FLAGS = (
    "charge_denied",
    "renewal_denied",
    "recall_denied",
    "hold_denied",
    "card_lost",
    "too_many_charged",
    "too_many_overdue",
    "too_many_renewals",
    "too_many_claims_returned",
    "too_many_lost",
    "excessive_fines",
    "excessive_fees",
    "recall_overdue",
    "too_many_billed",
)

#: Item circulation status (18), by code.
CIRCULATION_STATUS = {
    "01": "other",
    "02": "on_order",
    "03": "available",
    "04": "charged",
    "05": "charged_not_to_be_recalled",
    "06": "in_process",
    "07": "recalled",
    "08": "waiting_on_hold_shelf",
    "09": "waiting_to_be_reshelved",
    "10": "in_transit",
    "11": "claimed_returned",
    "12": "lost",
    "13": "missing",
}

BLANK_DATE = " " * 18


def sip_date(when: datetime, tz: tzinfo | None = None) -> str:
    """``YYYYMMDDZZZZHHMMSS``: in UTC (zone ``   Z``) unless a local zone is given.

    Many systems ignore the zone field and read the time as their own local time, so a site
    can ask for local time (four blanks) by passing its zone.
    """
    if when.tzinfo is None:
        raise ValueError("refusing to send a naive datetime")
    if tz is None:
        utc = when.astimezone(UTC)
        return utc.strftime("%Y%m%d") + "   Z" + utc.strftime("%H%M%S")
    local = when.astimezone(tz)
    return local.strftime("%Y%m%d") + "    " + local.strftime("%H%M%S")


_SIP_DATE = re.compile(r"(\d{8})(.{4})(\d{6})")
_OTHER_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%Y%m%d",
    "%m/%d/%Y",
    "%d.%m.%Y",
)


def parse_date(text: str | None, tz: tzinfo = UTC) -> datetime | None:
    """A date from a reply, or None when blank or unreadable.

    The due date (``AH``) is free text in SIP2 and systems differ (Koha sends the 18-character
    form, others ISO dates or local forms), so this tries the common ones. A date without a
    time means the end of that day in the site's zone.
    """
    if not text or not text.strip():
        return None
    text = text.strip()
    match = _SIP_DATE.fullmatch(text)
    if match:
        day, zone, hms = match.groups()
        try:
            naive = datetime.strptime(day + hms, "%Y%m%d%H%M%S")
        except ValueError:
            return None
        return naive.replace(tzinfo=UTC if zone.strip() == "Z" else tz).astimezone(UTC)
    for form in _OTHER_FORMATS:
        try:
            naive = datetime.strptime(text, form)
        except ValueError:
            continue
        if "%H" not in form:
            naive = naive + timedelta(hours=23, minutes=59, seconds=59)
        return naive.replace(tzinfo=tz).astimezone(UTC)
    return None
