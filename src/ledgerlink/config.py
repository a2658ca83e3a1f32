"""The configuration file, ``ledgerlink.yaml``, validated with pydantic.

Any value may be written ``${ENV_NAME}`` to read it from the environment, so secrets need never sit in
the file. Secrets are ``SecretStr``: they print as ``**********`` everywhere, logs included.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
DEFAULT_CONFIG_PATH = Path("ledgerlink.yaml")


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and what is expected."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class NetSuiteConnection(_Strict):
    """One NetSuite account, reached with token-based authentication or OAuth 2.0 client credentials.

    ``auth: tba`` (the default) signs every request with the four TBA credentials (OAuth 1.0a,
    HMAC-SHA256). ``auth: oauth2`` uses the OAuth 2.0 client credentials (machine-to-machine) flow: a JWT
    signed with the private key of the certificate mapped in NetSuite (``certificate_id`` becomes the
    JWT's ``kid``) is exchanged for a 60-minute bearer access token, renewed before it expires.
    """

    type: Literal["netsuite"]
    account: str = Field(description="account id as NetSuite writes it, e.g. 1234567 or 1234567_SB1")
    base_url: str | None = Field(default=None, description="derived from the account when not given")
    auth: Literal["tba", "oauth2"] = "tba"
    consumer_key: SecretStr | None = Field(default=None, validate_default=True)
    consumer_secret: SecretStr | None = Field(default=None, validate_default=True)
    token_id: SecretStr | None = Field(default=None, validate_default=True)
    token_secret: SecretStr | None = Field(default=None, validate_default=True)
    client_id: SecretStr | None = Field(
        default=None, validate_default=True, description="OAuth 2.0: the integration's client id"
    )
    certificate_id: str | None = Field(
        default=None,
        validate_default=True,
        description="OAuth 2.0: certificate id from OAuth 2.0 Client Credentials (M2M) Setup",
    )
    private_key_file: Path | None = Field(default=None, description="OAuth 2.0: PEM private key file")
    private_key: SecretStr | None = Field(default=None, description="OAuth 2.0: PEM private key itself")
    jwt_algorithm: Literal["PS256", "PS384", "PS512", "ES256", "ES384", "ES512"] = Field(
        default="PS256", description="OAuth 2.0: signature algorithm of the client assertion"
    )
    scopes: list[str] = Field(
        default_factory=lambda: ["rest_webservices"],
        description="OAuth 2.0 scopes: rest_webservices, restlets, suite_analytics",
    )
    restlet_url: str | None = Field(
        default=None, description="RESTlet host; derived from the account (or base_url) when not given"
    )
    timeout_seconds: float = 60.0
    concurrency: int = Field(default=5, ge=1, le=200, description="requests in flight; the account's limit")
    allow_writes: bool = True

    @field_validator("account")
    @classmethod
    def _account_shape(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_-]+", value):
            raise ValueError("account must be the NetSuite account id, like 1234567 or 1234567_SB1")
        return value

    @field_validator(
        "consumer_key", "consumer_secret", "token_id", "token_secret", "client_id", "certificate_id"
    )
    @classmethod
    def _credential_for_auth(cls, value: Any, info: ValidationInfo) -> Any:
        """Each credential the chosen ``auth`` needs, reported under its own key when it is missing."""
        auth = info.data.get("auth", "tba")
        tba = info.field_name in ("consumer_key", "consumer_secret", "token_id", "token_secret")
        if value is None and (auth == "tba") == tba:
            raise ValueError(f"auth {auth} needs {info.field_name}")
        return value

    @model_validator(mode="after")
    def _credentials_for_auth(self) -> NetSuiteConnection:
        if self.auth == "oauth2":
            missing = [name for name in ("client_id", "certificate_id") if not getattr(self, name)]
            if self.private_key_file is None and self.private_key is None:
                missing.append("private_key_file (or private_key)")
            if missing:
                raise ValueError(f"auth oauth2 needs {', '.join(missing)}")
            if not self.scopes:
                raise ValueError("auth oauth2 needs at least one scope, e.g. rest_webservices")
        return self

    @property
    def restlet_base(self) -> str:
        """RESTlet host: ``{slug}.restlets.api.netsuite.com`` unless restlet_url or base_url is set."""
        if self.restlet_url:
            return self.restlet_url.rstrip("/")
        if self.base_url:
            return self.base_url.rstrip("/")
        slug = self.account.lower().replace("_", "-")
        return f"https://{slug}.restlets.api.netsuite.com"

    @property
    def url(self) -> str:
        """REST host: account id lower-cased with '_' turned into '-' (realm keeps the original form)."""
        if self.base_url:
            return self.base_url.rstrip("/")
        slug = self.account.lower().replace("_", "-")
        return f"https://{slug}.suitetalk.api.netsuite.com"


class WooCommerceConnection(_Strict):
    """One WooCommerce store, reached through its REST API v3 with a consumer key and secret."""

    type: Literal["woocommerce"]
    base_url: str = Field(description="the store's home URL, e.g. https://shop.example.com")
    consumer_key: SecretStr
    consumer_secret: SecretStr
    webhook_secret: SecretStr | None = None
    ca_file: Path | None = Field(default=None, description="CA bundle for stores with their own CA")
    verify_tls: bool = True
    timeout_seconds: float = 30.0
    concurrency: int = Field(default=4, ge=1, le=100)
    allow_writes: bool = True

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        return value.rstrip("/")


class MagentoConnection(_Strict):
    """One Magento 2 / Adobe Commerce store view, reached through its REST API.

    ``auth: oauth1`` signs every request with the integration's four credentials (Magento 2.4.4+ no
    longer accepts an integration access token as a bearer token unless the store enables it);
    ``bearer`` sends the integration access token as a bearer token; ``admin`` exchanges an admin
    username and password for a 4-hour admin token and renews it before it expires.
    """

    type: Literal["magento"]
    base_url: str = Field(description="the store's base URL, e.g. https://shop.example.com")
    store_code: str = Field(default="default", description="store view code used in /rest/<code>/V1/")
    store_id: int | None = Field(
        default=None,
        ge=0,
        description="only this store view's orders (by store_id); the store code in the URL does not "
        "filter orders, so one connection per store view needs it",
    )
    auth: Literal["oauth1", "bearer", "admin"] = "oauth1"
    consumer_key: SecretStr | None = None
    consumer_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    access_token_secret: SecretStr | None = None
    username: SecretStr | None = None
    password: SecretStr | None = None
    ca_file: Path | None = None
    verify_tls: bool = True
    timeout_seconds: float = 60.0
    concurrency: int = Field(default=4, ge=1, le=100)
    allow_writes: bool = True

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _credentials_for_auth(self) -> MagentoConnection:
        needed = {
            "oauth1": ("consumer_key", "consumer_secret", "access_token", "access_token_secret"),
            "bearer": ("access_token",),
            "admin": ("username", "password"),
        }[self.auth]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"auth {self.auth} needs {', '.join(missing)}")
        return self


class CommercetoolsConnection(_Strict):
    """One commercetools project, reached with an API client's OAuth2 client credentials."""

    type: Literal["commercetools"]
    project_key: str
    api_url: str = Field(default="https://api.europe-west1.gcp.commercetools.com")
    auth_url: str = Field(default="https://auth.europe-west1.gcp.commercetools.com")
    client_id: SecretStr
    client_secret: SecretStr
    scopes: list[str] = Field(default_factory=list, description="e.g. manage_orders:<project>; empty = all")
    store_key: str | None = Field(default=None, description="read only this store's orders")
    timeout_seconds: float = 60.0
    concurrency: int = Field(default=8, ge=1, le=100)
    allow_writes: bool = True

    @field_validator("api_url", "auth_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")


