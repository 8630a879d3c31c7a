"""Pulls the central's change feed and applies each page atomically, cursor included.

The cursor is stored in the same SQLite transaction as the page's changes, so a pull cut
short (power, network, a kill) resumes at the first page not applied, and a page applied
twice changes nothing (every change is an upsert or a delete by key).

While one page is applied the next is already being fetched (HTTP and JSON decoding) on a
helper thread, so on a long pull the central and the kiosk work at the same time. Only the
fetching moves: pages are applied on the caller's thread, in order, by the store's one
connection.
"""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from kiosk.clock import Clock, from_text
from kiosk.models import CardKind, Patron, Rotation, Severity
from kiosk.policy_check import policy_problems
from kiosk.store import Store
from kiosk.store.rows import item_row_from_record
from kiosk.store.state import CURSOR_KEY, ECARD_KEYS_KEY, LEGACY_ECARD_SECRETS_KEY


class ChangeFeed(Protocol):
    def changes_json(
        self, cursor: int, limit: int, *, known: int | None = None
    ) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class PullReport:
    pages: int = 0
    changes: int = 0
    cursor: int = 0
    policy_version: str | None = None  # set when a new policy arrived


def cursor_of(store: Store) -> int:
    return store.state.get(CURSOR_KEY)


def pull_changes(
    store: Store, feed: ChangeFeed, clock: Clock, page_size: int, max_pages: int | None = None
) -> PullReport:
    """Apply pages until the feed says there is no more (or ``max_pages`` were applied).

    A page that says more follows has the next one fetched while it is applied. That request
    goes out with the cursor the page will move to, and with ``known`` = the cursor stored
    so far, since the central takes the cursor asked from as what the kiosk knows. An error
    from a fetch is raised here once every page before it is applied, as if fetched in turn;
    a failed apply waits for the fetch under way and drops its page.
    """
    cursor = cursor_of(store)
    pages = count = 0
    policy_version: str | None = None
    if max_pages is not None and max_pages < 1:
        return PullReport(0, 0, cursor, None)
    page = feed.changes_json(cursor, page_size)  # most pulls are one page: no helper thread
    fetcher: ThreadPoolExecutor | None = None
    try:
        while True:
            changes = page.get("changes") or []
            next_cursor = int(page.get("next_cursor", cursor))
            pages += 1
            more = bool(page.get("has_more") and changes)
            ahead: Future[dict[str, Any]] | None = None
            if more and (max_pages is None or pages < max_pages):
                fetcher = fetcher or ThreadPoolExecutor(1, thread_name_prefix="shufang-pull")
                ahead = fetcher.submit(feed.changes_json, next_cursor, page_size, known=cursor)
            if changes or next_cursor != cursor:
                policy_version = apply_page(store, changes, next_cursor, clock) or policy_version
                count += len(changes)
                cursor = next_cursor
            if ahead is None:
                break
            page = ahead.result()
    finally:
        if fetcher is not None:
            fetcher.shutdown(wait=True, cancel_futures=True)
    return PullReport(pages, count, cursor, policy_version)


