"""Circulation: identify a reader, lend, take back, renew, and follow up the tag's security.

``Circulation`` (in ``lending.py``) is the one object the UI, the SIP2 leg and the CLI call;
``identify.py`` and ``tag_security.py`` hold its other parts, ``base.py`` what they share.
"""

from kiosk.circulation.base import PinChecker, Site
from kiosk.circulation.lending import Circulation

__all__ = ["Circulation", "PinChecker", "Site"]
