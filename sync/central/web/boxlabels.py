"""Transfer box labels (调拨箱签) for the rotation plans: one label per plan, for the box its
books travel in to the destination room, printed on A4 (two to a page) from the browser.

A label says in large type where the box goes (the room's name readers know and its
district), which plan it belongs to and how many books the plan moves, and carries a QR code
of the plan and the destination room (:func:`qr_text`) so the receiving room can tell which
plan a box is without reading it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from fastapi import HTTPException, Response, status
from markupsafe import Markup

from sync.central import rotation
from sync.central.database import reading
from sync.central.deps import RuntimeDep, SerialId
from sync.central.schema import branches
from sync.central.web.common import SignedIn, new_router, page
from sync.central.web.qrsvg import qr_svg

router = new_router()


@dataclass(frozen=True, slots=True)
class BoxLabel:
    plan: rotation.Plan
    from_name: str
    to_name: str
    district: str
    qr: Markup


def qr_text(plan_id: int, room: str) -> str:
    """What a label's QR code holds: the plan and the room the box goes to."""
    return f"shufang:rotation?plan={plan_id}&room={room}"


def _labels(conn: sa.Connection, plans: list[rotation.Plan]) -> list[BoxLabel]:
    names = rotation.room_names(conn)
    districts: dict[str, str] = {
        row.branch: row.district
        for row in conn.execute(sa.select(branches.c.branch, branches.c.district))
    }
    return [
        BoxLabel(
            p,
            names.get(p.from_branch, p.from_branch),
            names.get(p.to_branch, p.to_branch),
            districts.get(p.to_branch) or "",
            qr_svg(qr_text(p.id, p.to_branch), f"plan {p.id} · {p.to_branch}"),
        )
        for p in plans
    ]


@router.get("/rotation/labels")
def labels_page(staff: SignedIn, rt: RuntimeDep, source: str = "") -> Response:
    """A label for every plan still under way (not cancelled, not all arrived); ``source``
    keeps the plans leaving one room (the boxes packed there)."""
    with reading(rt.engine) as conn:
        live = [
            p
            for p in sorted(rotation.plans(conn), key=lambda p: p.id)
            if not p.done and (not source or p.from_branch == source)
        ]
        labels = _labels(conn, live)
    return page(rt, "rotation_labels.html", staff, active="rotation", labels=labels)


@router.get("/rotation/{plan_id}/label")
def plan_label_page(plan_id: SerialId, staff: SignedIn, rt: RuntimeDep) -> Response:
    """One plan's label (also for a finished or cancelled plan: a box may need a new one)."""
    with reading(rt.engine) as conn:
        found = [p for p in rotation.plans(conn) if p.id == plan_id]
        if not found:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no rotation plan {plan_id}")
        labels = _labels(conn, found)
    return page(rt, "rotation_labels.html", staff, active="rotation", labels=labels)
