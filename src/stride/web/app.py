"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import resources

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import JSONResponse

from stride import __version__
from stride.config import Settings, load_settings
from stride.services.registry import Services
from stride.web import errors
from stride.web.api import activity as api_activity
from stride.web.api import admin as api_admin
from stride.web.api import clinical as api_clinical
from stride.web.api import exercise as api_exercise
from stride.web.api import patients as api_patients
from stride.web.deps import Svc
from stride.web.pages import activity as page_activity
from stride.web.pages import activity_imports as page_activity_imports
from stride.web.pages import admin as page_admin
from stride.web.pages import adverse_events as page_adverse_events
from stride.web.pages import auth as page_auth
from stride.web.pages import clinical as page_clinical
from stride.web.pages import exercise as page_exercise
from stride.web.pages import patients as page_patients
from stride.web.pages import plans as page_plans
from stride.web.pages import teams as page_teams
from stride.web.pages import treatment as page_treatment
from stride.web.proxy import TrustedProxyMiddleware
from stride.web.render import make_templates
from stride.web.security import SecurityHeadersMiddleware

health = APIRouter(tags=["health"])


@health.get("/healthz", summary="Liveness and database check")
def healthz(svc: Svc) -> JSONResponse:
    svc.deps.db.ping()
    return JSONResponse({"status": "ok", "version": __version__})


_API_ROUTERS = (api_patients, api_admin, api_clinical, api_exercise, api_activity)
# In this order: a page router's paths are matched before those of the routers after it.
_PAGE_ROUTERS = (
    page_auth, page_patients, page_teams, page_admin, page_clinical, page_treatment, page_exercise,
    page_plans, page_activity, page_adverse_events, page_activity_imports,
)  # fmt: skip


def create_app(settings: Settings, *, services: Services | None = None, recover_jobs: bool = True) -> FastAPI:
    """Build the web app. ``settings`` must come from :func:`stride.config.load_settings`.

    The database must already be migrated (``stride db upgrade``; ``stride serve`` does it).
    ``recover_jobs`` false leaves the recovery of interrupted imports to whoever started this
    process (``stride serve --workers N`` does it once, before its workers start).
    """
    svc = services or Services.build(settings)
    app = FastAPI(
        title=f"{settings.site_name} API",
        version=__version__,
        description="Stride: exercise as an adjunct treatment of treatment-resistant depression.",
        openapi_url="/openapi.json",
        docs_url=None,  # Swagger UI loads scripts from a CDN, which our CSP forbids
        redoc_url=None,
        root_path=settings.root_path,
        lifespan=_lifespan(settings, svc, owned=services is None, recover_jobs=recover_jobs),
    )
    app.state.settings = settings
    app.state.services = svc
    app.state.templates = make_templates(settings)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.secure_cookies)
    # Added last, so it runs first: every layer below sees the client address it decided.
    app.add_middleware(TrustedProxyMiddleware, networks=settings.trusted_proxy_networks)
    errors.install(app)
    _mount(app)
    return app


def _lifespan(
    settings: Settings, svc: Services, *, owned: bool, recover_jobs: bool
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start the job workers with the app and stop them with it; close the services if ``owned``."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The server works the background-job queue itself unless a separate `stride worker` does.
        if settings.jobs_in_process:
            if recover_jobs:
                svc.imports.doctor()  # finish or undo what a crash left, re-queue lost jobs
            svc.jobs.start_workers()
        try:
            yield
        finally:
            svc.jobs.stop_workers()
            if owned:  # we built it, we close it
                svc.close()

    return lifespan


def _mount(app: FastAPI) -> None:
    """The static files, the health check, the JSON API under /api/v1 and the HTML pages."""
    static_dir = str(resources.files("stride.web") / "static")
    app.mount("/static", StaticFiles(directory=static_dir), name="static")
    app.include_router(health)
    for api in _API_ROUTERS:
        app.include_router(api.router, prefix="/api/v1")
    for pages in _PAGE_ROUTERS:
        app.include_router(pages.router)


def create_worker_app() -> FastAPI:
    """The app of one process of ``stride serve --workers N`` (uvicorn calls it in each worker).

    Settings come from the environment the worker inherited, as they did in ``stride serve``; the
    database is migrated and interrupted imports are recovered there, once, before the workers start.
    """
    return create_app(load_settings(), recover_jobs=False)
