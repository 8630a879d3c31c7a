"""A scripted tour of the circulation core, printed step by step: what ``shufang demo`` shows
where there is no screen, and a quick check that a fresh machine works end to end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from kiosk.core import Core
from kiosk.demo.seed import DEMO_PIN
from kiosk.models import CardKind, Patron
from kiosk.outcomes import Outcome

Say = Callable[[str], None]


def _describe(o: Outcome, tz: tzinfo) -> str:
    title = o.item.title if o.item else o.pii
    parts = [f"{o.kind.value:<8} {o.reason.value:<22} {title}"]
    if o.due_at:
        parts.append(f"due {o.due_at.astimezone(tz):%Y-%m-%d}")
    if o.details:
        parts.append(str(o.details))
    if o.offline:
        parts.append("[recorded offline]")
    if o.send_to_owner:
        parts.append("[leave in the transfer box]")
    return "  ".join(parts)


def _signed_in(patron: Patron | None) -> Patron:
    """The demo's readers are seeded with the demo PIN: anything else is a broken seed."""
    if patron is None:
        raise RuntimeError("the demo reader could not sign in: is the demo database seeded?")
    return patron


def run_walkthrough(core: Core, set_online: Callable[[bool], None], say: Say = print) -> int:
    """Borrow, refuse, renew, go offline, return; returns the number of journal rows made."""
    circ, tz = core.circulation, core.site.tz
    say("== 1. A reader scans a library card and types the PIN")
    ident = circ.identify("P0001", CardKind.BARCODE)
    say(f"   without PIN: {ident.reason.value}")
    ident = circ.identify("P0001", CardKind.BARCODE, "0000")
    say(f"   wrong PIN:   {ident.reason.value}, {ident.attempts_left} attempts left")
    ident = circ.identify("P0001", CardKind.BARCODE, DEMO_PIN)
    patron = _signed_in(ident.patron)
    say(f"   right PIN:   {ident.reason.value} (reader {patron.initials})")
    say("== 2. Items placed on the pad")
    for pii, parts in (
        ("100001", None),
        ("100007", None),
        ("300001", frozenset({1})),
        ("300003", None),
        ("100004", None),
        ("999999", None),
        ("300001", frozenset({1, 2})),
    ):
        outcome = circ.checkout(patron, pii, parts)
        say("   " + _describe(outcome, tz))
        if outcome.txn_id:
            circ.security_done(outcome.txn_id)  # the pad set the tag's AFI to "on loan"
    failed = circ.checkout(patron, "100022")
    say("   " + _describe(failed, tz))
    say("   the tag write fails twice (item lifted too early): the loan is cancelled")
    assert failed.txn_id is not None, "the demo's item 100022 lends"
    say("   " + _describe(circ.security_failed(failed.txn_id), tz))
    say("   " + _describe(circ.checkout(patron, "100001"), tz))
    say("== 3. My account: renew all")
    for outcome in circ.renew_all(patron):
        say("   " + _describe(outcome, tz))
    say("== 4. Blocked cards")
    for card in ("P0090", "P0091", "P0092"):
        result = circ.identify(card, CardKind.BARCODE, DEMO_PIN)
        say(
            f"   {card}: {result.reason.value}"
            + (f", may not borrow: {result.borrow_block.value}" if result.borrow_block else "")
        )
    say("== 5. The network drops: loans continue under the offline limits")
    set_online(False)
    other = _signed_in(circ.identify("P0002", CardKind.BARCODE, DEMO_PIN).patron)
    for pii in ("100010", "100013", "100016", "100019"):
        outcome = circ.checkout(other, pii)
        say("   " + _describe(outcome, tz))
        if outcome.txn_id:
            circ.security_done(outcome.txn_id)
    set_online(True)
    say("== 6. Returns (no login), including another branch's item")
    for pii in ("100007", "100003", "300004", "100010"):
        outcome = circ.checkin(pii)
        say("   " + _describe(outcome, tz))
        if outcome.txn_id:
            circ.security_done(outcome.txn_id)  # AFI back to "secured"
    say("== 7. The journal (outbox) waiting for the sync daemon")
    pending = core.store.journal.pending(100)
    for txn in pending:
        say(
            f"   #{txn.seq:<3} {txn.kind.value:<8} {txn.item_pii:<8} {txn.decision.value:<7}"
            f" security={txn.security.value}"
        )
    clock_now = circ.clock.now()
    say(
        f"   {len(pending)} rows pending at {clock_now.astimezone(tz):%Y-%m-%d %H:%M}"
        f" (timezone {tz.key}); nothing is deleted before the upstream acknowledges it"
    )
    return len(pending)
