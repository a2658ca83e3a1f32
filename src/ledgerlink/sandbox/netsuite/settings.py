"""Settings of one emulated NetSuite account: identity, credentials, governance and injected faults.

Governance: the account's concurrency limit follows its service tier plus 10 per SuiteCloud Plus licence
(Shared/Standard 5, Tier 1/Premium 15, Tier 2/Enterprise 20, Ultimate 20; e.g. Tier 1 + 5 licences =
65), as Oracle's concurrency governance pages and integrators quoting them give it. An explicit
``concurrency_limit`` overrides the tier.

Latency: every answer takes ``latency_seconds`` (or the most specific entry of ``latency_by_operation``
/ ``latency_by_type``, see :mod:`ledgerlink.sandbox.netsuite.latency`) plus a uniform random extra of up
to ``latency_spread_seconds``, drawn from a generator seeded with ``rng_seed`` for reproducible runs. It
is a response time: the emulator's own work counts towards it, as NetSuite's processing is part of
NetSuite's response time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, model_validator

from ledgerlink.sandbox import credentials
from ledgerlink.sandbox.netsuite.faults import Fault
from ledgerlink.sandbox.netsuite.sandbox_keys import (
    SANDBOX_ACCESS_TOKEN_SECRET,
    SANDBOX_CERTIFICATE_ID,
    SANDBOX_CLIENT_ID,
    SANDBOX_PUBLIC_KEY_PEM,
)

ServiceTier = Literal[
    "shared", "standard", "tier1", "premium", "tier2", "enterprise", "ultimate", "developer"
]
# Base account concurrency per service tier (before SuiteCloud Plus licences). [3P] JTB, NSCL; [V] ORA-CONC
TIER_BASE_LIMITS: dict[str, int] = {
    "shared": 5,
    "standard": 5,
    "tier1": 15,
    "premium": 15,
    "tier2": 20,
    "enterprise": 20,
    "ultimate": 20,
    "developer": 5,  # developer accounts always have 5 (Oracle's governance FAQ)
}
PER_SUITECLOUD_PLUS_LICENSE = 10


def tier_concurrency_limit(tier: str, suitecloud_plus_licenses: int = 0) -> int:
    """The account concurrency limit of a service tier with that many SuiteCloud Plus licences."""
    if tier == "developer":
        return TIER_BASE_LIMITS["developer"]
    return TIER_BASE_LIMITS[tier] + PER_SUITECLOUD_PLUS_LICENSE * suitecloud_plus_licenses


class NetSuiteSandboxSettings(BaseModel):
    """How the emulator behaves. Defaults are the fixed sandbox credentials and a Standard-tier account."""

    account: str = credentials.NETSUITE_ACCOUNT
    consumer_key: str = credentials.NETSUITE_CONSUMER_KEY
    consumer_secret: str = credentials.NETSUITE_CONSUMER_SECRET
    token_id: str = credentials.NETSUITE_TOKEN_ID
    token_secret: str = credentials.NETSUITE_TOKEN_SECRET
    # OAuth 2.0 client credentials (M2M): the integration's client id and the certificates mapped to it,
    # by certificate id (the JWT ``kid``); values are PEM public keys or X.509 certificates.
    oauth2_client_id: str = SANDBOX_CLIENT_ID
    oauth2_certificates: dict[str, str] = Field(
        default_factory=lambda: {SANDBOX_CERTIFICATE_ID: SANDBOX_PUBLIC_KEY_PEM}
    )
    oauth2_scopes: list[str] = Field(
        default_factory=lambda: ["rest_webservices", "restlets", "suite_analytics"],
        description="scopes the integration record allows",
    )
    oauth2_token_lifetime_seconds: int = Field(default=3600, ge=1, description="NetSuite: 60 minutes")
    oauth2_access_token_secret: str = SANDBOX_ACCESS_TOKEN_SECRET
    oauth2_allow_rs256: bool = Field(
        default=False, description="accept RS256 assertions; NetSuite lists only PS256..512 and ES256..512"
    )
    service_tier: ServiceTier = "standard"
    suitecloud_plus_licenses: int = Field(default=0, ge=0)
    concurrency_limit: int = Field(
        default=5, ge=1, description="requests in flight for the account; derived from the tier unless set"
    )
    integration_concurrency_limit: int | None = Field(
        default=None,
        ge=1,
        description="limit allocated to the sandbox's integration record (Integration Governance); None = "
        "it shares the account's unallocated limit",
    )
    requests_per_minute: int | None = Field(
        default=None, ge=1, description="frequency limit over a sliding 60-second window; None = none"
    )
    requests_per_day: int | None = Field(
        default=None, ge=1, description="frequency limit over a sliding 24-hour window; None = none"
    )
    latency_seconds: float = Field(
        default=0.0, ge=0, description="the account's response time: no answer comes sooner"
    )
    latency_spread_seconds: float = Field(default=0.0, ge=0, description="uniform random extra latency")
    latency_by_type: dict[str, float] = Field(
        default_factory=dict,
        description='latency per record type or "type.operation", e.g. {"salesOrder": 0.8}',
    )
    latency_by_operation: dict[str, float] = Field(
        default_factory=dict,
        description="latency per operation: create, read, update, upsert, delete, list, suiteql, restlet...",
    )
    timestamp_tolerance_seconds: int = Field(default=300, ge=0, description="allowed oauth_timestamp skew")
    concurrency_retry_after: float | None = Field(
        default=None, description="Retry-After sent with a concurrency rejection; NetSuite sends none"
    )
    require_prefer_transient: bool = Field(
        default=True, description="SuiteQL without Prefer: transient -> 400"
    )
    async_start_delay_seconds: float = Field(
        default=0.0, ge=0, description="an asynchronous job stays pending this long before it runs"
    )
    async_processors: int | None = Field(
        default=None,
        ge=1,
        description="jobs run at once (REST Async Processors); default 1 + SuiteCloud Plus licences",
    )
    async_max_batch_items: int = Field(default=100, ge=1, description="records per batch request")
    restlet_scripts: dict[str, str] = Field(
        default_factory=lambda: {"1:1": "echo", "2:1": "bulk_upsert"},
        description='"script:deploy" -> built-in sandbox script (echo, bulk_upsert)',
    )
    faults: list[Fault] = Field(default_factory=list, description="faults active from the start")
    rng_seed: int | None = Field(default=None, description="seed for latency jitter, for reproducible runs")

    @model_validator(mode="after")
    def _limit_from_tier(self) -> NetSuiteSandboxSettings:
        if "concurrency_limit" not in self.model_fields_set:
            self.concurrency_limit = tier_concurrency_limit(self.service_tier, self.suitecloud_plus_licenses)
        return self


def load_settings(path: Path, **overrides: object) -> NetSuiteSandboxSettings:
    """Settings from a YAML or JSON file (``.json`` is read as JSON, anything else as YAML), with overrides.

    Example::

        service_tier: premium
        suitecloud_plus_licenses: 1
        latency_by_type: {salesOrder: 0.8}
        latency_spread_seconds: 0.4
        rng_seed: 7
        faults:
          - {kind: maintenance, duration_seconds: 600, retry_after: 900}
    """
    text = Path(path).read_text()
    data = json.loads(text) if Path(path).suffix.lower() == ".json" else yaml.safe_load(text)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: NetSuite sandbox settings must be a mapping")
    return NetSuiteSandboxSettings.model_validate({**data, **overrides})