StoreConnection = WooCommerceConnection | MagentoConnection | CommercetoolsConnection
STORE_TYPES = (WooCommerceConnection, MagentoConnection, CommercetoolsConnection)

Connection = Annotated[
    NetSuiteConnection | WooCommerceConnection | MagentoConnection | CommercetoolsConnection,
    Field(discriminator="type"),
]


class RouteCondition(_Strict):
    """Which orders a route takes: every condition given must hold."""

    currency: str | None = Field(default=None, description="ISO code of the order's currency")
    store: str | None = Field(
        default=None, description="the platform's store: commercetools store key, Magento store id"
    )

    def matches(self, *, currency: str, store: str | None) -> bool:
        if self.currency is not None and self.currency.upper() != currency.upper():
            return False
        return self.store is None or self.store == store


class Route(_Strict):
    """Where matching orders go in NetSuite, overriding the mapping's defaults."""

    when: RouteCondition
    subsidiary: str | None = None
    location: str | None = None
    department: str | None = None
    class_: str | None = Field(default=None, alias="class")


class CurrencyLimits(_Strict):
    """Amount limits for orders in one currency, where the defaults' figures mean too little (JPY)."""

    max_line_amount: Decimal | None = Field(default=None, gt=0)
    max_order_total: Decimal | None = Field(default=None, gt=0)