def apply_page(
    store: Store, changes: list[dict[str, Any]], next_cursor: int, clock: Clock
) -> str | None:
    """Apply one page in order and move the cursor, all in one transaction.

    Runs of item or patron upserts go to the store as one statement each; anything else
    (a delete, a hold, a policy) ends the run, so the page's order is kept.
    """
    now = clock.now()
    policy_version: str | None = None
    items: list[tuple[Any, ...]] = []  # rows as the store lays them out: no Item per row
    patrons: list[Patron] = []

    def flush() -> None:
        if items:
            store.items.replicate_records(items)
            items.clear()
        if patrons:
            store.patrons.upsert(patrons)
            patrons.clear()

    with store.atomic():
        for change in changes:
            entity, op = change["entity"], change["op"]
            if op == "upsert" and entity == "item":
                if patrons:
                    flush()
                items.append(item_row_from_record(change["item"]))
                continue
            if op == "upsert" and entity == "patron":
                if items:
                    flush()
                patrons.append(patron_from_json(change["patron"]))
                continue
            flush()
            if entity == "item":
                store.items.delete(change["key"])
            elif entity == "patron":
                store.patrons.delete(change["key"])
            elif entity == "hold":
                pii, card = _hold_key(change)
                if op == "upsert":
                    store.holds.place_once(pii, card, now)
                else:
                    store.holds.remove_of(pii, card)
            elif entity == "lockout" and op == "upsert" and change.get("lockout"):
                lockout = change["lockout"]
                store.pin_attempts.apply_lockout(
                    lockout["card_id"], from_text(lockout["locked_until"])
                )
            elif entity == "rotation":
                record = change.get("rotation")
                if op == "upsert" and record:
                    store.rotations.set(rotation_from_json(record))
                else:
                    store.rotations.remove(change["key"])
            elif entity == "policy" and change.get("policy"):
                policy_version = apply_policy(store, change["policy"], clock) or policy_version
        flush()
        store.state.set(CURSOR_KEY, next_cursor)
    return policy_version


#: the fault a kiosk raises when it refuses a pulled policy (cleared by the next good one)
POLICY_DEVICE, POLICY_REFUSED = "policy", "policy_refused"


def apply_policy(store: Store, record: dict[str, Any], clock: Clock) -> str | None:
    """Save the policy document and the e-card keys; return the version when a policy came.

    A record with an empty document only carries keys (no policy was ever set centrally): the
    kiosk keeps its config policy then. Keys (Ed25519 public keys) replace the config's only
    once the central has issued any, so a fleet verifying with config keys keeps working.
    """
    keys = record.get("ecard_keys") or []
    if keys or record.get("revoked_key_ids"):
        # Only public keys are kept; a key without one (an HMAC secret from a central not yet
        # upgraded) is left out, so nothing that can sign a card is ever stored here.
        public = {k["key_id"]: k["public_key"] for k in keys if k.get("public_key")}
        store.state.set(ECARD_KEYS_KEY, public)
        if store.state.get(LEGACY_ECARD_SECRETS_KEY):
            store.state.set(LEGACY_ECARD_SECRETS_KEY, "")  # the old secrets leave the disk
    document = record.get("document") or {}
    if not document:
        return None
    version = str(record.get("version") or document.get("version"))
    problems = policy_problems(document)
    if problems:  # lending goes on by the last good policy; the fleet page shows why
        message = f"policy {version} refused, lending by the last good one: " + "; ".join(problems)
        store.faults.record(
            POLICY_DEVICE, POLICY_REFUSED, Severity.ERROR.value, message[:1000], clock.now()
        )
        return None
    store.policies.save(version, json.dumps(document, sort_keys=True), clock.now())
    store.faults.clear(POLICY_DEVICE, POLICY_REFUSED, clock.now())
    return version


def patron_from_json(data: dict[str, Any]) -> Patron:
    expires = data.get("expires_on")
    return Patron(
        card_id=data["card_id"],
        category=data.get("category") or "adult",
        card_kind=CardKind(data.get("card_kind") or "barcode"),
        initials=data.get("initials") or "",
        pin_hash=data.get("pin_hash"),
        expires_on=date.fromisoformat(expires) if expires else None,
        blocks=tuple(data.get("blocks") or ()),
        fines_cents=int(data.get("fines_cents") or 0),
    )


def rotation_from_json(data: dict[str, Any]) -> Rotation:
    return Rotation(
        item_pii=data["item_pii"],
        to_branch=data["to_branch"],
        to_name=data.get("to_name") or "",
        plan_id=int(data.get("plan_id") or 0),
    )


def _hold_key(change: dict[str, Any]) -> tuple[str, str]:
    hold = change.get("hold")
    if hold:
        return hold["item_pii"], hold["patron_card"]
    pii, _, card = change["key"].partition("\t")
    return pii, card
