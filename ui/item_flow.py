"""Items on the pad and scanned: gathered into stacks, decided on the core worker, shown.

A mixin of :class:`ui.controller.KioskController`, which holds the state it uses (session,
window, core, on_pad, security); a borrowed stack goes to the core in one call, returns one
by one, and each tag's security is written right after its journal row (DESIGN.md).
"""

from __future__ import annotations

import logging

from kiosk.barcodes import Barcode, BarcodeKind, classify
from kiosk.core import Core
from kiosk.models import CardKind, Patron
from kiosk.outcomes import Outcome, OutcomeKind
from kiosk.reasons import Reason
from kiosk.security import secure_tag
from ui.devices import tag_reason
from ui.flow_host import FlowHost
from ui.screens.identify import IdentifyScreen
from ui.screens.items import ItemsScreen
from ui.session import Mode
from ui.sounds import cue_for

log = logging.getLogger(__name__)

#: the parts of a set seen on the pad (None: a single item, or not known from a scan)
Parts = frozenset[int] | None
#: the tag UID(s) of an item on the pad (None: known by its barcode, no tag to write)
Uids = tuple[bytes, ...] | bytes | None


class ItemFlow(FlowHost):
    """Items placed, scanned or lifted: each becomes a row decided on the core worker."""

    def scanned(self, text: str) -> None:
        """A barcode scan: an item, a library card, a QR e-card, or junk said to be junk."""
        if self._for_technician(text):
            return
        self.touched()
        waiting_for_card = self.window.current() in ("home", "identify")
        prefer = BarcodeKind.PATRON_CARD if waiting_for_card else BarcodeKind.ITEM
        found = classify(text, self.barcode_rules, prefer=prefer)
        if not isinstance(found, Barcode):
            log.info("scan refused: %s", found.problem)  # never the scanned text itself
            self._say_scan_refused()
        elif found.kind is BarcodeKind.ITEM:
            self.scanned_items.add(found.text)
            self.item_placed(found.text, None, None)
        else:
            kind = CardKind.QR if found.kind is BarcodeKind.ECARD else CardKind.BARCODE
            self.card_presented(found.text, kind)

    def _say_scan_refused(self) -> None:
        text = self.t("scan.refused")
        self.guide.say("scan.refused")
        shown = self.window.screens.get(self.window.current())
        if isinstance(shown, IdentifyScreen):
            shown.show_problem(text)
        elif isinstance(shown, ItemsScreen):
            shown.message.show_text(text, "error")

    def item_placed(self, pii: str, parts: Parts, uid: Uids) -> None:
        self.on_pad[pii] = (parts, uid)
        self.touched()
        screen = self._items_screen()
        if screen is not None:
            screen.placed_again(pii)
        self._wait_for_decision([pii])

    def item_removed(self, pii: str) -> None:
        """A book lifted off the pad: its row goes (an answer still on its way shows first)."""
        self.on_pad.pop(pii, None)
        self.session.waiting.pop(pii, None)
        screen = self._items_screen()
        if screen is not None and pii not in self.session.in_flight:
            screen.lifted(pii)

    def _items_screen(self) -> ItemsScreen | None:
        """The borrow or return screen of this session, if it shows one."""
        return {Mode.BORROW: self.window.borrow, Mode.RETURN: self.window.give_back}.get(
            self.session.mode
        )

    def item_seen(self, pii: str, position: int, size: int) -> None:
        """A tag of a stack was read: its row shows now, while the rest is read; the stack
        is decided as one when ``item_placed`` brings it whole (issue #18)."""
        s = self.session
        screen = self._items_screen()
        if screen is None or (s.mode is Mode.BORROW and s.patron is None):
            return
        done = s.outcomes.get(pii)
        if pii not in s.in_flight and (done is None or not done.ok):
            self.touched()
            screen.working(pii)

    def tag_unreadable(self, label: str, problem: str = "") -> None:
        """A tag that named no item gets its own row, saying what to do about it."""
        self.touched()
        screen = self._items_screen()
        if screen is not None and (self.session.mode is Mode.RETURN or self.session.patron):
            screen.show_outcome(Outcome(OutcomeKind.REFUSED, tag_reason(problem), pii=label))

    def _process_pad(self) -> None:
        """Everything on the pad is decided (after sign-in, or when returning starts)."""
        self._wait_for_decision(list(self.on_pad))

    def _wait_for_decision(self, piis: list[str]) -> None:
        # A stack placed at once arrives as one event per tag; they are gathered until the
        # event queue is empty, so the core gets the whole stack (a set with all its parts)
        # in one call instead of item by item.
        self.session.waiting.update(dict.fromkeys(piis))
        self._gather.start()

    def _decide_waiting(self) -> None:
        """Hand the items waiting to the core: a borrowed stack in one ``checkout_stack``
        call (a library system decides its items in parallel), returns one by one. Items
        placed while a stack is being decided gather into the next stack.

        An item already in flight stays waiting and goes again once its answer is back: the
        second part of a set that arrived while the first part was being decided is never
        dropped (issue #13, bug 1).
        """
        s = self.session
        lender = s.patron if s.mode is Mode.BORROW else None  # lending: to whom
        if lender is not None:
            if s.in_flight:
                return  # what arrives meanwhile goes as the next stack, once this one is back
            screen = self.window.borrow
        elif s.mode is Mode.RETURN:
            screen = self.window.give_back
        else:
            return  # nobody to lend to yet: sign-in decides what lies on the pad
        batch: list[tuple[str, Parts, Uids]] = []
        for pii in list(s.waiting):
            if pii in s.in_flight:
                continue
            del s.waiting[pii]
            done = s.outcomes.get(pii)
            if pii not in self.on_pad or (done is not None and done.ok):
                continue
            parts, uid = self.on_pad[pii]
            batch.append((pii, parts, uid))
            s.in_flight.add(pii)
            screen.working(pii)
        if not batch:
            return
        if lender is not None:
            self._checkout_stack(screen, lender, batch)
        else:
            for pii, parts, uid in batch:
                self._checkin(screen, pii, parts, uid)

    def _checkout_stack(
        self, screen: ItemsScreen, patron: Patron, batch: list[tuple[str, Parts, Uids]]
    ) -> None:
        number, uids = self.session.number, {pii: uid for pii, _, uid in batch}

        def decide(core: Core) -> list[Outcome]:
            return core.circulation.checkout_stack(patron, [(p, parts) for p, parts, _ in batch])

        def decided(outcomes: list[Outcome]) -> None:
            for outcome in outcomes:
                if outcome.ok and outcome.txn_id is not None:
                    self._write_tag(screen, outcome, uids.get(outcome.pii), number, on_loan=True)
                else:
                    self._item_done(screen, outcome, number)

        self.core.call(decide, decided, lambda error: self._items_failed(list(uids), error))

    def _write_tag(
        self, screen: ItemsScreen, outcome: Outcome, uid: Uids, number: int, *, on_loan: bool
    ) -> None:
        """The tag's security follows its journal row on the worker (DESIGN.md); the row
        shows the loan once the tag says so, one item after the other."""
        self.core.call(
            lambda core: self._with_security(core, outcome, uid, on_loan=on_loan),
            lambda secured: self._item_done(screen, secured, number),
            lambda error: self._items_failed([outcome.pii], error),
        )

    def _checkin(self, screen: ItemsScreen, pii: str, parts: Parts, uid: Uids) -> None:
        number = self.session.number

        def job(core: Core) -> Outcome:
            return self._with_security(
                core, core.circulation.checkin(pii, parts), uid, on_loan=False
            )

        self.core.call(
            job,
            lambda outcome: self._item_done(screen, outcome, number),
            lambda error: self._items_failed([pii], error),
        )

    def _with_security(self, core: Core, outcome: Outcome, uid: Uids, *, on_loan: bool) -> Outcome:
        """Runs on the core worker: write the tag right after the journal row (DESIGN.md)."""
        if not outcome.ok or outcome.txn_id is None:
            return outcome
        security = self.security
        if uid is None or security is None:
            core.circulation.security_done(outcome.txn_id)  # barcode only: no tag to write
            return outcome
        result = secure_tag(
            core.circulation,
            outcome.txn_id,
            lambda: security.secure(uid, on_loan),
            faults=core.faults,
        )
        if result.ok or result.cancelled is None:
            return outcome
        return result.cancelled  # the loan undone, or the return reinstated

    def _item_done(self, screen: ItemsScreen, outcome: Outcome, number: int | None = None) -> None:
        s = self.session
        if number is not None and number != s.number:
            return  # an answer for an earlier session: nothing of it shows now
        s.in_flight.discard(outcome.pii)
        if s.mode is Mode.IDLE:
            return  # the session ended while the job ran: show nothing of it
        if outcome.pii in s.waiting and not outcome.ok:
            # placed again (or another part came) while this was decided: the next answer
            # is the one to show, not a stale "part 2 missing"
            self._gather.start()
            return
        s.outcomes[outcome.pii] = outcome
        screen.show_outcome(outcome)
        self.sounds.play(cue_for(outcome))
        self.guide.item_decided(outcome)
        if outcome.pii not in self.on_pad:
            screen.lifted(outcome.pii)  # lifted while it was decided: shown, then it goes
        if s.waiting:
            self._gather.start()

    def _items_failed(self, piis: list[str], error: str) -> None:
        """A core job for these items failed: each row says so instead of "processing"
        forever, and is not retried by itself (the reader may place it again)."""
        s = self.session
        for pii in piis:
            s.in_flight.discard(pii)
        log.error("%d item(s) could not be processed: %s", len(piis), error)
        if s.mode is not Mode.IDLE:
            screen = self._items_screen()
            for pii in piis:
                s.waiting.pop(pii, None)  # a retry would fail the same way
                fault = Outcome(OutcomeKind.REFUSED, Reason.KIOSK_FAULT, pii=pii)
                s.outcomes[pii] = fault
                if screen is not None:
                    screen.show_outcome(fault)
            self.sounds.play("problem")
        if s.waiting:
            self._gather.start()
