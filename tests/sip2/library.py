"""A small library system behind pysip2's real SIP2 server: the tests' third-party ACS."""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import anyio
import pysip2
from anyio.abc import SocketAttribute
from anyio.from_thread import start_blocking_portal
from anyio.streams.tls import TLSListener
from pysip2 import (
    CHECKIN,
    CHECKOUT,
    END_PATRON_SESSION,
    ITEM_INFORMATION,
    LOGIN,
    PATRON_INFORMATION,
    PATRON_STATUS,
    RENEW,
    CheckinRequest,
    CheckinResponse,
    CheckoutRequest,
    CheckoutResponse,
    EndPatronSessionRequest,
    EndSessionResponse,
    ItemInformationRequest,
    ItemInformationResponse,
    LoginRequest,
    LoginResponse,
    PatronInformationRequest,
    PatronInformationResponse,
    PatronStatusRequest,
    PatronStatusResponse,
    RenewRequest,
    RenewResponse,
)

HERE = "MAIN"  # this library's location code


def sip_now() -> str:
    now = datetime.now()
    return now.strftime("%Y%m%d") + "    " + now.strftime("%H%M%S")


def in_days(days: int) -> str:
    when = datetime.now() + timedelta(days=days)
    return when.strftime("%Y%m%d") + "    " + "235959"


@dataclass
class Reader:
    pin: str = "1234"
    name: str = "Wang Xiaoming"
    blocked: bool = False
    lost: bool = False
    holds: int = 0


@dataclass
class Book:
    title: str
    home: str = HERE
    borrower: str | None = None
    due: str = ""
    holds: list[str] = field(default_factory=list)


@dataclass
class Library:
    """What the ACS knows, and what it applied: the tests read ``applied`` to count effects.

    Store-and-forward requests (no block = Y) are deduplicated on (command, item, patron or
    cancel flag, transaction date), as a careful ACS does, so a resend after a lost reply is
    answered, not applied twice.
    """

    readers: dict[str, Reader] = field(default_factory=dict)
    books: dict[str, Book] = field(default_factory=dict)
    applied: list[tuple[str, str, str, str]] = field(default_factory=list)
    answered: dict[tuple[str, str, str, str], object] = field(default_factory=dict)
    requests: int = 0
    hang_requests: set[int] = field(default_factory=set)  # request numbers never answered
    lose_reply_after_apply: set[int] = field(default_factory=set)  # applied numbers
    delay_s: float = 0.0
    dedupe: bool = True  # False: a naive ACS that applies every repeat again
    # True: a strict ACS that refuses a blocked reader's replayed checkout despite no block = Y
    blocks_refuse_offline: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def _arrive(self) -> None:
        with self.lock:
            self.requests += 1
            number = self.requests
        if self.delay_s:
            await anyio.sleep(self.delay_s)
        if number in self.hang_requests:
            await anyio.sleep(3600)  # never answers: the client must time out

    async def _applied(self, key: tuple[str, str, str, str], response: object) -> None:
        with self.lock:
            self.applied.append(key)
            self.answered[key] = response
            count = len(self.applied)
        if count in self.lose_reply_after_apply:
            await anyio.sleep(3600)  # applied, but the reply never leaves


