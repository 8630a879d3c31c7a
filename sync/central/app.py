"""The FastAPI application factory: one app per database URL and clock, no global state."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from sqlalchemy.engine import Engine

from kiosk.clock import Clock, SystemClock
from sync.central import (
    routes_admin,
    routes_kiosk,
    routes_pins,
    routes_rotation,
    routes_staff,
    routes_upstream,
    routes_visits,
    web,
)
from sync.central.database import make_engine
from sync.central.migrations import migrate
from sync.central.request_guard import RequestGuard
from sync.central.runtime import Runtime
from sync.central.settings import CentralSettings
from sync.central.web.common import NotAllowed, not_allowed_page
from sync.wire import API_PREFIX


def create_app(
    db: str | Engine,
    clock: Clock | None = None,
    settings: CentralSettings | None = None,
    *,
    migrate_now: bool = True,
) -> FastAPI:
    """Build the service for one database; several processes may serve the same PostgreSQL."""
    engine = make_engine(db) if isinstance(db, str) else db
    clock = clock or SystemClock()
    if migrate_now:
        migrate(engine, clock)
    app = FastAPI(
        title="Shufang central service",
        version="1",
        description=(
            "Kiosk endpoints (transactions, upstream-conflicts, changes, heartbeat, policy) "
            "take the kiosk's enrolment token; staff endpoints (fleet, faults, conflicts, "
            "statistics, loans) "
            "and /admin take a staff token from `shufang central enrol NAME --staff`. "
            "Both as `Authorization: Bearer <token>`."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    serve_api_docs(app)
    settings = settings or CentralSettings()
    app.state.runtime = Runtime(engine=engine, clock=clock, settings=settings)
    app.add_middleware(RequestGuard, max_body=settings.max_body_bytes)
    for module in (
        routes_kiosk,
        routes_pins,
        routes_upstream,
        routes_staff,
        routes_admin,
        routes_visits,
        routes_rotation,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(web.router)  # the staff fleet pages under /dashboard
    app.add_exception_handler(NotAllowed, not_allowed_page)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/dashboard")

    @app.get(f"{API_PREFIX}/health", tags=["service"])
    def health() -> dict[str, str]:
        """Liveness for load balancers; needs no token."""
        return {"status": "ok"}

    return app


def serve_api_docs(app: FastAPI) -> None:
    """Swagger UI at /api/v1/docs (and /docs) from files shipped in the package, not a CDN:
    a library's server room often has no way out to the internet."""
    from pathlib import Path

    import fastapi_offline
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    static = f"{API_PREFIX}/docs/static"
    app.mount(
        static,
        StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static"),
        name="api-docs-static",
    )

    @app.get(f"{API_PREFIX}/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=f"{API_PREFIX}/openapi.json",
            title=f"{app.title} – API",
            swagger_js_url=f"{static}/swagger-ui-bundle.js",
            swagger_css_url=f"{static}/swagger-ui.css",
            swagger_favicon_url=f"{static}/favicon.png",
        )

    @app.get("/docs", include_in_schema=False)
    def docs() -> RedirectResponse:
        return RedirectResponse(f"{API_PREFIX}/docs")
