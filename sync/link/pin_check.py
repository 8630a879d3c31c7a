"""The kiosk's PIN check at the central, for readers whose hash it does not hold.

Wired into the touch process's circulation core by the composition root (``shufang run``)
on a central site. Any failure to get an answer (network, token, a reply that is not the
central's) is "cannot check now" (None), which the core turns into a plain refusal.
"""

from __future__ import annotations

import logging

from sync.link.client import CentralClient, CentralError

log = logging.getLogger(__name__)


class CentralPinCheck:
    """``kiosk.circulation.PinChecker`` backed by ``POST /api/v1/pin-checks``."""

    def __init__(self, client: CentralClient) -> None:
        self.client = client

    def __call__(self, card_id: str, pin: str) -> bool | None:
        try:
            reply = self.client.check_pin(card_id, pin)
        except (CentralError, ValueError, TypeError, KeyError, AttributeError) as error:
            # The card and the PIN stay out of the log.
            log.warning("the central could not check a PIN: %s", type(error).__name__)
            return None
        return reply.verdict == "right"


def central_pin_check(url: str, token: str, timeout_s: float) -> CentralPinCheck | None:
    """The checker for a kiosk enrolled at ``url``; None without a token (nothing to ask)."""
    if not url or not token:
        return None
    return CentralPinCheck(CentralClient(url, token, timeout=timeout_s))