def build_app(
    library: Library,
    *,
    login_required: bool = False,
    offline_ok: bool = True,
    encoding: str = "utf-8",
) -> pysip2.SIP2Server:
    app = pysip2.SIP2Server(
        encoding=encoding,
        institution_id="CITY",
        library_name="City Library",
        login_required=login_required,
        offline_ok=offline_ok,
    )

    @app.route(LOGIN)
    async def login(req: LoginRequest, ctx) -> LoginResponse:
        await library._arrive()
        good = req.login_user_id == "kiosk" and req.login_password == "secret"
        return LoginResponse(ok="1" if good else "0")

    def patron_flags(reader: Reader | None) -> str:
        flags = [" "] * 14
        if reader and reader.blocked:
            flags[0] = "Y"
        if reader and reader.lost:
            flags[4] = "Y"
        return "".join(flags)

    @app.route(PATRON_STATUS)
    async def patron_status(req: PatronStatusRequest, ctx) -> PatronStatusResponse:
        await library._arrive()
        reader = library.readers.get(req.patron_identifier)
        return PatronStatusResponse(
            patron_status=patron_flags(reader),
            language="000",
            transaction_date=sip_now(),
            institution_id="CITY",
            patron_identifier=req.patron_identifier,
            personal_name=reader.name if reader else "",
            valid_patron="Y" if reader else "N",
            valid_patron_password="Y" if reader and reader.pin == req.patron_password else "N",
            screen_message=("Patron blocked",) if reader and reader.blocked else (),
        )

    @app.route(PATRON_INFORMATION)
    async def patron_info(req: PatronInformationRequest, ctx) -> PatronInformationResponse:
        await library._arrive()
        reader = library.readers.get(req.patron_identifier)
        charged = [
            p for p, b in library.books.items() if reader and b.borrower == req.patron_identifier
        ]
        return PatronInformationResponse(
            patron_status=patron_flags(reader),
            language="000",
            transaction_date=sip_now(),
            hold_items_count=f"{reader.holds if reader else 0:04d}",
            overdue_items_count="0000",
            charged_items_count=f"{len(charged):04d}",
            fine_items_count="0000",
            recall_items_count="0000",
            unavailable_holds_count="0000",
            institution_id="CITY",
            patron_identifier=req.patron_identifier,
            personal_name=reader.name if reader else "",
            valid_patron="Y" if reader else "N",
            valid_patron_password=(
                "Y" if reader and req.patron_password in (None, reader.pin) else "N"
            ),
            fee_amount="0.00",
            # the charged items (AU) when the summary asks for them (its third position)
            charged_items=tuple(charged) if req.summary[2:3] == "Y" else (),
            screen_message=("Welcome",) if reader else ("Unknown patron",),
        )

    def checkout_reply(req: CheckoutRequest, ok: bool, due: str, *messages: str):
        book = library.books.get(req.item_identifier)
        return CheckoutResponse(
            ok="1" if ok else "0",
            renewal_ok="N",
            magnetic_media="N",
            desensitize="Y" if ok else "N",
            transaction_date=sip_now(),
            institution_id="CITY",
            patron_identifier=req.patron_identifier,
            item_identifier=req.item_identifier,
            title_identifier=book.title if book else "",
            due_date=due,
            screen_message=messages,
            print_line=(f"Due {due[:8]}",) if ok else (),
        )

    @app.route(CHECKOUT)
    async def checkout(req: CheckoutRequest, ctx) -> CheckoutResponse:
        await library._arrive()
        key = ("11", req.item_identifier, req.patron_identifier, req.transaction_date)
        if library.dedupe and req.no_block == "Y" and key in library.answered:
            return library.answered[key]  # type: ignore[return-value]
        book = library.books.get(req.item_identifier)
        reader = library.readers.get(req.patron_identifier)
        offline = req.no_block == "Y"
        if book is None:
            return checkout_reply(req, False, "", "Item not found")
        if req.cancel == "Y":  # cancels a failed checkin: the loan comes back
            book.borrower = req.patron_identifier
            response = checkout_reply(req, True, book.due)
            await library._applied(key, response)
            return response
        if reader is None:
            return checkout_reply(req, False, "", "Patron not found")
        if reader.blocked and (not offline or library.blocks_refuse_offline):
            return checkout_reply(req, False, "", "Patron blocked")
        if book.borrower and book.borrower != req.patron_identifier:
            return checkout_reply(req, False, "", "Item checked out to another patron")
        if not offline and book.holds and book.holds[0] != req.patron_identifier:
            return checkout_reply(req, False, "", "Item on hold for another patron")
        book.borrower = req.patron_identifier
        book.due = req.nb_due_date if offline else in_days(14)
        response = checkout_reply(req, True, book.due, "Checked out")
        await library._applied(key, response)
        return response

    @app.route(CHECKIN)
    async def checkin(req: CheckinRequest, ctx) -> CheckinResponse:
        await library._arrive()
        key = ("09", req.item_identifier, req.cancel or "", req.transaction_date)
        if library.dedupe and req.no_block == "Y" and key in library.answered:
            return library.answered[key]  # type: ignore[return-value]
        book = library.books.get(req.item_identifier)

        def reply(ok: bool, alert: bool = False, *messages: str) -> CheckinResponse:
            return CheckinResponse(
                ok="1" if ok else "0",
                resensitize="Y",
                magnetic_media="N",
                alert="Y" if alert else "N",
                transaction_date=sip_now(),
                institution_id="CITY",
                item_identifier=req.item_identifier,
                permanent_location=book.home if book else "",
                title_identifier=book.title if book else None,
                screen_message=messages,
            )

        if book is None:
            return reply(False, False, "Item not found")
        if book.borrower is None and req.cancel != "Y":
            return reply(False, False, "Item not checked out")
        book.borrower = None
        if req.cancel == "Y":
            response = reply(True)
        elif book.holds:
            response = reply(True, True, "Hold waiting: place on hold shelf")
        elif book.home != HERE:
            response = reply(True, True, f"Send to {book.home}")
        else:
            response = reply(True)
        await library._applied(key, response)
        return response

    @app.route(RENEW)
    async def renew(req: RenewRequest, ctx) -> RenewResponse:
        await library._arrive()
        book = library.books.get(req.item_identifier or "")
        key = ("29", req.item_identifier or "", req.patron_identifier, req.transaction_date)
        if library.dedupe and req.no_block == "Y" and key in library.answered:
            return library.answered[key]  # type: ignore[return-value]
        ok = bool(book and book.borrower == req.patron_identifier and not book.holds)
        if ok and book:
            book.due = req.nb_due_date if req.no_block == "Y" else in_days(28)
        messages = (
            ()
            if ok
            else (
                ("Item on hold for another patron",)
                if book and book.holds
                else ("Item not checked out to you",)
            )
        )
        response = RenewResponse(
            ok="1" if ok else "0",
            renewal_ok="Y" if ok else "N",
            magnetic_media="N",
            desensitize="N",
            transaction_date=sip_now(),
            institution_id="CITY",
            patron_identifier=req.patron_identifier,
            item_identifier=req.item_identifier or "",
            title_identifier=book.title if book else "",
            due_date=book.due if ok and book else "",
            screen_message=messages,
        )
        if ok:
            await library._applied(key, response)
        return response

    @app.route(ITEM_INFORMATION)
    async def item_information(req: ItemInformationRequest, ctx) -> ItemInformationResponse:
        await library._arrive()
        book = library.books.get(req.item_identifier)
        if book is None:
            status = "01"
        elif book.borrower:
            status = "04"
        else:
            status = "08" if book.holds else "03"
        return ItemInformationResponse(
            circulation_status=status,
            security_marker="02",
            fee_type="01",
            transaction_date=sip_now(),
            hold_queue_length=str(len(book.holds)) if book else None,
            due_date=book.due if book and book.borrower else None,
            item_identifier=req.item_identifier,
            title_identifier=book.title if book else "",
            owner="CITY",
            permanent_location=book.home if book else None,
            screen_message=() if book else ("Item not found",),
        )

    @app.route(END_PATRON_SESSION)
    async def end_session(req: EndPatronSessionRequest, ctx) -> EndSessionResponse:
        await library._arrive()
        return EndSessionResponse(
            end_session="Y",
            transaction_date=sip_now(),
            institution_id="CITY",
            patron_identifier=req.patron_identifier,
        )

    return app


