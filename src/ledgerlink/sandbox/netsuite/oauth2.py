"""OAuth 2.0 client credentials (machine-to-machine) for the emulator: the token endpoint and bearer tokens.

NetSuite's flow (Oracle, "OAuth 2.0 Client Credentials Setup", "POST Request to the Token Endpoint and the
Access Token Response", "The Request Token Structure"):

* ``POST /services/rest/auth/oauth2/v1/token`` with a form body ``grant_type=client_credentials``,
  ``client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`` and
  ``client_assertion=<JWT>``.
* The JWT header has ``typ: JWT``, ``alg`` one of PS256/PS384/PS512/ES256/ES384/ES512 and ``kid`` = the
  certificate id of the mapping made in OAuth 2.0 Client Credentials (M2M) Setup; it is signed with the
  private key of that certificate. The payload has ``iss`` = the integration's client id, ``scope`` =
  ``restlets``, ``rest_webservices``, ``suite_analytics`` (comma-separated; Oracle's own example sends a
  JSON array, so both are accepted), ``aud`` = the token endpoint URL, ``iat`` and ``exp`` (less than 60
  minutes after ``iat``).
* The answer is ``{"access_token": <JWT>, "expires_in": "3600", "token_type": "bearer"}``; the access
  token is valid for 60 minutes and no refresh token is issued: the client repeats the grant.

Refusals follow RFC 6749 section 5.2 (HTTP 400, ``{"error": "invalid_grant"}`` and kin); NetSuite's
exact refusal bodies could not be confirmed from public sources (its Login Audit Trail names causes such
as ``InvalidSignature`` or ``InvalidScope``), so the emulator adds an ``error_description``.

Access tokens issued here are JWTs signed by the emulator (HS256 with a sandbox secret), so they stay
valid across emulator restarts for their 60 minutes. A request with ``Authorization: Bearer <token>`` is
accepted on REST web services when the token carries ``rest_webservices`` and on RESTlets when it carries
``restlets``; an expired, unknown or out-of-scope token is answered 401 ``INVALID_LOGIN``, like a bad TBA
signature.
"""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from starlette.responses import JSONResponse

