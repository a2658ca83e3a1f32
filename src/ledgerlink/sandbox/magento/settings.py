"""Settings of the Magento emulator: the store's identity, its credentials, its tax and its timing.

Everything that makes one Magento store differ from another, as far as Ledgerlink can see, lives
here so a test or the demo can describe the store it wants in one object.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from ledgerlink.sandbox.magento.credentials import (
    MAGENTO_ACCESS_TOKEN,
    MAGENTO_ACCESS_TOKEN_SECRET,
    MAGENTO_ADMIN_PASSWORD,
    MAGENTO_ADMIN_USERNAME,
    MAGENTO_CONSUMER_KEY,
    MAGENTO_CONSUMER_SECRET,
    MAGENTO_PORT,
)


class MagentoSandboxSettings(BaseModel):
    """How the emulated store is set up. Defaults match the built-in sandbox credentials."""

    base_url: str = f"http://127.0.0.1:{MAGENTO_PORT}"
    consumer_key: str = MAGENTO_CONSUMER_KEY
    consumer_secret: str = MAGENTO_CONSUMER_SECRET
    access_token: str = MAGENTO_ACCESS_TOKEN
    access_token_secret: str = MAGENTO_ACCESS_TOKEN_SECRET
    admin_username: str = MAGENTO_ADMIN_USERNAME
    admin_password: str = MAGENTO_ADMIN_PASSWORD
    # Stores > Configuration > Services > OAuth > Consumer Settings > "Allow OAuth Access Tokens to be
    # used as standalone Bearer tokens": off by default since 2.4.4.
    allow_integration_bearer: bool = False
    # Magento_TwoFactorAuth (on by default in 2.4) refuses /V1/integration/admin/token; off here so the
    # admin auth mode can be exercised, on to see what such a store answers.
    admin_two_factor: bool = False
    admin_token_lifetime_seconds: float = Field(default=4 * 3600.0, gt=0)
    # Magento refuses an oauth_timestamp this far from its clock and remembers nonces per consumer.
    timestamp_window_seconds: int = 600
    store_codes: list[str] = Field(default_factory=lambda: ["default"])
    currency: str = "USD"
    tax_percent: Decimal = Decimal("8.25")
    tax_shipping: bool = True
    flat_rate_per_item: Decimal = Decimal("5.00")
    # The async.operations.all consumer completes this many queued operations per API request served.
    bulk_operations_per_request: int = Field(default=100, ge=0)
    # Stores > Configuration > Services > Web API Input Limits: off by default; when on, 300 by default.
    max_page_size: int | None = Field(default=None, ge=1)
    latency_seconds: float = Field(default=0.0, ge=0)

    @property
    def base(self) -> str:
        return self.base_url.rstrip("/")