async def _serve(
    app: pysip2.SIP2Server, port: int, tls: ssl.SSLContext | None, *, task_status
) -> None:
    """Serve ``app`` until cancelled, closing the listening socket on the way out.

    pysip2's own ``start()`` leaves its listener open after cancellation, so a restart on the
    same port would fail and a "stopped" server would still accept connections.
    """
    tcp = await app.listen("127.0.0.1", port)
    bound = tcp.extra(SocketAttribute.local_port)
    listener = TLSListener(tcp, tls, standard_compatible=False) if tls else tcp
    async with listener:
        task_status.started(bound)
        await listener.serve(app._handle_connection)


class RunningServer:
    """pysip2's AnyIO server on a background thread; stop and start it again on one port."""

    def __init__(self, app: pysip2.SIP2Server, tls: ssl.SSLContext | None = None) -> None:
        self.app = app
        self.tls = tls
        self.port = 0
        self._portal_cm = None
        self._portal = None
        self._future = None

    def start(self) -> int:
        self._portal_cm = start_blocking_portal()
        self._portal = self._portal_cm.__enter__()
        self._future, self.port = self._portal.start_task(_serve, self.app, self.port, self.tls)
        return self.port

    def stop(self) -> None:
        """Stop listening and close every connection, as a library system restart does."""
        if self._future is not None:
            self._future.cancel()
            self._future = None
        if self._portal_cm is not None:
            self._portal_cm.__exit__(None, None, None)
            self._portal_cm = None
