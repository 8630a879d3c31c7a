"""The staff fleet pages: server-rendered HTML, inline SVG charts and CSV, no CDN, no script."""

from __future__ import annotations

from fastapi import APIRouter

from sync.central.web import (
    alertsview,
    auditview,
    boxlabels,
    efficiencyview,
    pages,
    rotationview,
    signin,
)

router = APIRouter()
router.include_router(signin.router)
router.include_router(pages.router)
router.include_router(alertsview.router)
router.include_router(auditview.router)
router.include_router(efficiencyview.router)
# before the plan pages: /rotation/labels is not /rotation/{plan_id}
router.include_router(boxlabels.router)
router.include_router(rotationview.router)

__all__ = ["router"]
