"""What to say when items are decided: one sentence for a stack, not one per book.

The controller collects the outcomes of a moment (a stack decided together) and asks here
for the words: a refusal first (the reader has to act), then the running total with the
earliest due date ("借书成功，共 3 本，请在 12 月 31 日前归还").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.outcomes import Outcome, OutcomeKind
from kiosk.reasons import Reason
from kiosk.voice.catalogue import PROMPTS, UNSPOKEN_REASONS, Utterance, compose

MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip


#: Accepted outcomes that still ask the reader to do something with the book.
ERRANDS = frozenset(
    {Reason.HOLD_WAITING, Reason.SEND_TO_OWNER, Reason.SEND_TO_ROOM, Reason.TO_STAFF}
)


def date_values(when: datetime, tz: ZoneInfo) -> dict[str, object]:
    local = when.astimezone(tz)
    return {"month": local.month, "day": local.day, "month_name": MONTHS_EN[local.month - 1]}


def count_values(count: int, language: str) -> dict[str, object]:
    books = "book" if count == 1 else "books"
    return {"count": count, "books": books if language == "en" else "本"}


def reason_prompt(reason: Reason | None, language: str) -> Utterance | None:
    """The spoken refusal for ``reason``; None when it is not spoken (success)."""
    if reason is None or reason in UNSPOKEN_REASONS:
        return None
    key = reason.message_key
    return compose(key, language) if key in PROMPTS else None


def after_items(
    borrowing: bool,
    new: Iterable[Outcome],
    accepted: Iterable[Outcome],
    language: str,
    tz: ZoneInfo,
) -> list[Utterance]:
    """What to say once the ``new`` outcomes are shown; ``accepted`` is the session so far."""
    new = list(new)
    renewals = [o for o in new if is_renewal(o)]
    new = [o for o in new if not is_renewal(o)]
    said: list[Utterance] = after_renewals(renewals, language, tz)
    for outcome in new:  # the first problem or errand: one at a time is enough to hear
        if not outcome.ok or outcome.reason in ERRANDS:
            prompt = reason_prompt(outcome.reason, language)
            if prompt is not None:
                said.append(prompt)
                break
    if any(o.ok for o in new):
        accepted = [o for o in accepted if o.ok and not is_renewal(o)]
        values = count_values(len(accepted), language)
        if borrowing:
            dues = [o.due_at for o in accepted if o.due_at is not None]
            if dues:
                said.append(
                    compose("borrow.done", language, **values, **date_values(min(dues), tz))
                )
        else:
            said.append(compose("return.done", language, **values))
    return said


def one_more(
    borrowing: bool, accepted: Iterable[Outcome], language: str, tz: ZoneInfo
) -> list[Utterance]:
    """The total as it will be said when one more item is accepted, so it can be rendered
    ahead of need (a borrowed stack needs a due date first: none before the first loan)."""
    accepted = [o for o in accepted if o.ok]
    dues = [o.due_at for o in accepted if o.due_at is not None]
    if borrowing and not dues:
        return []
    extra = Outcome(OutcomeKind.ACCEPTED, Reason.OK, due_at=max(dues) if dues else None)
    return after_items(borrowing, [extra], [*accepted, extra], language, tz)


def is_renewal(outcome: Outcome) -> bool:
    """A renewal that moved the due date (kiosk.circulation.renew notes the previous one)."""
    return outcome.ok and "previous_due" in outcome.details


def after_renewals(outcomes: Iterable[Outcome], language: str, tz: ZoneInfo) -> list[Utterance]:
    """The first refusal, then how many were renewed and the earliest new due date."""
    outcomes = list(outcomes)
    said = []
    refused = next((o for o in outcomes if not o.ok), None)
    prompt = reason_prompt(refused.reason, language) if refused is not None else None
    if prompt is not None:
        said.append(prompt)
    dues = [o.due_at for o in outcomes if is_renewal(o) and o.due_at is not None]
    if dues:
        values = {**count_values(len(dues), language), **date_values(min(dues), tz)}
        said.append(compose("renew.done", language, **values))
    return said
