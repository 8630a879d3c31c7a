"""Request dependencies: the runtime, and who is calling (kiosk or staff) from the bearer token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sync.central.auth import (
    KioskIdentity,
    StaffIdentity,
    hash_token,
    kiosk_for_token,
    staff_for_token,
)
from sync.central.database import reading
from sync.central.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="kiosk or staff token")


# Dependencies are ``async def``: FastAPI runs a plain ``def`` dependency on its thread pool,
# and that hop cost more than the work of these small functions. Token lookups go to the
# runtime's few database threads (``Runtime.run_db``).


async def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def unauthorized(what: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail=f"{what} token missing, unknown or revoked",
        headers={"WWW-Authenticate": "Bearer"},
    )


def _lookup_kiosk(rt: Runtime, token: str) -> KioskIdentity | None:
    with reading(rt.engine) as conn:
        return kiosk_for_token(conn, token)


def _lookup_staff(rt: Runtime, token: str) -> StaffIdentity | None:
    with reading(rt.engine) as conn:
        return staff_for_token(conn, token)


async def kiosk(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> KioskIdentity:
    """The calling kiosk, looked up in the database on every request."""
    if credentials is None:
        raise unauthorized("kiosk")
    rt: Runtime = request.app.state.runtime
    identity = await rt.run_db(_lookup_kiosk, rt, credentials.credentials)
    if identity is None:
        raise unauthorized("kiosk")
    return identity


@dataclass(frozen=True, slots=True)
class KioskToken:
    """A kiosk identity possibly from the cache, with the token hash to check it against
    inside the write transaction (see ``auth.TokenCache``)."""

    identity: KioskIdentity
    token_hash: str


async def kiosk_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> KioskToken:
    if credentials is None:
        raise unauthorized("kiosk")
    rt: Runtime = request.app.state.runtime
    token_hash = hash_token(credentials.credentials)
    identity = rt.tokens.get(token_hash)
    if identity is None:
        identity = await rt.run_db(_lookup_kiosk, rt, credentials.credentials)
        if identity is None:
            raise unauthorized("kiosk")
        rt.tokens.put(token_hash, identity)
    return KioskToken(identity, token_hash)


async def staff(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> StaffIdentity:
    if credentials is None:
        raise unauthorized("staff")
    rt: Runtime = request.app.state.runtime
    identity = await rt.run_db(_lookup_staff, rt, credentials.credentials)
    if identity is None:
        raise unauthorized("staff")
    return identity


Kiosk = Annotated[KioskIdentity, Depends(kiosk)]
#: Only for handlers that check ``token_hash`` again in their write transaction.
CheckedKiosk = Annotated[KioskToken, Depends(kiosk_token)]
Staff = Annotated[StaffIdentity, Depends(staff)]
RuntimeDep = Annotated[Runtime, Depends(runtime)]
#: A row id in a path: SERIAL ids are 32-bit on PostgreSQL, so a larger one is a 422, not a 500.
SerialId = Annotated[int, Path(ge=1, le=2**31 - 1)]
