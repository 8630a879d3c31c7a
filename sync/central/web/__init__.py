"""The staff fleet pages: server-rendered HTML, inline SVG charts and CSV, no CDN, no script."""

from __future__ import annotations

from fastapi import APIRouter

from sync.central.web import pages, signin

router = APIRouter()
router.include_router(signin.router)
router.include_router(pages.router)

__all__ = ["router"]
