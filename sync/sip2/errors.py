"""One error tree for the SIP2 connector, so callers handle categories (offline, refused, bug)."""

from __future__ import annotations


class Sip2Error(Exception):
    """Base of every SIP2 failure. ``code`` is the stable fault code recorded in the store."""

    code = "sip2_error"


class Unavailable(Sip2Error):
    """The library system could not be reached or did not answer in time: decide offline."""

    code = "sip2_unavailable"


class Timeout(Unavailable):
    code = "sip2_timeout"


class ConnectionLost(Unavailable):
    code = "sip2_connection_lost"


class ReplyLost(Unavailable):
    """A state-changing request left the kiosk but no reply came back (lost or too late):
    the ACS may have applied it. Never resent blindly; ask the ACS what happened (17)."""

    code = "sip2_reply_lost"


class MalformedMessage(Sip2Error):
    """A frame that could not be parsed (wrong command, truncated fixed fields, bad bytes)."""

    code = "sip2_malformed"


class ChecksumMismatch(MalformedMessage):
    code = "sip2_checksum"


class LoginRefused(Sip2Error):
    """The ACS said no to the kiosk's account: a configuration problem, not a network one."""

    code = "sip2_login_refused"
