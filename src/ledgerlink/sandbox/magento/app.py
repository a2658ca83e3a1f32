"""The emulated Magento store as an ASGI application.

``create_app(state_path, settings)`` gives an app that serves everything under ``/rest/`` from one
SQLite state file, so a new app over the same file is the same store after a restart. Tests reach the
moving parts through ``app.state.sandbox`` (a :class:`MagentoSandbox`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from ledgerlink.sandbox.magento.api import MagentoApi
from ledgerlink.sandbox.magento.auth import Authenticator
from ledgerlink.sandbox.magento.settings import MagentoSandboxSettings
from ledgerlink.sandbox.magento.state import StateStore

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@dataclass
class MagentoSandbox:
    """Handles on a running emulator, for tests and the demo."""

    settings: MagentoSandboxSettings
    store: StateStore
    api: MagentoApi


def create_app(
    state_path: Path,
    settings: MagentoSandboxSettings | None = None,
    *,
    clock: Callable[[], float] = time.time,
) -> FastAPI:
    """Build the store; ``clock`` (epoch seconds) drives token expiry and OAuth timestamp checks."""
    settings = settings or MagentoSandboxSettings()
    store = StateStore(Path(state_path))
    api = MagentoApi(settings, store, Authenticator(settings, store, clock))

    async def endpoint(request: Request) -> Response:
        return await api(request)

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.add_route("/{path:path}", endpoint, methods=METHODS)
    app.state.sandbox = MagentoSandbox(settings=settings, store=store, api=api)
    return app