class OrderLimits(_Strict):
    """Figures no genuine order reaches: an order beyond one is held for review (``HELD_FOR_REVIEW``)
    before anything is written to NetSuite, since a typo or a broken plugin (10^9 units) would otherwise
    become a sales order. Amounts are in the order's currency."""

    max_line_quantity: Decimal = Field(default=Decimal(100_000), gt=0, description="units on one line")
    max_line_amount: Decimal = Field(
        default=Decimal(10_000_000),
        gt=0,
        description="one line before discounts, or one shipping or fee line",
    )
    max_order_total: Decimal = Field(default=Decimal(10_000_000), gt=0, description="what the buyer pays")
    by_currency: dict[str, CurrencyLimits] = Field(
        default_factory=dict, description="currency code -> amount limits replacing the two above"
    )

    def limit(self, name: str, currency: str) -> tuple[Decimal, str]:
        """The limit ``name`` (``max_line_quantity``, ``max_line_amount``, ``max_order_total``) for an
        order in ``currency``, and the setting it comes from (``limits.max_order_total``)."""
        for code, limits in self.by_currency.items():
            override = getattr(limits, name, None)
            if code.upper() == currency.upper() and override is not None:
                return override, f"limits.by_currency.{code}.{name}"
        return getattr(self, name), f"limits.{name}"


class OrderMapping(_Strict):
    """How store orders become NetSuite sales orders. Values are NetSuite internal ids."""

    record_type: Literal["salesOrder", "cashSale"] = "salesOrder"
    subsidiary: str | None = None
    location: str | None = None
    department: str | None = None
    class_: str | None = Field(default=None, alias="class")
    ship_item: str | None = Field(default=None, description="shipItem used as shipMethod on every order")
    ship_methods: dict[str, str] = Field(default_factory=dict, description="store method id -> shipItem id")
    discount_item: str | None = Field(default=None, description="discount item carrying order discounts")
    tax_item: str | None = Field(default=None, description="other-charge item carrying the store's tax")
    fee_item: str | None = Field(default=None, description="other-charge item carrying store fees")
    payment_methods: dict[str, str] = Field(default_factory=dict, description="store gateway -> method id")
    sku_field: Literal["itemid", "upccode", "externalid"] = "itemid"
    customer_match: Literal["external_id_then_email", "external_id_only"] = "external_id_then_email"
    channel_field: str | None = Field(default=None, description="body field stamped with the connection name")
    order_status: Literal["A", "B"] = Field(
        default="B", description="A pending approval, B pending fulfillment"
    )
    statuses: list[str] = Field(
        default_factory=lambda: ["processing", "completed", "on-hold"],
        description="store statuses that are synced; others (pending payment, failed) wait",
    )
    routes: list[Route] = Field(
        default_factory=list,
        description="by currency and/or store: subsidiary, location, department, class; first match wins",
    )
    limits: OrderLimits = Field(default_factory=OrderLimits)

    def routed(self, *, currency: str, store: str | None = None) -> OrderMapping:
        """The mapping for one order: the first route that matches overrides the defaults it names."""
        for route in self.routes:
            if route.when.matches(currency=currency, store=store):
                overrides = route.model_dump(exclude={"when"}, exclude_none=True)
                return self.model_copy(update=overrides)
        return self


class FlowConfig(_Strict):
    kind: Literal["orders"]
    from_: str = Field(alias="from")
    to: str
    schedule: str | None = Field(
        default="every 5m", description='"every 30s", "every 1m", "every 2h" or null'
    )
    webhooks: bool = True
    mapping: OrderMapping = Field(default_factory=OrderMapping)

    @field_validator("schedule")
    @classmethod
    def _schedule_shape(cls, value: str | None) -> str | None:
        if value is not None:
            parse_every(value)
        return value

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.from_}->{self.to}"

    @property
    def interval_seconds(self) -> float | None:
        return parse_every(self.schedule) if self.schedule else None


