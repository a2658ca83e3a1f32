"""The emulated WooCommerce store as an ASGI application.

`create_app(state_path)` gives an app that serves everything under `/wp-json/` from one SQLite
state file. Tests reach the moving parts through `app.state.sandbox` (a :class:`WooSandbox`):
`await app.state.sandbox.webhooks.drain()` waits for queued deliveries, `.webhooks.deliveries` is
the delivery log and `.webhooks.drop_next()` loses the next delivery on purpose.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ledgerlink.sandbox.woocommerce.api import WooApi
from ledgerlink.sandbox.woocommerce.common import ResourceEvent
from ledgerlink.sandbox.woocommerce.settings import WooSandboxSettings
from ledgerlink.sandbox.woocommerce.state import StateStore
from ledgerlink.sandbox.woocommerce.webhooks import WebhookDispatcher

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@dataclass
class WooSandbox:
    """Handles on a running emulator, for tests and the demo."""

    settings: WooSandboxSettings
    store: StateStore
    webhooks: WebhookDispatcher
    api: WooApi


def create_app(
    state_path: Path,
    settings: WooSandboxSettings | None = None,
    *,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    """Build the store. `webhook_transport` routes deliveries elsewhere (e.g. httpx.ASGITransport)."""
    settings = settings or WooSandboxSettings()
    store = StateStore(Path(state_path))
    api: WooApi | None = None

    def render(event: ResourceEvent) -> Any:
        assert api is not None
        return api.render_event(event)

    dispatcher = WebhookDispatcher(store, settings, render, webhook_transport)
    api = WooApi(settings, store, dispatcher)

    async def endpoint(request: Request) -> Response:
        assert api is not None
        return await api(request)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await dispatcher.aclose()

    app = Starlette(
        routes=[Route("/{path:path}", endpoint, methods=METHODS)],
        lifespan=lifespan,
    )
    app.state.sandbox = WooSandbox(settings=settings, store=store, webhooks=dispatcher, api=api)
    return app
