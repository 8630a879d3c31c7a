"""Admin endpoints (staff token): bulk upserts of items and patrons, holds, policy, e-card keys.

A bulk upsert is one transaction: a batch is validated whole and applied whole or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, HTTPException, Response, status
from sqlalchemy.engine import Connection

from kiosk import ecard
from sync import wire
from sync.central import branches, catalog, staff_wire
from sync.central.database import writing
from sync.central.deps import RuntimeDep, Staff
from sync.central.runtime import Runtime

router = APIRouter(prefix="/admin", tags=["admin"])

#: A set is a book with its CDs or a boxed series, never a hundred parts.
MAX_SET_SIZE = 99
#: Ten million yuan: far above any library fine, well inside the 32-bit column.
MAX_FINES_CENTS = 10**9
MAX_ECARD_DAYS = ecard.MAX_DAYS


def _refuse_unless(ok: bool, key: str, problem: str) -> None:
    """The whole batch is refused with the first record's problem, nothing applied."""
    if not ok:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{key[:64]!r}: {problem}")


@router.put("/items", response_model=staff_wire.UpsertResult)
def upsert_items(
    batch: staff_wire.ItemBatch, staff: Staff, rt: RuntimeDep
) -> staff_wire.UpsertResult:
    for item in batch.items:
        _refuse_unless(
            1 <= item.set_size <= MAX_SET_SIZE, item.pii, f"set_size must be 1-{MAX_SET_SIZE}"
        )
    with writing(rt.engine) as conn:
        return catalog.upsert_items(conn, batch.items, rt.clock.now())


@router.delete("/items/{pii}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(pii: str, staff: Staff, rt: RuntimeDep) -> Response:
    return _delete(rt, catalog.delete_item, pii, "item")


@router.put("/patrons", response_model=staff_wire.UpsertResult)
def upsert_patrons(
    batch: staff_wire.PatronBatch, staff: Staff, rt: RuntimeDep
) -> staff_wire.UpsertResult:
    for patron in batch.patrons:
        ok = 0 <= patron.fines_cents <= MAX_FINES_CENTS
        _refuse_unless(ok, patron.card_id, f"fines_cents must be 0-{MAX_FINES_CENTS}")
        # Never a plain PIN, nor the marker a kiosk holds in place of a hash it may not have.
        ok = patron.pin_hash is None or patron.pin_hash.startswith("scrypt$")
        _refuse_unless(ok, patron.card_id, "pin_hash must be a scrypt hash (shufang card hash-pin)")
    with writing(rt.engine) as conn:
        return catalog.upsert_patrons(conn, batch.patrons, rt.clock.now())


@router.delete("/patrons/{card_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_patron(card_id: str, staff: Staff, rt: RuntimeDep) -> Response:
    return _delete(rt, catalog.delete_patron, card_id, "patron")


def _delete(
    rt: Runtime, delete: Callable[[Connection, str, datetime], bool], key: str, what: str
) -> Response:
    """Delete one record (kiosks get a tombstone in the change feed); 404 when there is none."""
    with writing(rt.engine) as conn:
        if not delete(conn, key, rt.clock.now()):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no {what} {key!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/branches", response_model=staff_wire.UpsertResult)
def set_districts(
    batch: staff_wire.BranchBatch, staff: Staff, rt: RuntimeDep
) -> staff_wire.UpsertResult:
    """Each branch's district (县/区), for the fleet overview; all or nothing."""
    try:
        with writing(rt.engine) as conn:
            return branches.set_districts(conn, batch.branches, rt.clock.now())
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None


@router.post("/holds", response_model=staff_wire.UpsertResult)
def place_holds(
    batch: staff_wire.HoldBatch, staff: Staff, rt: RuntimeDep
) -> staff_wire.UpsertResult:
    with writing(rt.engine) as conn:
        return catalog.place_holds(conn, batch.holds, rt.clock.now())


@router.post("/holds/remove", response_model=staff_wire.UpsertResult)
def remove_holds(
    batch: staff_wire.HoldBatch, staff: Staff, rt: RuntimeDep
) -> staff_wire.UpsertResult:
    with writing(rt.engine) as conn:
        return catalog.remove_holds(conn, batch.holds, rt.clock.now())


@router.put("/policy", response_model=wire.PolicyRecord)
def set_policy(policy: staff_wire.PolicyIn, staff: Staff, rt: RuntimeDep) -> wire.PolicyRecord:
    """Store a new policy version; kiosks receive it (with the e-card keys) as a change."""
    try:
        with writing(rt.engine) as conn:
            catalog.set_policy(conn, policy.document, rt.clock.now())
            return catalog.current_policy(conn)
    except catalog.PolicyError as error:
        detail = {"error": "not a loan policy a kiosk can use", "problems": error.problems}
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from None


@router.post("/ecard-keys", response_model=wire.ECardKey, status_code=status.HTTP_201_CREATED)
def add_ecard_key(staff: Staff, rt: RuntimeDep) -> wire.ECardKey:
    """A new QR e-card key pair: the private key stays here, the public key (returned) is
    replicated to kiosks with the policy."""
    with writing(rt.engine) as conn:
        return catalog.add_ecard_key(conn, rt.clock.now())


@router.post("/ecards", response_model=wire.ECardOut)
def issue_ecard(card: wire.ECardIn, staff: Staff, rt: RuntimeDep) -> wire.ECardOut:
    """Sign a QR e-card for a patron; only the central can, kiosks only verify."""
    _refuse_unless(
        1 <= card.days <= MAX_ECARD_DAYS, card.card_id, f"days must be 1-{MAX_ECARD_DAYS}"
    )
    _refuse_unless(
        0 < len(card.card_id) <= 128 and card.card_id.isprintable() and " " not in card.card_id,
        card.card_id,
        "not a card number",
    )
    try:
        with writing(rt.engine) as conn:
            return catalog.issue_ecard(conn, card.card_id, card.days, rt.clock.now())
    except catalog.NoSuchPatron:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such patron") from None


@router.delete("/ecard-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_ecard_key(key_id: str, staff: Staff, rt: RuntimeDep) -> Response:
    with writing(rt.engine) as conn:
        if not catalog.revoke_ecard_key(conn, key_id, rt.clock.now()):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no active key {key_id!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