class EngineConfig(_Strict):
    workers: int = Field(default=8, ge=1, le=256, description="jobs run at once in one process")
    max_attempts: int = Field(default=8, ge=1, le=100)
    backoff_base_seconds: float = Field(default=2.0, gt=0)
    backoff_cap_seconds: float = Field(default=600.0, gt=0)
    cursor_overlap_seconds: float = Field(default=120.0, ge=0)
    poll_interval_seconds: float = Field(default=0.2, gt=0)
    incident_probe_seconds: float = Field(
        default=2.0, gt=0, description="first probe of a connection incident after this; doubles each time"
    )
    incident_probe_cap_seconds: float = Field(
        default=30.0, gt=0, description="longest wait between two probes of a connection incident"
    )
    retention_days: float = Field(default=90, gt=0, description="finished jobs and payloads kept this long")
    heartbeat_seconds: float = Field(default=2.0, gt=0, description="how often a worker says it is alive")
    lease_seconds: float = Field(
        default=15.0,
        gt=0,
        description="a worker silent this long is dead: its jobs are requeued and its NetSuite slots freed",
    )
    stall_seconds: float = Field(
        default=45.0,
        gt=0,
        description="/healthz answers 503 when a loop, the workers or the backlog stand still this long",
    )
    due_age_seconds: float = Field(
        default=900.0, gt=0, description="/healthz answers 503 when the oldest due job has waited this long"
    )

    @model_validator(mode="after")
    def _heartbeat_within_lease(self) -> EngineConfig:
        if self.heartbeat_seconds * 2 > self.lease_seconds:
            raise ValueError(
                f"engine.lease_seconds ({self.lease_seconds}) must be at least twice "
                f"engine.heartbeat_seconds "
                f"({self.heartbeat_seconds}), or live jobs are taken for dead"
            )
        return self


class ConsoleConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8700, ge=1, le=65535)
    public_url: str | None = Field(default=None, description="URL the stores post webhooks to")
    max_webhook_bytes: int = Field(
        default=1024 * 1024, ge=1, description="larger webhook bodies are answered 413 unread"
    )

    @property
    def webhook_base(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


class Config(_Strict):
    database_url: str = "sqlite:///ledgerlink.db"
    connections: dict[str, Connection]
    flows: list[FlowConfig] = Field(default_factory=list)
    engine: EngineConfig = Field(default_factory=EngineConfig)
    console: ConsoleConfig = Field(default_factory=ConsoleConfig)

    @model_validator(mode="after")
    def _flows_name_connections(self) -> Config:
        for index, flow in enumerate(self.flows):
            for role, name in (("from", flow.from_), ("to", flow.to)):
                if name not in self.connections:
                    known = ", ".join(sorted(self.connections)) or "none"
                    raise ValueError(f"flows.{index}.{role}: no connection named {name!r} (known: {known})")
            if not isinstance(self.connections[flow.to], NetSuiteConnection):
                raise ValueError(f"flows.{index}.to: the orders flow writes to a netsuite connection")
            if not isinstance(self.connections[flow.from_], STORE_TYPES):
                raise ValueError(f"flows.{index}.from: the orders flow reads from a store connection")
        return self

    def flow(self, name_or_kind: str) -> list[FlowConfig]:
        return [f for f in self.flows if name_or_kind in (f.kind, f.name)]


def parse_every(text: str) -> float:
    """Parse ``every 30s`` / ``every 1m`` / ``every 2h`` into seconds."""
    match = re.fullmatch(r"\s*every\s+(\d+(?:\.\d+)?)\s*(s|m|h)\s*", text)
    if not match:
        raise ValueError(f'schedule must look like "every 30s", "every 1m" or "every 2h", got {text!r}')
    number, unit = float(match.group(1)), match.group(2)
    return number * {"s": 1, "m": 60, "h": 3600}[unit]


def expand_env(value: Any, path: str = "") -> Any:
    """Replace ``${NAME}`` with the environment variable NAME, everywhere in the parsed YAML."""
    if isinstance(value, dict):
        return {k: expand_env(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_env(v, f"{path}.{i}") for i, v in enumerate(value)]
    if isinstance(value, str):

        def lookup(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise ConfigError(f"{path}: environment variable {name} is not set")
            return os.environ[name]

        return ENV_REFERENCE.sub(lookup, value)
    return value


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        key = ".".join(
            str(p) for p in item["loc"] if not str(p).startswith(("function-after", "tagged-union"))
        )
        lines.append(f"{key or '(top level)'}: {item['msg']}")
    return "; ".join(lines)


def parse_config(data: Any, *, source: str = "ledgerlink.yaml") -> Config:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping with database_url, connections and flows")
    try:
        return Config.model_validate(expand_env(data))
    except ValidationError as error:
        raise ConfigError(f"{source}: {_describe(error)}") from None


def load_config(path: Path | str = DEFAULT_CONFIG_PATH) -> Config:
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no configuration file; run `ledgerlink init --sandbox` to write one")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    return parse_config(data, source=str(path))
