"""Contract: a SIP2 library system applies every kind of journal row a kiosk writes (#14, 1).

The rows come from the real kiosk core (``tests/journal_story.py``) and are replayed to pysip2's
server; a cancelled checkout goes as a checkin with BI = Y and a cancelled checkin as a
checkout with BI = Y (SIP2 2.00, "Cancel"), and the library system must end with the loans
the kiosk holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest

from sync.sip2.dialects import profile
from sync.sip2.library_system import Sip2Upstream
from sync.sip2.replay import Sip2Replay
from tests import journal_story
from tests.sip2.conftest import make_client
from tests.sip2.library import Book, Library, Reader, RunningServer, build_app


@pytest.fixture
def story_library() -> Library:
    return Library(
        readers={card: Reader() for card in journal_story.PATRONS},
        books={pii: Book(f"Book {pii}") for pii in journal_story.ITEMS},
    )


@pytest.fixture
def story_server(story_library: Library) -> Iterator[RunningServer]:
    running = RunningServer(build_app(story_library))
    running.start()
    yield running
    running.stop()


def test_every_row_kind_replays_to_the_library_system_and_loans_agree(
    story_library: Library, story_server: RunningServer, tmp_path: Path
) -> None:
    story = journal_story.tell(tmp_path)
    assert story.kinds() == journal_story.every_row_kind(story.undoable)
    upstream = Sip2Upstream(make_client(story_server.port), profile("standard"), tz=UTC)
    replay = Sip2Replay(upstream, lookup=story.lookup)
    try:
        replies = replay.push(story.rows)
    finally:
        upstream.client.close()
    assert [(r.status, r.reason) for r in replies] == [("accepted", "")] * len(story.rows)
    borrowers = {pii: book.borrower for pii, book in story_library.books.items() if book.borrower}
    assert borrowers == {pii: card for pii, (card, _) in story.loans.items()}
    # the reinstated loan keeps the due date the kiosk shows, not a new one
    for pii, (_, due) in story.loans.items():
        assert story_library.books[pii].due[:8] == upstream.date_field(due)[:8]
