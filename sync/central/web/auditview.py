"""The audit log page: who signed in, who changed which account, who settled which conflict.

Administrators only: the log names colleagues and their failed sign-ins.
"""

from __future__ import annotations

from fastapi import Response

from sync.central import staff_accounts
from sync.central.database import reading
from sync.central.deps import RuntimeDep
from sync.central.web.common import SignedIn, new_router, page

router = new_router()


@router.get("/audit")
def auditpage(staff: SignedIn, rt: RuntimeDep) -> Response:
    if not staff.may("administrator"):
        return page(rt, "forbidden.html", staff, code=403, active="audit")
    with reading(rt.engine) as conn:
        entries = staff_accounts.audit_log(conn, limit=500)
        people = staff_accounts.accounts(conn)
    return page(rt, "audit.html", staff, active="audit", entries=entries, people=people)
