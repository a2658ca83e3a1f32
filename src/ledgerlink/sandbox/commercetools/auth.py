"""The auth service (``POST /oauth/token``) and the bearer-token check in front of the project API.

Client credentials come as HTTP Basic (or, as the service also accepts, ``client_id``/``client_secret``
form fields). ``scope`` may ask for a subset of the client's scopes; asking for one it lacks is
``invalid_scope``. Tokens are stored with their expiry, so a restart keeps them valid. Each endpoint
names the scopes that open it (any one suffices); ``manage_project`` opens everything and ``manage_x``
includes ``view_x``. A store-scoped scope (``view_orders:{project}:{store}``) opens only that store's
in-store endpoints.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse

from ledgerlink.sandbox.commercetools.errors import CtApiError
from ledgerlink.sandbox.commercetools.settings import CommercetoolsSandboxSettings
from ledgerlink.sandbox.commercetools.state import StateStore


@dataclass(frozen=True)
class Grant:
    """Who is calling: the API client and the scopes of its token."""

    client_id: str
    scopes: tuple[str, ...]

    def allows(self, permission: str, project_key: str, store_key: str | None = None) -> bool:
        """Whether a scope of the token opens ``permission`` (e.g. ``view_orders``) in the project."""
        resource = permission.split("_", 1)[1]
        wanted = {permission, f"manage_{resource}", "manage_project"}
        for scope in self.scopes:
            parts = scope.split(":")
            if parts[0] not in wanted or len(parts) < 2 or parts[1] != project_key:
                continue
            if len(parts) == 2 or (store_key is not None and parts[2] == store_key):
                return True
        return False


def _oauth_error(status: int, code: str, message: str) -> CtApiError:
    return CtApiError(status, code, message, oauth=True)


def _client_credentials(request: Request, form: dict[str, list[str]]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise _oauth_error(401, "invalid_client", "Please provide valid client credentials.") from None
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return (form.get("client_id") or [""])[0], (form.get("client_secret") or [""])[0]


class AuthService:
    def __init__(
        self,
        settings: CommercetoolsSandboxSettings,
        store: StateStore,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings, self.store, self.clock = settings, store, clock

    async def token(self, request: Request) -> JSONResponse:
        """``POST /oauth/token``: the client credentials flow only."""
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        for name, values in request.query_params.multi_items():
            form.setdefault(name, []).append(values)
        client_id, secret = _client_credentials(request, form)
        client = self.settings.find_client(client_id)
        if client is None or not secrets.compare_digest(client.client_secret.encode(), secret.encode()):
            raise _oauth_error(401, "invalid_client", "Please provide valid client credentials.")
        grant_type = (form.get("grant_type") or [""])[0]
        if grant_type != "client_credentials":
            raise _oauth_error(400, "unsupported_grant_type", f"Unsupported grant type '{grant_type}'.")
        allowed = client.scopes(self.settings.project_key)
        asked = " ".join(form.get("scope") or []).split()
        missing = [scope for scope in asked if scope not in allowed]
        if missing:
            raise _oauth_error(400, "invalid_scope", f"Invalid scopes: {' '.join(missing)}.")
        scopes = asked or allowed
        token = secrets.token_urlsafe(24)
        lifetime = self.settings.token_lifetime_seconds
        with self.store.transaction() as tx:
            tx.save_token(token, client.client_id, scopes, self.clock() + lifetime)
        body = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": lifetime,
            "scope": " ".join(scopes),
        }
        return JSONResponse(body)

    def grant(self, request: Request) -> Grant:
        """The grant behind the request's bearer token; 401 invalid_token when there is none valid."""
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            raise _oauth_error(401, "invalid_token", "Missing or malformed Authorization header.")
        with self.store.transaction() as tx:
            found = tx.find_token(header[7:].strip())
        if found is None:
            raise _oauth_error(401, "invalid_token", "The token is invalid.")
        client_id, scopes, expires_at = found
        if expires_at <= self.clock():
            raise _oauth_error(401, "invalid_token", "The token is expired.")
        return Grant(client_id, tuple(scopes))

    def require(self, grant: Grant, permission: str, store_key: str | None = None) -> None:
        """403 insufficient_scope unless the grant opens ``permission`` (``view_orders``...)."""
        project = self.settings.project_key
        if not grant.allows(permission, project, store_key):
            names = f"{permission}:{project}"
            if store_key:
                names += f", {permission}:{project}:{store_key}"
            raise _oauth_error(
                403,
                "insufficient_scope",
                f"Insufficient scope. One of the following scopes is missing: {names}.",
            )
