"""Kiosk endpoints for PINs: a check for a kiosk without the reader's hash, and lockouts."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from sqlalchemy.engine import Connection

from kiosk.pin import verify_pin
from sync import wire
from sync.central import pins
from sync.central.database import reading, write_with_retry
from sync.central.deps import Kiosk, RuntimeDep

router = APIRouter(tags=["kiosk"])

#: Longest card id and PIN accepted: a PIN is a few digits; scrypt over megabytes is not.
MAX_CARD = 64
MAX_PIN = 32
#: Most lockouts (and cards with wrong PINs) in one report: a kiosk reports the few since
#: its last pass.
MAX_LOCKOUTS = 500
#: Most wrong PINs one report may add for a card (a kiosk locks it after a handful).
MAX_WRONG = 100


@router.post("/pin-checks", response_model=wire.PinCheckReply)
def check_pin(check: wire.PinCheckIn, kiosk: Kiosk, rt: RuntimeDep) -> wire.PinCheckReply:
    """Check a reader's PIN for a kiosk that holds no hash for them (``pin_hash_scope``).

    Wrong PINs are counted here per card, whichever kiosk asks; the attempt that reaches the
    policy's ``pin_max_attempts`` locks the card for the whole city (``locked``, with the
    end). A card without a PIN at the central answers ``wrong``: nothing to let in by.
    """
    if not check.card_id or len(check.card_id) > MAX_CARD or len(check.pin) > MAX_PIN:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"card_id must be 1-{MAX_CARD} characters and pin at most {MAX_PIN}",
        )
    now = rt.clock.now()
    with reading(rt.engine) as conn:
        until = pins.locked_until(conn, check.card_id, now)
        stored = pins.pin_hash_of(conn, check.card_id)
    if until is not None:
        return wire.PinCheckReply("locked", until)
    right = bool(stored) and bool(check.pin) and verify_pin(check.pin, stored or "")
    return write_with_retry(
        rt.engine,
        lambda conn: pins.record_verdict(conn, kiosk.kiosk_id, check.card_id, right, now),
    )


@router.post("/pin-lockouts", response_model=wire.PinLockoutReply)
def report_pin_lockouts(
    batch: wire.PinLockoutBatch, kiosk: Kiosk, rt: RuntimeDep
) -> wire.PinLockoutReply:
    """Lockouts a kiosk applied after wrong PINs: each goes out on the change feed, so the
    city's other kiosks refuse the card until it ends (never longer than one lockout of the
    current policy from now). A lockout already known to last as long changes nothing.

    ``failures``: wrong PINs typed since the kiosk's last report that did not lock the card
    there; the central adds them up over every kiosk (and its own checks), and the report
    that reaches ``pin_max_attempts`` locks the card for the city as a lockout would."""
    if len(batch.lockouts) > MAX_LOCKOUTS:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, f"at most {MAX_LOCKOUTS} lockouts per report"
        )
    if len(batch.failures) > MAX_LOCKOUTS:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, f"at most {MAX_LOCKOUTS} failures per report"
        )
    for card_id in [x.card_id for x in batch.lockouts] + [x.card_id for x in batch.failures]:
        if not card_id or len(card_id) > MAX_CARD:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, f"card_id must be 1-{MAX_CARD} characters"
            )
    if any(not 1 <= failure.wrong <= MAX_WRONG for failure in batch.failures):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"wrong must be 1-{MAX_WRONG} per card"
        )
    now = rt.clock.now()

    def record(conn: Connection) -> int:
        locked = pins.record_lockouts(conn, kiosk.kiosk_id, batch.lockouts, now)
        return locked + pins.record_failures(conn, kiosk.kiosk_id, batch.failures, now)

    return wire.PinLockoutReply(recorded=write_with_retry(rt.engine, record))
