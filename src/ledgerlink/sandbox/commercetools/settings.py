"""Settings of the commercetools emulator: the project, its API clients and their scopes, token lifetime.

A real project is reached through API clients created in the Merchant Center, each with a fixed set of
scopes; a token can ask for a subset of them and never more. Everything the emulator needs to behave
like one particular project lives here, so a test or the demo describes the project in one object.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ledgerlink.sandbox.commercetools.credentials import CT_CLIENT_ID, CT_CLIENT_SECRET, CT_PROJECT_KEY


class ApiClient(BaseModel):
    """One API client: its credentials and the permissions (``manage_orders``...) it was created with.
    A permission may name a store (``manage_orders:<project>:<store>``) via ``store_scopes``."""

    model_config = ConfigDict(frozen=True)

    client_id: str
    client_secret: str
    permissions: tuple[str, ...] = ("manage_project",)
    store_scopes: tuple[tuple[str, str], ...] = ()  # (permission, store key)

    def scopes(self, project_key: str) -> list[str]:
        granted = [f"{p}:{project_key}" for p in self.permissions]
        granted += [f"{p}:{project_key}:{store}" for p, store in self.store_scopes]
        return granted


class CommercetoolsSandboxSettings(BaseModel):
    """How the emulated project is set up. Defaults match the built-in sandbox credentials."""

    project_key: str = CT_PROJECT_KEY
    client_id: str = CT_CLIENT_ID
    client_secret: str = CT_CLIENT_SECRET
    extra_clients: list[ApiClient] = Field(default_factory=list)
    token_lifetime_seconds: int = Field(default=172_800, gt=0)  # commercetools' default: 48 hours
    latency_seconds: float = Field(default=0.0, ge=0)
    project_name: str = "Ledgerlink sandbox"
    currencies: list[str] = Field(default_factory=lambda: ["EUR", "USD"])
    countries: list[str] = Field(default_factory=lambda: ["DE", "AT", "NL", "FR", "US"])
    languages: list[str] = Field(default_factory=lambda: ["en", "de"])

    def api_clients(self) -> list[ApiClient]:
        main = ApiClient(client_id=self.client_id, client_secret=self.client_secret)
        return [main, *self.extra_clients]

    def find_client(self, client_id: str) -> ApiClient | None:
        return next((c for c in self.api_clients() if c.client_id == client_id), None)
