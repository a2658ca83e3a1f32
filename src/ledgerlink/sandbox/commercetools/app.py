"""The emulated commercetools project as an ASGI application.

``create_app(state_path, settings)`` serves the auth service (``POST /oauth/token``) and the project
API (``/{projectKey}/...``) on one port, so a connection's ``auth_url`` and ``api_url`` can both point
at it. Tests reach the moving parts through ``app.state.sandbox`` (a :class:`CommercetoolsSandbox`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from ledgerlink.sandbox.commercetools.api import ProjectApi
from ledgerlink.sandbox.commercetools.auth import AuthService
from ledgerlink.sandbox.commercetools.errors import CtApiError
from ledgerlink.sandbox.commercetools.faults import Faults
from ledgerlink.sandbox.commercetools.settings import CommercetoolsSandboxSettings
from ledgerlink.sandbox.commercetools.state import StateStore

METHODS = ["GET", "HEAD", "POST", "DELETE"]


@dataclass
class CommercetoolsSandbox:
    """Handles on a running emulator, for tests and the demo."""

    settings: CommercetoolsSandboxSettings
    store: StateStore
    auth: AuthService
    api: ProjectApi

    @property
    def faults(self) -> Faults:
        """Queue failures for the next requests (``fail_next(503, times=2)``)."""
        return self.api.faults


def create_app(
    state_path: Path,
    settings: CommercetoolsSandboxSettings | None = None,
    *,
    clock: Callable[[], float] = time.time,
) -> FastAPI:
    """Build the project; ``clock`` (seconds since the epoch) decides when tokens expire."""
    settings = settings or CommercetoolsSandboxSettings()
    store = StateStore(Path(state_path))
    auth = AuthService(settings, store, clock)
    api = ProjectApi(settings, store, auth)
    app = FastAPI(title="commercetools sandbox", openapi_url=None, docs_url=None, redoc_url=None)

    @app.middleware("http")
    async def correlation_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Every answer carries ``X-Correlation-ID``: the caller's, or a new one, as commercetools does."""
        response = await call_next(request)
        response.headers["X-Correlation-ID"] = (
            request.headers.get("x-correlation-id") or f"projects-{uuid4()}"
        )
        return response

    @app.exception_handler(CtApiError)
    async def ct_error(_: Request, error: CtApiError) -> Response:
        return error.response()

    @app.post("/oauth/token")
    async def token(request: Request) -> Response:
        return await auth.token(request)

    @app.get("/{project_key}")
    async def project_settings(request: Request, project_key: str) -> Response:
        return await api.project(request, project_key)

    @app.api_route("/{project_key}/{path:path}", methods=METHODS)
    async def project(request: Request, project_key: str, path: str) -> Response:
        return await api(request, project_key, path)

    app.state.sandbox = CommercetoolsSandbox(settings=settings, store=store, auth=auth, api=api)
    return app
