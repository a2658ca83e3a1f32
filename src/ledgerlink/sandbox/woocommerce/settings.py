"""Settings of the WooCommerce emulator: the store's identity, its API keys and its timing.

A real store is defined by its home URL (OAuth signatures are computed over it), the API keys an
administrator created, the tax rates configured in WooCommerce > Settings > Tax, and how slowly it
answers. Everything the emulator needs to behave like one particular store lives here, so a test
or the demo can describe the store it wants in one object.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ledgerlink.sandbox.credentials import WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET, WOO_PORT

Permission = Literal["read", "write", "read_write"]


class ApiKey(BaseModel):
    """One REST API key as WooCommerce stores it: a key pair, its permission and its owner."""

    model_config = ConfigDict(frozen=True)

    consumer_key: str
    consumer_secret: str
    permissions: Permission = "read_write"
    user_id: int = 1
    description: str = ""


class TaxRate(BaseModel):
    """A standard-class tax rate: applies to orders whose taxable address matches country/state."""

    model_config = ConfigDict(frozen=True)

    id: int
    country: str = ""  # "" matches every country, as in the WooCommerce tax table
    state: str = ""  # "" matches every state of the country
    rate: Decimal  # percent, e.g. 7.25
    name: str = "Tax"
    priority: int = 1
    shipping: bool = True  # the rate also applies to shipping lines

    @property
    def rate_code(self) -> str:
        """The code WooCommerce shows in tax lines: COUNTRY-STATE-NAME-PRIORITY, empty parts left out."""
        parts = [self.country.upper(), self.state.upper(), (self.name or "TAX").upper(), str(self.priority)]
        return "-".join(part for part in parts if part)

    @property
    def rate_percent(self) -> float:
        return float(self.rate)


def _default_tax_rates() -> list[TaxRate]:
    return [TaxRate(id=1, country="US", rate=Decimal("7.25"), name="Sales Tax")]


class WooSandboxSettings(BaseModel):
    """How the emulated store is set up. Defaults match the built-in sandbox credentials."""

    home_url: str = f"http://127.0.0.1:{WOO_PORT}"
    consumer_key: str = WOO_CONSUMER_KEY
    consumer_secret: str = WOO_CONSUMER_SECRET
    extra_keys: list[ApiKey] = Field(default_factory=list)
    latency_seconds: float = Field(default=0.0, ge=0)
    webhook_delay_seconds: float = Field(default=0.0, ge=0)
    # An order created through the REST API fires `order.created` and then, about 50 ms later,
    # `order.updated` (observed on a real 9.9.5 store, FACTS.md §7): the gap between the two.
    order_create_update_gap_seconds: float = Field(default=0.05, ge=0)
    # WooCommerce's `woocommerce_max_webhook_delivery_failures`: the delivery failure that follows
    # this many consecutive failures switches the webhook to `disabled` (a real 9.9.5 store with the
    # default of 5 disabled the webhook on the sixth failure).
    disable_after_failures: int = Field(default=5, ge=0)
    webhook_timeout_seconds: float = Field(default=60.0, gt=0)  # WooCommerce waits a minute
    ping_timeout_seconds: float = Field(default=5.0, gt=0)  # wp_safe_remote_post's default
    currency: str = "USD"
    tax_rates: list[TaxRate] = Field(default_factory=_default_tax_rates)
    wc_version: str = "9.9.5"
    wp_version: str = "6.9"
    nonce_window_seconds: int = 15 * 60

    def api_keys(self) -> list[ApiKey]:
        """Every key the store accepts, the main read/write key first."""
        main = ApiKey(
            consumer_key=self.consumer_key,
            consumer_secret=self.consumer_secret,
            permissions="read_write",
            description="Ledgerlink sandbox",
        )
        return [main, *self.extra_keys]

    def find_key(self, consumer_key: str) -> ApiKey | None:
        for key in self.api_keys():
            if key.consumer_key == consumer_key:
                return key
        return None

    @property
    def home(self) -> str:
        """The home URL without a trailing slash."""
        return self.home_url.rstrip("/")

    @property
    def user_agent(self) -> str:
        """What WooCommerce sends as User-Agent on webhook deliveries and pings."""
        return f"WooCommerce/{self.wc_version} Hookshot (WordPress/{self.wp_version})"
