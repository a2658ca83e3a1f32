"""OAuth2 client credentials for one commercetools API client, cached and shared by concurrent calls.

The auth service answers ``POST {auth_url}/oauth/token`` (HTTP Basic ``client_id:client_secret``, form
``grant_type=client_credentials&scope=...``) with ``{access_token, expires_in, scope, token_type}``.
Tokens live long (two days by default), so asking for one per request would only load the auth
service: the token is kept until five minutes before it expires. An asyncio lock makes concurrent
callers wait for one fetch instead of each fetching their own. When the API answers 401
``invalid_token`` (revoked, or the clock was wrong) the client calls :meth:`TokenSource.refresh` with the
token it used; if another caller already replaced it, that newer token is used instead of a new fetch.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from ledgerlink.config import CommercetoolsConnection
from ledgerlink.connectors.commercetools.errors import (
    bad_body,
    parse_json,
    problem_for_response,
    problem_for_transport,
)

REFRESH_MARGIN_SECONDS = 300.0


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_at: float  # on the ``clock`` of the TokenSource that fetched it
    scopes: tuple[str, ...]

    def fresh(self, now: float) -> bool:
        return now < self.expires_at - REFRESH_MARGIN_SECONDS


class TokenSource:
    """Fetches and caches client-credentials tokens; safe to share between tasks of one event loop."""

    def __init__(
        self,
        connection: CommercetoolsConnection,
        http: httpx.AsyncClient,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.connection = connection
        self._http = http
        self._clock = clock
        self._token: Token | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0  # how many tokens were fetched: tests and metrics read it

    def __repr__(self) -> str:
        return f"TokenSource({self.connection.auth_url!r}, client_id='**********')"

    @property
    def scopes(self) -> list[str]:
        """The scopes of the current token, or the configured ones before the first fetch."""
        return list(self._token.scopes) if self._token else list(self.connection.scopes)

    async def token(self) -> str:
        """A token valid for at least the refresh margin, fetched only when the cached one is not."""
        current = self._token
        if current is not None and current.fresh(self._clock()):
            return current.access_token
        async with self._lock:
            current = self._token
            if current is None or not current.fresh(self._clock()):
                current = self._token = await self._fetch()
            return current.access_token

    async def refresh(self, rejected: str) -> str:
        """A new token after the API refused ``rejected``; reuses one another task fetched meanwhile."""
        async with self._lock:
            current = self._token
            if current is None or current.access_token == rejected:
                current = self._token = await self._fetch()
            return current.access_token

    async def _fetch(self) -> Token:
        url = f"{self.connection.auth_url}/oauth/token"
        form = {"grant_type": "client_credentials"}
        if self.connection.scopes:
            form["scope"] = " ".join(self.connection.scopes)
        auth = httpx.BasicAuth(
            self.connection.client_id.get_secret_value(), self.connection.client_secret.get_secret_value()
        )
        try:
            response = await self._http.post(url, data=form, auth=auth)
        except httpx.TransportError as error:
            raise problem_for_transport(error, "POST", "/oauth/token") from error
        if not response.is_success:
            raise problem_for_response(response, scopes=list(self.connection.scopes))
        body = parse_json(response)
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise bad_body(response, "a JSON object with access_token")
        expires_in = body.get("expires_in")
        if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or expires_in <= 0:
            raise bad_body(response, "a positive expires_in")
        self.fetches += 1
        scope = body.get("scope") or ""
        granted = " ".join(scope).split() if isinstance(scope, list) else str(scope).split()
        return Token(body["access_token"], self._clock() + float(expires_in), tuple(granted))
