"""Settings of one emulated NetSuite account: identity, credentials, governance and injected faults."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ledgerlink.sandbox import credentials
from ledgerlink.sandbox.netsuite.faults import Fault


class NetSuiteSandboxSettings(BaseModel):
    """How the emulator behaves. Defaults are the fixed sandbox credentials and a Standard-tier account."""

    account: str = credentials.NETSUITE_ACCOUNT
    consumer_key: str = credentials.NETSUITE_CONSUMER_KEY
    consumer_secret: str = credentials.NETSUITE_CONSUMER_SECRET
    token_id: str = credentials.NETSUITE_TOKEN_ID
    token_secret: str = credentials.NETSUITE_TOKEN_SECRET
    concurrency_limit: int = Field(default=5, ge=1, description="requests in flight for the account")
    latency_seconds: float = Field(default=0.0, ge=0, description="added to every request")
    latency_spread_seconds: float = Field(default=0.0, ge=0, description="uniform random extra latency")
    timestamp_tolerance_seconds: int = Field(default=300, ge=0, description="allowed oauth_timestamp skew")
    concurrency_retry_after: float | None = Field(
        default=None, description="Retry-After sent with a concurrency rejection; NetSuite sends none"
    )
    require_prefer_transient: bool = Field(
        default=True, description="SuiteQL without Prefer: transient -> 400"
    )
    faults: list[Fault] = Field(default_factory=list, description="faults active from the start")
    rng_seed: int | None = Field(default=None, description="seed for latency jitter, for reproducible runs")