from ledgerlink.sandbox.netsuite.errors import NetSuiteError, invalid_login
from ledgerlink.sandbox.netsuite.settings import NetSuiteSandboxSettings

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"  # noqa: S105 - a path, not a secret
GRANT_TYPE = "client_credentials"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ("PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
KNOWN_SCOPES = frozenset({"rest_webservices", "restlets", "suite_analytics"})
MAX_ASSERTION_LIFETIME = 3600
CLOCK_SKEW = 300
_ACCESS_ALGORITHM = "HS256"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    """A refused token request: RFC 6749 error code plus a description."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def response(self) -> JSONResponse:
        body = {"error": self.error, "error_description": self.description}
        return JSONResponse(body, status_code=self.status, headers=_NO_STORE)


def scopes_of(claim: Any) -> list[str]:
    """The scopes of a ``scope`` claim written as a comma/space separated string or a JSON array."""
    if isinstance(claim, str):
        parts = claim.replace(",", " ").split()
    elif isinstance(claim, list) and all(isinstance(part, str) for part in claim):
        parts = [piece for part in claim for piece in part.replace(",", " ").split()]
    else:
        return []
    return list(dict.fromkeys(parts))


class OAuth2Server:
    """Issues and checks the account's OAuth 2.0 access tokens."""

    def __init__(self, settings: NetSuiteSandboxSettings) -> None:
        self.settings = settings
        self._keys: dict[str, Any] = {}
        for kid, pem in settings.oauth2_certificates.items():
            self._keys[kid] = _public_key(pem)

    # -- token endpoint ---------------------------------------------------------------------------------

    def token_response(self, url: str, headers: dict[str, str], body: bytes, now: float | None = None) -> Any:
        """Answer one request to the token endpoint (``url`` as the client used it)."""
        try:
            return self._issue(url, headers, body, time.time() if now is None else now)
        except OAuthError as error:
            return error.response()

    def _issue(self, url: str, headers: dict[str, str], body: bytes, now: float) -> JSONResponse:
        if "application/x-www-form-urlencoded" not in headers.get("content-type", "").lower():
            raise OAuthError("invalid_request", "The body must be application/x-www-form-urlencoded.")
        try:
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
        except UnicodeDecodeError:
            raise OAuthError("invalid_request", "The body is not valid UTF-8.") from None
        if form.get("grant_type") != GRANT_TYPE:
            raise OAuthError("unsupported_grant_type", "grant_type must be client_credentials.")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise OAuthError("invalid_request", f"client_assertion_type must be {ASSERTION_TYPE}.")
        assertion = form.get("client_assertion", "")
        if not assertion:
            raise OAuthError("invalid_request", "client_assertion is missing.")
        claims = self.verify_assertion(assertion, url.split("?", 1)[0], now)
        scopes = scopes_of(claims.get("scope"))
        lifetime = self.settings.oauth2_token_lifetime_seconds
        token = jwt.encode(
            {
                "sub": f"{self.settings.account};oauth2",
                "aud": claims["iss"],
                "scope": scopes,
                "iss": url.split("/services/", 1)[0],
                "iat": int(now),
                "exp": int(now) + lifetime,
                "jti": str(uuid.uuid4()),
            },
            self.settings.oauth2_access_token_secret,
            algorithm=_ACCESS_ALGORITHM,
        )
        body_out = {"access_token": token, "expires_in": str(lifetime), "token_type": "bearer"}
        return JSONResponse(body_out, headers=_NO_STORE)

    def verify_assertion(self, assertion: str, token_url: str, now: float) -> dict[str, Any]:
        """The claims of a valid client assertion; :class:`OAuthError` otherwise."""
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            raise OAuthError("invalid_request", "client_assertion is not a JWT.") from None
        algorithm = header.get("alg")
        allowed = ALGORITHMS + (("RS256",) if self.settings.oauth2_allow_rs256 else ())
        if algorithm not in allowed:
            supported = ", ".join(ALGORITHMS)
            raise OAuthError("invalid_grant", f"Unsupported JWT algorithm {algorithm}; use {supported}.")
        kid = header.get("kid")
        key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise OAuthError("invalid_grant", "The kid does not name a certificate mapped for this account.")
        try:
            claims: dict[str, Any] = jwt.decode(
                assertion,
                key,
                algorithms=[algorithm],
                audience=token_url,
                options={"require": ["iss", "aud", "iat", "exp", "scope"], "verify_iat": False},
                leeway=CLOCK_SKEW,
            )
        except jwt.InvalidSignatureError:
            raise OAuthError("invalid_grant", "The signature of the client assertion is invalid.") from None
        except jwt.ExpiredSignatureError:
            raise OAuthError("invalid_grant", "The client assertion has expired.") from None
        except jwt.InvalidAudienceError:
            raise OAuthError("invalid_grant", f"aud must be the token endpoint {token_url}.") from None
        except jwt.MissingRequiredClaimError as error:
            raise OAuthError("invalid_request", f"The client assertion has no {error.claim} claim.") from None
        except jwt.PyJWTError as error:
            raise OAuthError("invalid_grant", f"The client assertion is invalid: {error}.") from None
        except (TypeError, ValueError):
            raise OAuthError("invalid_grant", f"{algorithm} does not fit the certificate's key.") from None
        # PyJWT checks exp itself; check it again at our own clock (tests move it) and the rest by hand.
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int | float) or not isinstance(exp, int | float):
            raise OAuthError("invalid_request", "iat and exp must be numbers of seconds since 1970.")
        if iat > now + CLOCK_SKEW:
            raise OAuthError("invalid_grant", "The client assertion is issued in the future (iat).")
        if exp <= now - CLOCK_SKEW:
            raise OAuthError("invalid_grant", "The client assertion has expired.")
        if exp - iat > MAX_ASSERTION_LIFETIME:
            raise OAuthError("invalid_grant", "exp must be less than 60 minutes after iat.")
        if claims.get("iss") != self.settings.oauth2_client_id:
            raise OAuthError("invalid_client", "iss is not the client id of an integration of this account.")
        scopes = scopes_of(claims.get("scope"))
        if not scopes:
            raise OAuthError("invalid_scope", "The scope claim is empty.")
        unknown = [s for s in scopes if s not in KNOWN_SCOPES or s not in self.settings.oauth2_scopes]
        if unknown:
            refused = ", ".join(unknown)
            raise OAuthError("invalid_scope", f"Scope not allowed for this integration: {refused}.")
        return claims

    # -- bearer tokens ----------------------------------------------------------------------------------

    def verify_bearer(self, token: str, scope: str, now: float) -> dict[str, Any]:
        """The claims of a valid access token carrying ``scope``; 401 INVALID_LOGIN otherwise."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.settings.oauth2_access_token_secret,
                algorithms=[_ACCESS_ALGORITHM],
                options={"verify_aud": False, "verify_exp": False, "require": ["exp", "scope"]},
            )
        except jwt.PyJWTError:
            raise invalid_login() from None
        if claims["exp"] <= now:
            raise invalid_login()
        if scope not in scopes_of(claims.get("scope")):
            raise invalid_login()
        return claims


def required_scope(path: str) -> str:
    """The OAuth 2.0 scope a request path needs."""
    return "restlets" if path.startswith("/app/site/hosting/restlet.nl") else "rest_webservices"


def _public_key(pem: str) -> Any:
    data = pem.strip().encode()
    if b"BEGIN CERTIFICATE" in data:
        return x509.load_pem_x509_certificate(data).public_key()
    return load_pem_public_key(data)


__all__ = ["TOKEN_PATH", "NetSuiteError", "OAuth2Server", "OAuthError", "required_scope", "scopes_of"]
