"""Request dependencies: the runtime, and who is calling (kiosk or staff) from the bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sync.central.auth import KioskIdentity, StaffIdentity, kiosk_for_token, staff_for_token
from sync.central.database import reading
from sync.central.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="kiosk or staff token")


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def _unauthorized(what: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail=f"{what} token missing, unknown or revoked",
        headers={"WWW-Authenticate": "Bearer"},
    )


def kiosk(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> KioskIdentity:
    if credentials is None:
        raise _unauthorized("kiosk")
    with reading(runtime(request).engine) as conn:
        identity = kiosk_for_token(conn, credentials.credentials)
    if identity is None:
        raise _unauthorized("kiosk")
    return identity


def staff(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> StaffIdentity:
    if credentials is None:
        raise _unauthorized("staff")
    with reading(runtime(request).engine) as conn:
        identity = staff_for_token(conn, credentials.credentials)
    if identity is None:
        raise _unauthorized("staff")
    return identity


Kiosk = Annotated[KioskIdentity, Depends(kiosk)]
Staff = Annotated[StaffIdentity, Depends(staff)]
RuntimeDep = Annotated[Runtime, Depends(runtime)]
