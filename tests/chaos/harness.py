"""The chaos harness: a whole deployment on loopback, beaten up, then asked whether NetSuite is right.

What runs, each as a real process with its log in ``<run dir>/logs``:

* the sandbox (``ledgerlink sandbox serve``): NetSuite, WooCommerce, Magento and commercetools emulators,
  seeded before they start with three stores feeding one NetSuite account;
* Ledgerlink: several ``run --role worker`` processes, one ``--role scheduler`` and one ``--role console``
  (the webhook receiver), on PostgreSQL in a schema of their own (``options=-csearch_path%3D<schema>``).

What happens, in order:

1. *Chaos* for ``chaos_seconds``: every few seconds a random worker (sometimes the scheduler) is SIGKILLed
   and started again after a short pause; NetSuite answers about ``fault_rate`` of its requests with a
   fault (5xx, a response lost after the write committed, a hold longer than the client's timeout, 429
   storms) through the emulator's own fault injection; new WooCommerce orders for new guest buyers are
   placed through the store's REST API, so their webhooks arrive at the console.
2. *Drain*: faults cleared, kills stopped; the processes keep running and must finish by themselves within
   ``drain_deadline`` seconds. Nothing here retries a job or touches a table.
3. *Count*, through NetSuite (SuiteQL, with the PyPI ``netsuite`` client) and the stores' own APIs, never
   through Ledgerlink's tables: every syncable store order has exactly one sales order by external id,
   with the store's total to the cent. Only then is the jobs table read, for jobs left pending and for
   the error queue by problem code.
4. *Fix and retry*: the missing NetSuite items are created through NetSuite's REST API and ``ledgerlink
   errors retry --code SKU_NOT_FOUND`` must bring every order it listed into NetSuite.

``python -m tests.chaos.harness`` runs the long version and prints its figures (``make chaos``);
``tests/chaos/test_recovery.py`` runs a short one in ``make test``. Every loop here is bounded in time and
every process started here is killed on the way out.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import heapq
import hmac
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import yaml
from netsuite import Config as NetSuiteConfig
from netsuite import TokenAuth
from netsuite.rest_api import NetSuiteRestApi
from sqlalchemy import create_engine, text
from tests.e2e.conftest import LEDGERLINK, wait_for_port
from woocommerce import API as WooAPI

from ledgerlink.sandbox import credentials
from ledgerlink.sandbox.commercetools import credentials as ct_credentials
from ledgerlink.sandbox.commercetools.seed import seed_store as seed_commercetools
from ledgerlink.sandbox.init_config import sandbox_config
from ledgerlink.sandbox.magento import credentials as magento_credentials
from ledgerlink.sandbox.magento.seed import seed_store as seed_magento
from ledgerlink.sandbox.netsuite.seed import seed_netsuite
from ledgerlink.sandbox.seeding import StoreSeed
from ledgerlink.sandbox.seeding import seed_store as seed_woocommerce
from ledgerlink.sandbox.server import free_port

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get(
    "LEDGERLINK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
LOOPBACK = "127.0.0.1"

# The statuses each store's flow syncs, in the store's own words. They follow the mapping the harness
# writes (``sandbox_config``): WooCommerce the default processing/completed/on-hold; Magento processing
# and complete; commercetools Open, Confirmed (both "processing") and Complete.
SYNCED_STATUSES = {
    "woo": frozenset({"processing", "completed", "on-hold"}),
    "magento": frozenset({"processing", "complete"}),
    "ct": frozenset({"Open", "Confirmed", "Complete"}),
}
PENDING = ("queued", "running", "waiting", "retrying")
ERROR_STATES = ("failed", "dead")
PERIODIC_KINDS = ("orders.poll:", "orders.webhooks:", "engine.purge")  # the scheduler's own jobs
PERIODIC_GRACE_SECONDS = 30.0  # a periodic job this young is at work, not stuck
NEVER = 1_000_000  # the budget of a background fault: it outlives the chaos and is then cleared
STOP_SECONDS = 40.0  # after SIGTERM: Ledgerlink's own drain time (30 s) and a little more
EXTERNAL_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_\-]")


class PostgresUnavailable(RuntimeError):
    """The harness needs PostgreSQL (several processes share one queue); it is not reachable."""


@dataclass(frozen=True)
class ChaosPlan:
    """The knobs of one run. ``long()`` is ``make chaos``; the pytest test uses a short plan."""

    orders: int = 2000  # seeded across the three stores (half WooCommerce, 30 % Magento, 20 % commercetools)
    workers: int = 3
    chaos_seconds: float = 180.0
    fault_rate: float = 0.10  # share of NetSuite requests answered with a fault during the chaos
    drain_deadline: float = 600.0
    retry_deadline: float = 180.0  # for ``errors retry`` to run and its orders to reach NetSuite
    live_orders_per_second: float = 1.0  # new WooCommerce guest orders placed during the chaos
    kill_every: tuple[float, float] = (2.0, 5.0)  # seconds between two kills, drawn uniformly
    restart_after: tuple[float, float] = (0.5, 2.0)  # seconds a killed process stays down
    scheduler_share: float = 0.2  # of the kills, this share hits the scheduler
    items: int = 60  # NetSuite inventory items SKU-0001..; the stores sell these plus a few unknown SKUs
    netsuite_customers: int = 25
    unknown_sku_share: float = 0.01  # of each store's seeded orders, at least 2 per store
    netsuite_concurrency: int = 10  # the emulated account's concurrency limit
    client_concurrency: int = 8  # Ledgerlink's share of it (connections.netsuite.concurrency)
    client_timeout: float = 6.0  # connections.netsuite.timeout_seconds
    worker_concurrency: int = 8  # engine.workers: jobs at once in one worker process
    # The WooCommerce emulator sends the real store's order.created + order.updated pair itself; True adds
    # a third, harness-signed order.updated (for stores or emulators that send only the first).
    echo_updated: bool = False
    seed: int = 10

    @classmethod
    def long(cls) -> ChaosPlan:
        """``make chaos``: 2,000 orders, 3 workers, 3 minutes of kills and faults, 10 minutes to drain."""
        return cls()

    @classmethod
    def short(cls) -> ChaosPlan:
        """The version ``make test`` runs: the same chaos, smaller and shorter (a few minutes on 2 cores)."""
        return cls(orders=360, workers=3, chaos_seconds=45.0, drain_deadline=75.0, retry_deadline=30.0,
                   live_orders_per_second=0.5)  # fmt: skip

    def replace(self, **changes: Any) -> ChaosPlan:
        return replace(self, **changes)


# -- the report ------------------------------------------------------------------------------------------


@dataclass
class Verification:
    """NetSuite against the stores: what is missing, written twice, or written with another total."""

    expected: int = 0
    found: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, str, str]] = field(default_factory=list)  # external id, store, NetSuite
    unexpected: list[str] = field(default_factory=list)  # sales orders for orders that must not sync

    @property
    def agrees(self) -> bool:
        return not (self.lost or self.duplicated or self.mismatched or self.unexpected)


@dataclass
class ChaosReport:
    plan: ChaosPlan
    run_dir: Path
    seeded: dict[str, int] = field(default_factory=dict)
    live_orders: int = 0
    syncable: int = 0
    held_back_by_status: int = 0
    unknown_sku_orders: int = 0
    kills: Counter[str] = field(default_factory=Counter)
    crashes: list[str] = field(default_factory=list)  # processes that exited without being killed
    faults: Counter[str] = field(default_factory=Counter)
    storms: int = 0
    netsuite_requests_during_chaos: int = 0
    webhooks: dict[str, int] = field(default_factory=dict)
    echoes_sent: int = 0
    netsuite_complete_after: float | None = None  # seconds after the faults stopped
    drained_after: float | None = None  # NetSuite complete and no sync job pending
    verification: Verification = field(default_factory=Verification)
    customers_duplicated: int = 0
    stuck: list[str] = field(default_factory=list)
    stuck_by_state: Counter[str] = field(default_factory=Counter)
    error_queue: Counter[str] = field(default_factory=Counter)
    retry_listed_jobs: int = 0
    retry_orders: int = 0
    retry_replayed: int = 0
    retry_output: str = ""
    retry_exit: int | None = None  # the exit status of ``ledgerlink errors retry``; None when it was stopped
    after_retry: Verification = field(default_factory=Verification)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # phase -> seconds it took
    aborted: str | None = None

    @property
    def fault_share(self) -> float:
        return sum(self.faults.values()) / self.netsuite_requests_during_chaos if self.faults else 0.0

    @property
    def replay_percent(self) -> float:
        return 100.0 * self.retry_replayed / self.retry_orders if self.retry_orders else 100.0

    def problems(self) -> list[str]:
        """Every way this run fell short of "the engine recovers by itself"; empty when it did."""
        found: list[str] = []
        if self.aborted:
            found.append(f"the run was aborted: {self.aborted}")
        if sum(self.kills.values()) < 3:
            found.append(f"only {sum(self.kills.values())} kills: the chaos did not happen")
        for kind in ("5xx", "lost_response", "timeout", "429"):
            if not any(name.startswith(kind) for name in self.faults):
                found.append(f"no {kind} fault was injected")
        if self.crashes:
            found.append(f"{len(self.crashes)} process(es) exited by themselves: {self.crashes[:5]}")
        if self.drained_after is None:
            found.append(f"not drained within {self.plan.drain_deadline:g} s of the faults stopping")
        found += _disagreements("after the drain", self.verification)
        if self.customers_duplicated:
            found.append(f"{self.customers_duplicated} NetSuite customer(s) created twice for one buyer")
        if self.stuck:
            found.append(f"{len(self.stuck)} job(s) stuck: {self.stuck[:5]}")
        unexplained = {code: n for code, n in self.error_queue.items() if code != "SKU_NOT_FOUND"}
        if unexplained:
            found.append(f"error queue holds more than the unknown SKUs: {unexplained}")
        if self.retry_orders != self.unknown_sku_orders:
            found.append(
                f"the error queue lists {self.retry_orders} order(s) with unknown SKUs, the stores hold "
                f"{self.unknown_sku_orders}"
            )
        if self.retry_exit != 0:
            how = "did not finish in time" if self.retry_exit is None else f"exited with {self.retry_exit}"
            lines = [line for line in self.retry_output.splitlines() if line.strip()]
            errors = [line for line in lines if re.match(r"(\w+(Error|Exception)\b|DETAIL:)", line)]
            found.append(f"`ledgerlink errors retry` {how}: {' / '.join(errors[-2:] or lines[-2:])}")
        if self.retry_replayed != self.retry_orders:
            found.append(
                f"errors retry replayed {self.retry_replayed} of {self.retry_orders} order(s) it listed"
            )
        found += _disagreements("after errors retry", self.after_retry)
        return found

    @property
    def ok(self) -> bool:
        return not self.problems()

    def render(self) -> str:
        p, v = self.plan, self.verification
        faults = ", ".join(f"{name} {n}" for name, n in sorted(self.faults.items())) or "none"
        errors = ", ".join(f"{code} {n}" for code, n in sorted(self.error_queue.items())) or "empty"
        stuck = ", ".join(f"{state} {n}" for state, n in sorted(self.stuck_by_state.items()))
        stuck = f"({stuck})" if stuck else ""
        rows = [
            (
                "plan",
                f"{p.orders} orders, {p.workers} workers, {p.chaos_seconds:g} s of chaos, "
                f"{p.fault_rate:.0%} faults, {p.drain_deadline:g} s drain deadline",
            ),
            (
                "orders seeded",
                ", ".join(f"{store} {n}" for store, n in self.seeded.items())
                + f"; placed during the chaos (WooCommerce, new guests): {self.live_orders}",
            ),
            (
                "orders syncable",
                f"{self.syncable} (held back by status: {self.held_back_by_status}; "
                f"selling an unknown SKU: {self.unknown_sku_orders})",
            ),
            ("kills", ", ".join(f"{role} {n}" for role, n in sorted(self.kills.items())) or "none"),
            ("processes that exited by themselves", str(len(self.crashes))),
            ("faults injected", f"{faults} (in {self.storms} 429 storms)"),
            (
                "share of NetSuite requests faulted",
                f"{self.fault_share:.1%} of {self.netsuite_requests_during_chaos} during the chaos",
            ),
            (
                "webhooks at the console",
                ", ".join(f"{k} {n}" for k, n in sorted(self.webhooks.items()))
                + f" (order.updated echoes sent: {self.echoes_sent})",
            ),
            ("NetSuite complete after faults stopped", _seconds(self.netsuite_complete_after)),
            ("drained after faults stopped", _seconds(self.drained_after)),
            ("sales orders found / expected", f"{v.found} / {v.expected}"),
            (
                "lost / duplicated / totals different",
                f"{len(v.lost)} / {len(v.duplicated)} / {len(v.mismatched)}",
            ),
            ("sales orders that must not exist", str(len(v.unexpected))),
            ("customers created twice", str(self.customers_duplicated)),
            ("jobs stuck (queued, running, waiting, retrying)", f"{len(self.stuck)} {stuck}".strip()),
            ("error queue by code", errors),
            (
                "errors retry",
                f"{self.retry_listed_jobs} job(s) retried for {self.retry_orders} order(s); "
                f"{self.retry_replayed} now in NetSuite ({self.replay_percent:.0f} %)",
            ),
            (
                "after errors retry: lost / duplicated / totals different",
                f"{len(self.after_retry.lost)} / {len(self.after_retry.duplicated)} / "
                f"{len(self.after_retry.mismatched)} of {self.after_retry.expected}",
            ),
            (
                "seconds",
                f"{self.seconds:.0f} (" + ", ".join(f"{k} {v:.0f}" for k, v in self.phases.items()) + ")",
            ),
            ("logs", str(self.run_dir / "logs")),
        ]
        width = max(len(name) for name, _ in rows)
        lines = ["Ledgerlink chaos run", *(f"  {name:<{width}}  {value}" for name, value in rows)]
        problems = self.problems()
        lines.append("RESULT: the engine recovered by itself" if not problems else "RESULT: FAILED")
        lines += [f"  - {problem}" for problem in problems]
        return "\n".join(lines)


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


def _disagreements(when: str, v: Verification) -> list[str]:
    found = []
    if v.lost:
        found.append(f"{when}: {len(v.lost)} order(s) lost, e.g. {v.lost[:5]}")
    if v.duplicated:
        found.append(f"{when}: {len(v.duplicated)} order(s) duplicated, e.g. {v.duplicated[:5]}")
    if v.mismatched:
        found.append(f"{when}: {len(v.mismatched)} total(s) different, e.g. {v.mismatched[:3]}")
    if v.unexpected:
        found.append(
            f"{when}: {len(v.unexpected)} sales order(s) that must not exist, e.g. {v.unexpected[:5]}"
        )
    return found


# -- PostgreSQL ------------------------------------------------------------------------------------------


def check_postgres(url: str = POSTGRES_URL) -> None:
    """Raise :class:`PostgresUnavailable` with what to do when PostgreSQL does not answer."""
    try:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
        admin.dispose()
    except Exception as error:
        raise PostgresUnavailable(
            f"PostgreSQL not reachable at {url} ({type(error).__name__}); the chaos harness needs it "
            "(.ci/run starts it; or set LEDGERLINK_TEST_POSTGRES_URL)"
        ) from None


@contextlib.contextmanager
def fresh_schema(url: str, *, keep: bool = False) -> Iterator[str]:
    """A schema of its own for this run, dropped afterwards unless ``keep`` (to look at the jobs table
    after a failed run); yields the database URL pointing into it."""
    schema = f"chaos_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    finally:
        if not keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# -- processes -------------------------------------------------------------------------------------------


@dataclass
class Slot:
    """One long-running process the harness supervises: started, killed and restarted under one name."""

    name: str
    role: str  # worker, scheduler, console, sandbox
    args: list[str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    restart_at: float | None = None  # while down: when to start it again

    def start(self) -> None:
        with self.log.open("ab") as out:
            out.write(f"\n--- {time.strftime('%H:%M:%S')} starting {self.name}\n".encode())
            out.flush()
            self.process = subprocess.Popen(
                self.args,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "COLUMNS": "200", "PYTHONUNBUFFERED": "1"},
            )

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a pulled plug would; no chance to release anything."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.note(f"killed by the chaos harness (pid {self.process.pid})")

    def terminate(self) -> None:
        """SIGTERM: Ledgerlink stops claiming and drains what it holds."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def reap(self, deadline: float) -> None:
        """Wait for the process until ``deadline`` (monotonic), then SIGKILL it."""
        if self.process is None:
            return
        try:
            self.process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            self.note("did not stop within its drain time after SIGTERM; SIGKILLed")

    def note(self, line: str) -> None:
        with self.log.open("a") as out:
            out.write(f"--- {time.strftime('%H:%M:%S')} {line}\n")

    def tail(self, lines: int = 25) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


# -- the clients a merchant would use -----------------------------------------------------------------


@dataclass(frozen=True)
class StoreOrder:
    store: str  # the Ledgerlink connection name: woo, magento, ct
    order_id: str
    status: str
    total: Decimal
    skus: frozenset[str]

    @property
    def external_id(self) -> str:
        return order_external_id(self.store, self.order_id)

    @property
    def synced_status(self) -> bool:
        return self.status in SYNCED_STATUSES[self.store]


def order_external_id(store: str, order_id: str) -> str:
    """The external id Ledgerlink gives a store order's sales order: ``<connection>-order-<store id>``,
    with anything but letters, digits, ``_`` and ``-`` written ``_`` (docs/architecture.md)."""
    return "-".join(EXTERNAL_ID_UNSAFE.sub("_", part) for part in (store, "order", order_id))


def _decimal_json(response: httpx.Response) -> Any:
    response.raise_for_status()
    return json.loads(response.text, parse_float=Decimal)


@dataclass(frozen=True)
class SalesOrder:
    internal_id: str
    external_id: str | None
    total: Decimal  # in the transaction's currency (SuiteQL ``foreigntotal``)


class Stores:
    """The three storefronts, read through their own REST APIs."""

    def __init__(self, woo_url: str, magento_url: str, ct_url: str) -> None:
        self.woo = WooAPI(
            url=woo_url,
            consumer_key=credentials.WOO_CONSUMER_KEY,
            consumer_secret=credentials.WOO_CONSUMER_SECRET,
            version="wc/v3",
            timeout=30,
        )
        self.magento_url = magento_url
        self.ct_url = ct_url

    def woo_get(self, path: str, **params: Any) -> Any:
        response = self.woo.get(path, params=params)
        if response.status_code != 200:
            raise RuntimeError(f"WooCommerce GET {path}: {response.status_code} {response.text[:200]}")
        return json.loads(response.text, parse_float=Decimal)

    def orders(self) -> list[StoreOrder]:
        return self.woo_orders() + self.magento_orders() + self.ct_orders()

    def woo_orders(self) -> list[StoreOrder]:
        found: list[StoreOrder] = []
        for page in range(1, 1000):
            batch = self.woo_get("orders", per_page=100, page=page, orderby="id", order="asc")
            for order in batch:
                skus = frozenset(str(line.get("sku") or "") for line in order["line_items"])
                found.append(
                    StoreOrder("woo", str(order["id"]), order["status"], Decimal(order["total"]), skus)
                )
            if len(batch) < 100:
                return found
        raise RuntimeError("more WooCommerce orders than the harness reads")

    def magento_orders(self) -> list[StoreOrder]:
        with httpx.Client(base_url=self.magento_url, timeout=30) as http:
            token = _decimal_json(
                http.post(
                    "/rest/V1/integration/admin/token",
                    json={
                        "username": magento_credentials.MAGENTO_ADMIN_USERNAME,
                        "password": magento_credentials.MAGENTO_ADMIN_PASSWORD,
                    },
                )
            )
            found: list[StoreOrder] = []
            for page in range(1, 1000):
                answer = _decimal_json(
                    http.get(
                        "/rest/default/V1/orders",
                        params={"searchCriteria[pageSize]": 100, "searchCriteria[currentPage]": page},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                )
                for order in answer["items"]:
                    skus = frozenset(str(item.get("sku") or "") for item in order["items"])
                    found.append(
                        StoreOrder(
                            "magento",
                            str(order["entity_id"]),
                            order["status"],
                            Decimal(str(order["grand_total"])),
                            skus,
                        )
                    )
                if page * 100 >= answer["total_count"]:
                    return found
        raise RuntimeError("more Magento orders than the harness reads")

    def ct_orders(self) -> list[StoreOrder]:
        with httpx.Client(base_url=self.ct_url, timeout=30) as http:
            token = _decimal_json(
                http.post(
                    "/oauth/token",
                    data={"grant_type": "client_credentials"},
                    auth=(ct_credentials.CT_CLIENT_ID, ct_credentials.CT_CLIENT_SECRET),
                )
            )
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            found: list[StoreOrder] = []
            for offset in range(0, 10_000, 500):
                answer = _decimal_json(
                    http.get(
                        f"/{ct_credentials.CT_PROJECT_KEY}/orders",
                        params={"limit": 500, "offset": offset, "sort": "createdAt asc"},
                        headers=headers,
                    )
                )
                for order in answer["results"]:
                    paid = (order.get("taxedPrice") or {}).get("totalGross") or order["totalPrice"]
                    total = Decimal(paid["centAmount"]).scaleb(-int(paid["fractionDigits"]))
                    skus = frozenset(str(line["variant"].get("sku") or "") for line in order["lineItems"])
                    found.append(StoreOrder("ct", order["id"], order["orderState"], total, skus))
                if offset + 500 >= answer["total"]:
                    return found
        raise RuntimeError("more commercetools orders than the harness reads")


class NetSuite:
    """The NetSuite account, through the PyPI ``netsuite`` client (it knows nothing of Ledgerlink), and the
    emulator's sandbox-only fault and governance endpoints."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.api = NetSuiteRestApi(
            NetSuiteConfig(
                account=credentials.NETSUITE_ACCOUNT,
                auth=TokenAuth(
                    consumer_key=credentials.NETSUITE_CONSUMER_KEY,
                    consumer_secret=credentials.NETSUITE_CONSUMER_SECRET,
                    token_id=credentials.NETSUITE_TOKEN_ID,
                    token_secret=credentials.NETSUITE_TOKEN_SECRET,
                ),
            )
        )

    def query(self, q: str) -> list[dict[str, Any]]:
        async def read() -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = []
            for offset in range(0, 100_000, 1000):
                page = await self.api.suiteql(
                    q, limit=1000, offset=offset, url=f"{self.url}/services/rest/query/v1/suiteql"
                )
                rows += page["items"]
                if not page["hasMore"]:
                    return rows
            raise RuntimeError(f"more rows than the harness reads for {q}")

        return asyncio.run(read())

    def sales_orders(self) -> list[SalesOrder]:
        rows = self.query(
            "SELECT id, externalid, foreigntotal FROM transaction WHERE type = 'SalesOrd' ORDER BY id"
        )
        return [SalesOrder(str(r["id"]), r.get("externalid"), Decimal(str(r["foreigntotal"]))) for r in rows]

    def item_names(self) -> set[str]:
        return {str(r["itemid"]) for r in self.query("SELECT id, itemid FROM item ORDER BY id")}

    def customers(self) -> list[dict[str, Any]]:
        return self.query("SELECT id, email, subsidiary, externalid FROM customer ORDER BY id")

    def create_item(self, sku: str) -> None:
        async def post() -> None:
            await self.api.post(
                "/record/v1/inventoryItem",
                url=f"{self.url}/services/rest/record/v1/inventoryItem",
                json={"itemId": sku, "displayName": f"{sku} (created after the chaos run)"},
            )

        asyncio.run(post())

    def faults(self, add: list[dict[str, Any]] | None = None, *, clear: bool = False) -> list[dict[str, Any]]:
        with httpx.Client(base_url=self.url, timeout=10) as http:
            if clear:
                http.delete("/__sandbox/faults").raise_for_status()
            answer = http.post("/__sandbox/faults", json=add) if add else http.get("/__sandbox/faults")
            answer.raise_for_status()
            return list(answer.json()["faults"])

    def admitted(self) -> int:
        with httpx.Client(base_url=self.url, timeout=10) as http:
            return int(http.get("/__sandbox/governance").json()["admitted"])


# -- the run ---------------------------------------------------------------------------------------------


class ChaosRun:
    def __init__(self, plan: ChaosPlan, run_dir: Path, database_url: str) -> None:
        self.plan = plan
        self.dir = run_dir
        self.database_url = database_url
        self.rng = random.Random(plan.seed)
        self.run_id = uuid.uuid4().hex[:8]  # new guests' e-mails are new to every run
        self.report = ChaosReport(plan, run_dir)
        self.state_dir = run_dir / "sandbox"
        self.logs = run_dir / "logs"
        self.ports = {name: free_port() for name in ("netsuite", "woo", "magento", "ct", "console")}
        self.urls = {name: f"http://{LOOPBACK}:{port}" for name, port in self.ports.items()}
        self.config = run_dir / "ledgerlink.yaml"
        self.netsuite = NetSuite(self.urls["netsuite"])
        self.stores = Stores(self.urls["woo"], self.urls["magento"], self.urls["ct"])
        self.slots: list[Slot] = []
        self.fault_budgets: dict[str, tuple[str, int]] = {}  # tag -> (kind label, requests it may hit)
        self.updated_hook: dict[str, Any] | None = None
        self.faults_stopped_at = 0.0  # monotonic; the drain is timed from here
        self.sales_orders_before: set[str] = set()

    # -- setup ---------------------------------------------------------------------------------------

    def seed(self) -> None:
        plan = self.plan
        self.state_dir.mkdir(parents=True)
        seed_netsuite(
            self.state_dir / "netsuite.db",
            items=plan.items,
            customers=plan.netsuite_customers,
            catalog=True,
            rng_seed=plan.seed,
        )
        magento = int(plan.orders * 0.3)
        ct = int(plan.orders * 0.2)
        woo = plan.orders - magento - ct

        def unknown(count: int) -> int:
            return min(count, max(2, round(count * plan.unknown_sku_share)))

        stores: dict[str, tuple[Callable[..., StoreSeed], str, int, dict[str, str]]] = {
            "woo": (seed_woocommerce, "woocommerce.db", woo, {}),
            "magento": (seed_magento, "magento.db", magento, {"currency": "EUR"}),
            "ct": (seed_commercetools, "commercetools.db", ct, {"currency": "USD"}),
        }
        for store, (seed, state_file, count, extra) in stores.items():
            result = seed(self.state_dir / state_file, orders=count, products=plan.items,
                          unknown_sku_orders=unknown(count), rng_seed=plan.seed, **extra)  # fmt: skip
            self.report.seeded[store] = result.orders

    def write_config(self) -> None:
        plan = self.plan
        data = sandbox_config(
            database_url=self.database_url,
            netsuite_url=self.urls["netsuite"],
            woo_url=self.urls["woo"],
            magento_url=self.urls["magento"],
            commercetools_url=self.urls["ct"],
            console_port=self.ports["console"],
            schedule="every 15s",
        )
        data["connections"]["netsuite"].update(
            concurrency=plan.client_concurrency, timeout_seconds=plan.client_timeout
        )
        # Chaos settings: at a 10 % fault rate a job of a few NetSuite requests fails one attempt in three,
        # so eight attempts would dead-letter a job now and then by bad luck alone; and backoff must stay
        # short enough for a run measured in minutes.
        data["engine"] = {
            "workers": plan.worker_concurrency,
            "max_attempts": 20,
            "backoff_base_seconds": 1.0,
            "backoff_cap_seconds": 15.0,
            "poll_interval_seconds": 0.2,
        }
        self.config.write_text(yaml.safe_dump(data, sort_keys=False))
        settings = {"concurrency_limit": plan.netsuite_concurrency, "rng_seed": plan.seed}
        (self.dir / "netsuite.yaml").write_text(yaml.safe_dump(settings))

    def slot(self, name: str, role: str, args: list[str]) -> Slot:
        made = Slot(name, role, args, self.logs / f"{name}.log")
        self.slots.append(made)
        return made

    def start_sandbox(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        serve = [*LEDGERLINK, "sandbox", "serve", "--state-dir", str(self.state_dir)]
        serve += ["--netsuite-settings", str(self.dir / "netsuite.yaml")]
        flags = {"netsuite": "--netsuite-port", "woo": "--woo-port", "magento": "--magento-port"}
        for name, flag in {**flags, "ct": "--commercetools-port"}.items():
            serve += [flag, str(self.ports[name])]
        sandbox = self.slot("sandbox", "sandbox", serve)
        sandbox.start()
        assert sandbox.process is not None
        for name in ("netsuite", "woo", "magento", "ct"):
            wait_for_port(self.ports[name], sandbox.process, timeout=60)

    def start_ledgerlink(self) -> None:
        run = [*LEDGERLINK, "-c", str(self.config), "--log-level", "INFO", "run", "--role"]
        console = self.slot("console", "console", [*run, "console"])
        console.start()
        assert console.process is not None
        wait_for_port(self.ports["console"], console.process, timeout=60)
        self.slot("scheduler", "scheduler", [*run, "scheduler"]).start()
        for n in range(1, self.plan.workers + 1):
            self.slot(f"worker-{n}", "worker", [*run, "worker"]).start()

    def wait_for_webhooks(self, timeout: float = 90.0) -> None:
        """Ledgerlink registers its own webhooks on the store (a worker runs the scheduler's first check)."""
        deadline = time.monotonic() + timeout
        hooks: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            self.supervise()
            hooks = [
                h
                for h in self.stores.woo_get("webhooks")
                if f":{self.ports['console']}/" in h["delivery_url"]
            ]
            if {h["topic"] for h in hooks if h["status"] == "active"} >= {"order.created", "order.updated"}:
                self.updated_hook = next(h for h in hooks if h["topic"] == "order.updated")
                return
            time.sleep(0.5)
        raise TimeoutError(
            f"Ledgerlink did not register its WooCommerce webhooks within {timeout:g} s: {hooks}"
        )

    # -- supervision ---------------------------------------------------------------------------------

    def supervise(self) -> None:
        """Restart what is due; a process that died without being killed is a crash: note it, restart it
        (as systemd's Restart=always would). The sandbox dying ends the run."""
        now = time.monotonic()
        for slot in self.slots:
            if slot.restart_at is not None:
                if now >= slot.restart_at:
                    slot.restart_at = None
                    slot.start()
                continue
            if slot.process is not None and slot.process.poll() is not None:
                code = slot.process.returncode
                if slot.role == "sandbox":
                    raise RuntimeError(f"the sandbox exited with {code}")
                self.report.crashes.append(f"{slot.name} exited with {code}")
                slot.note(f"exited by itself with {code}; restarting")
                slot.restart_at = now + 1.0

    def restart_all_now(self) -> None:
        for slot in self.slots:
            if slot.restart_at is not None:
                slot.restart_at = None
                slot.start()

    def kill_one(self) -> None:
        plan = self.plan
        candidates = [s for s in self.slots if s.role == "worker" and s.alive]
        scheduler = next(s for s in self.slots if s.role == "scheduler")
        if scheduler.alive and (self.rng.random() < plan.scheduler_share or not candidates):
            victim = scheduler
        elif candidates:
            victim = self.rng.choice(candidates)
        else:
            return
        victim.kill()
        self.report.kills[victim.role] += 1
        victim.restart_at = time.monotonic() + self.rng.uniform(*plan.restart_after)

    # -- faults --------------------------------------------------------------------------------------

    def _fault(self, label: str, budget: int, **fields: Any) -> dict[str, Any]:
        """A fault tagged with a regular-expression comment ``(?#chaos:N)`` in its path: the comment
        matches nothing and changes nothing, but tells this fault apart in the emulator's list, so that its
        remaining ``times`` say how many requests it hit."""
        tag = f"chaos:{len(self.fault_budgets)}"
        self.fault_budgets[tag] = (label, budget)
        return {**fields, "path": fields.get("path", "") + f"(?#{tag})", "times": budget}

    def start_faults(self) -> None:
        """Background faults for the whole chaos, drawn per request: 5xx on any request (30 % of the fault
        budget), answers lost after a committed upsert (15 % of the upserts' budget, twice: the line cut
        and a 504), holds longer than the client's timeout (4 %). 429 storms, in bursts from :meth:`storm`,
        make up the rest of ``fault_rate``."""
        r = self.plan.fault_rate
        if r <= 0:
            return
        faults = [
            self._fault(f"5xx {status}", NEVER, status=status, probability=r * 0.3 / 3)
            for status in (500, 502, 503)
        ]
        # A sales order or customer upsert commits, then its answer is lost: the line cut, or a gateway 504.
        for status in (0, 504):
            label = "lost_response (cut)" if status == 0 else "lost_response 504"
            faults.append(
                self._fault(
                    label,
                    NEVER,
                    kind="lost_response",
                    status=status,
                    method="PUT",
                    path="/record/v1/",
                    probability=r * 0.15,
                )
            )
        faults.append(
            self._fault(
                "timeout",
                NEVER,
                kind="timeout",
                delay_seconds=self.plan.client_timeout + 3,
                probability=r * 0.04,
            )
        )
        self.netsuite.faults(faults)

    def storm(self, requests_since_start: int) -> None:
        """A 429 storm (the next N requests refused) of whatever the faults so far leave short of
        ``fault_rate`` of the requests so far (a storm counts in full once injected, so that storms not
        yet used up do not pile up); none under three requests, unless there has been none yet."""
        if self.plan.fault_rate <= 0:
            return
        hit = self.hits()
        injected = sum(n for label, n in hit.items() if label != "429") + sum(
            budget for label, budget in self.fault_budgets.values() if label == "429 storm"
        )
        size = round(self.plan.fault_rate * requests_since_start) - injected
        if size < 3:
            size = 0 if self.report.storms else 3
        with (self.logs / "faults.log").open("a") as log:
            log.write(f"{time.strftime('%H:%M:%S')} NetSuite requests {requests_since_start}, "
                      f"faults injected {injected} {dict(hit)}, 429 storm of {size}\n")  # fmt: skip
        if not size:
            return
        retry_after = self.rng.choice((None, None, 1.0))
        self.netsuite.faults([self._fault("429 storm", size, status=429, retry_after=retry_after)])
        self.report.storms += 1

    def hits(self) -> Counter[str]:
        """Requests each kind of fault has hit so far, from the budgets left in the emulator's list."""
        remaining: dict[str, int] = {}
        for fault in self.netsuite.faults():
            tag = re.search(r"\(\?#(chaos:\d+)\)", fault["path"])
            if tag:
                remaining[tag.group(1)] = int(fault["times"])
        hits: Counter[str] = Counter()
        for tag, (label, budget) in self.fault_budgets.items():
            hits[label.removesuffix(" storm")] += budget - remaining.get(tag, 0)
        return +hits

    def stop_faults(self) -> None:
        """Read what every fault hit, then clear them all (the few requests in between are not counted)."""
        self.report.faults = self.hits()
        self.netsuite.faults(clear=True)

    # -- live orders and webhooks --------------------------------------------------------------------

    def place_order(self, products: list[dict[str, Any]], n: int) -> int:
        """A new guest buyer checks out on the WooCommerce store (its REST API, as a headless shop would)."""
        chosen = self.rng.sample(products, k=self.rng.randint(1, 3))
        body = {
            "status": "processing",
            "set_paid": True,
            "payment_method": self.rng.choice(("stripe", "bacs")),
            "customer_id": 0,
            "billing": {
                "first_name": "Chaos",
                "last_name": f"Guest{n}",
                "email": f"guest.{self.run_id}.{n}@example.org",
                "address_1": f"{n} Harbor St",
                "city": "Austin",
                "state": "TX",
                "postcode": "73301",
                "country": "US",
            },
            "line_items": [{"product_id": p["id"], "quantity": self.rng.randint(1, 3)} for p in chosen],
            "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "7.50"}],
        }
        response = self.stores.woo.post("orders", body)
        if response.status_code != 201:
            raise RuntimeError(
                f"WooCommerce refused a new order: {response.status_code} {response.text[:300]}"
            )
        self.report.live_orders += 1
        return int(response.json()["id"])

    def echo_updated(self, order_id: int) -> None:
        """The order.updated a real store sends about 50 ms after order.created for an order made through
        the REST API (/work/shared/specs/FACTS.md, "Webhook topics on order create"), signed as the store
        signs: base64(HMAC-SHA256(webhook secret, raw body)), with a delivery id of its own. The secret is
        the one Ledgerlink registered the webhook with (the store's API does not show it). The WooCommerce
        emulator sends the pair itself, so plans leave this off (``echo_updated=False``) by default."""
        hook = self.updated_hook
        if hook is None:
            return
        body = self.stores.woo.get(f"orders/{order_id}").content
        headers = {
            "Content-Type": "application/json",
            "X-WC-Webhook-Source": self.urls["woo"] + "/",
            "X-WC-Webhook-Topic": "order.updated",
            "X-WC-Webhook-Resource": "order",
            "X-WC-Webhook-Event": "updated",
            "X-WC-Webhook-Signature": woo_signature(credentials.WOO_WEBHOOK_SECRET, body),
            "X-WC-Webhook-ID": str(hook["id"]),
            "X-WC-Webhook-Delivery-ID": uuid.uuid4().hex,
        }
        with contextlib.suppress(httpx.HTTPError):  # the console may be slow; the store never retries
            httpx.post(hook["delivery_url"], content=body, headers=headers, timeout=10)
            self.report.echoes_sent += 1

    def webhook_counts(self) -> dict[str, int]:
        """Deliveries by outcome, from the console's own /metrics (Prometheus text)."""
        try:
            page = httpx.get(f"{self.urls['console']}/metrics", timeout=10).text
        except httpx.HTTPError:
            return {}
        counts: dict[str, int] = {}
        for match in re.finditer(
            r'^ledgerlink_webhook_deliveries_total\{[^}]*outcome="(\w+)"[^}]*\} (\S+)$', page, re.M
        ):
            counts[match.group(1)] = counts.get(match.group(1), 0) + int(float(match.group(2)))
        return counts

    # -- phases --------------------------------------------------------------------------------------

    def chaos(self) -> None:
        plan = self.plan
        items = self.netsuite.item_names()
        products = [p for p in self.stores.woo_get("products", per_page=100) if p.get("sku") in items]
        admitted_at_start = self.netsuite.admitted()
        self.start_faults()
        events: list[tuple[float, int, str, int]] = []  # (due, seq, what, argument)
        seq = 0

        def at(due: float, what: str, argument: int = 0) -> None:
            nonlocal seq
            seq += 1
            heapq.heappush(events, (due, seq, what, argument))

        now = time.monotonic()
        end = now + plan.chaos_seconds
        at(now + self.rng.uniform(*plan.kill_every), "kill")
        at(now + self.rng.uniform(2, 5), "storm")
        if plan.live_orders_per_second > 0:
            at(now + 1 / plan.live_orders_per_second, "order")
        placed = 0
        try:
            while events and time.monotonic() < end:
                self.supervise()
                due, _, what, argument = events[0]
                wait = min(due, end) - time.monotonic()
                if wait > 0:
                    time.sleep(min(wait, 0.1))
                    continue
                heapq.heappop(events)
                if what == "kill":
                    self.kill_one()
                    at(due + self.rng.uniform(*plan.kill_every), "kill")
                elif what == "storm":
                    self.storm(self.netsuite.admitted() - admitted_at_start)
                    at(due + self.rng.uniform(3, 6), "storm")
                elif what == "order":
                    placed += 1
                    order_id = self.place_order(products, placed)
                    if plan.echo_updated:
                        at(time.monotonic() + 0.05, "echo", order_id)
                    at(due + self.rng.expovariate(plan.live_orders_per_second), "order")
                elif what == "echo":
                    self.echo_updated(argument)
            for _due, _, what, argument in sorted(events):  # the pair of an order placed at the very end
                if what == "echo":
                    self.echo_updated(argument)
        finally:
            self.stop_faults()
            self.faults_stopped_at = time.monotonic()
            self.report.netsuite_requests_during_chaos = self.netsuite.admitted() - admitted_at_start
            self.restart_all_now()

    def expected(self, orders: list[StoreOrder]) -> tuple[dict[str, StoreOrder], list[StoreOrder], int]:
        """The syncable orders (a synced status, every SKU a NetSuite item) by external id, the orders held
        back only by an unknown SKU, and how many are held back by their status."""
        items = self.netsuite.item_names()
        syncable: dict[str, StoreOrder] = {}
        unknown: list[StoreOrder] = []
        held_back = 0
        for order in orders:
            if not order.synced_status:
                held_back += 1
            elif order.skus <= items:
                syncable[order.external_id] = order
            else:
                unknown.append(order)
        return syncable, unknown, held_back

    def verify(self, syncable: dict[str, StoreOrder]) -> Verification:
        return compare(syncable, self.netsuite.sales_orders(), self.sales_orders_before)

    def jobs(self, states: tuple[str, ...]) -> list[dict[str, Any]]:
        """Jobs in these states, read straight from the ``jobs`` table (the states are constants here)."""
        listed = ", ".join(f"'{state}'" for state in states)
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as db:
                rows = db.execute(
                    text(
                        "SELECT id, kind, flow, record_key, state, attempts, problem, created_at, updated_at "
                        f"FROM jobs WHERE state IN ({listed}) ORDER BY id"
                    )
                )
                return [dict(row._mapping) for row in rows]
        finally:
            engine.dispose()

    def stuck_jobs(self) -> list[dict[str, Any]]:
        """Jobs not finished, less the scheduler's periodic ones young enough to be at work right now."""
        now = time.time()
        return [
            job
            for job in self.jobs(PENDING)
            if not (
                str(job["kind"]).startswith(PERIODIC_KINDS)
                and now - float(job["created_at"]) < PERIODIC_GRACE_SECONDS
            )
        ]

    def drain(self, syncable: dict[str, StoreOrder]) -> None:
        """Wait, hands off, until NetSuite holds every syncable order and no job is left pending."""
        started = self.faults_stopped_at
        deadline = started + self.plan.drain_deadline
        while time.monotonic() < deadline:
            self.supervise()
            if self.report.netsuite_complete_after is None:
                v = self.verify(syncable)
                if not v.lost and not v.mismatched:
                    self.report.netsuite_complete_after = time.monotonic() - started
            if self.report.netsuite_complete_after is not None and not self.stuck_jobs():
                self.report.drained_after = time.monotonic() - started
                return
            time.sleep(min(3.0, max(0.0, deadline - time.monotonic())))

    def retry_unknown_skus(self, orders: list[StoreOrder], unknown: list[StoreOrder]) -> None:
        """The operator's fix: create the items NetSuite lacks, then ``ledgerlink errors retry``."""
        failed = [j for j in self.jobs(ERROR_STATES) if (j["problem"] or {}).get("code") == "SKU_NOT_FOUND"]
        listed = {_external_for_job(j) for j in failed}
        self.report.retry_orders = len(listed)
        missing = (
            sorted(set().union(*(o.skus for o in unknown)) - self.netsuite.item_names()) if unknown else []
        )
        for sku in missing:
            self.netsuite.create_item(sku)
        deadline = time.monotonic() + self.plan.retry_deadline
        command = [*LEDGERLINK, "-c", str(self.config), "errors", "retry", "--code", "SKU_NOT_FOUND"]
        try:
            result = subprocess.run(
                command,
                cwd=ROOT,
                capture_output=True,
                check=False,
                timeout=self.plan.retry_deadline,
                env={**os.environ, "COLUMNS": "200"},
            )
            output = (result.stdout + result.stderr).decode(errors="replace")
            self.report.retry_exit = result.returncode
        except subprocess.TimeoutExpired as expired:  # its output is bytes whatever ``text`` says
            captured = (expired.stdout or b"") + (expired.stderr or b"")
            output = f"{captured.decode(errors='replace')}\n(stopped after {self.plan.retry_deadline:g} s)"
        self.report.retry_output = output.strip()
        (self.logs / "errors-retry.log").write_text(self.report.retry_output + "\n")
        retried = re.search(r"Retrying (\d+) job", output)
        self.report.retry_listed_jobs = int(retried.group(1)) if retried else 0
        syncable, _, _ = self.expected(orders)  # every order with a synced status is syncable now
        while True:  # background workers may hold some of the retried jobs for a moment
            self.supervise()
            v = self.verify(syncable)
            done = {e for e in listed if e in syncable} - set(v.lost) - {m[0] for m in v.mismatched}
            if len(done) == len(listed) or time.monotonic() > deadline:
                break
            time.sleep(2)
        self.report.retry_replayed = len(done)
        self.report.after_retry = v

    def count_customer_duplicates(self) -> int:
        """Buyers Ledgerlink created twice: one e-mail, one subsidiary, two customers it made."""
        made = Counter(
            (str(c.get("email") or "").lower(), str(c.get("subsidiary")))
            for c in self.netsuite.customers()
            if "-customer-" in str(c.get("externalid") or "")
        )
        return sum(n - 1 for n in made.values() if n > 1)

    def run(self) -> ChaosReport:
        started = mark = time.monotonic()

        def phase(name: str) -> None:
            nonlocal mark
            now = time.monotonic()
            self.report.phases[name] = now - mark
            mark = now

        try:
            self.seed()
            self.write_config()
            self.start_sandbox()
            self.sales_orders_before = {order.internal_id for order in self.netsuite.sales_orders()}
            self.start_ledgerlink()
            self.wait_for_webhooks()
            phase("setup")
            self.chaos()
            phase("chaos")
            orders = self.stores.orders()
            syncable, unknown, self.report.held_back_by_status = self.expected(orders)
            self.report.syncable, self.report.unknown_sku_orders = len(syncable), len(unknown)
            self.drain(syncable)
            phase("drain")
            self.report.verification = self.verify(syncable)
            self.report.customers_duplicated = self.count_customer_duplicates()
            now = time.time()
            stuck = self.stuck_jobs()
            self.report.stuck = [
                f"job {j['id']} {j['kind']} {j['record_key']} {j['state']} (attempts {j['attempts']}, "
                f"untouched {now - float(j['updated_at']):.0f} s)"
                for j in stuck
            ]
            self.report.stuck_by_state = Counter(str(j["state"]) for j in stuck)
            self.report.error_queue = Counter(
                str((j["problem"] or {}).get("code", "?")) for j in self.jobs(ERROR_STATES)
            )
            self.report.webhooks = self.webhook_counts()
            phase("count")
            self.retry_unknown_skus(orders, unknown)
            phase("errors retry")
        except Exception as error:
            self.report.aborted = (
                f"{type(error).__name__}: {error} (traceback in {self.logs / 'harness.log'})"
            )
            self.logs.mkdir(parents=True, exist_ok=True)
            (self.logs / "harness.log").write_text(traceback.format_exc())
        finally:
            for slot in self.slots:
                slot.restart_at = None
                slot.terminate()
            deadline = time.monotonic() + STOP_SECONDS
            for slot in self.slots:
                slot.reap(deadline)
            phase("stop")
            self.report.seconds = time.monotonic() - started
        return self.report

    def tails(self, lines: int = 25) -> str:
        return "\n".join(f"==> {slot.log} <==\n{slot.tail(lines)}" for slot in self.slots)


def compare(syncable: dict[str, StoreOrder], held: list[SalesOrder], before: set[str]) -> Verification:
    """What NetSuite holds against the syncable store orders (by external id). ``before`` are the internal
    ids of the sales orders the account had before the run: any other one that belongs to no syncable
    order should not exist."""
    copies = Counter(order.external_id for order in held)
    totals = {order.external_id: order.total for order in held}
    v = Verification(expected=len(syncable))
    v.found = sum(1 for external in syncable if external in copies)
    v.lost = sorted(external for external in syncable if external not in copies)
    v.duplicated = sorted(external for external in syncable if copies[external] > 1)
    v.mismatched = sorted(
        (external, str(order.total), str(totals[external]))
        for external, order in syncable.items()
        if external in totals and totals[external] != order.total
    )
    v.unexpected = sorted(
        f"{order.external_id or '(no external id)'} (internal id {order.internal_id})"
        for order in held
        if order.internal_id not in before and order.external_id not in syncable
    )
    return v


def woo_signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode("ascii")


def _external_for_job(job: dict[str, Any]) -> str:
    """``orders:woo->netsuite`` + store id ``42`` -> ``woo-order-42``, the sales order's external id."""
    source = str(job["flow"]).split(":", 1)[1].split("->", 1)[0]
    return order_external_id(source, str(job["record_key"]))


def run_chaos(
    plan: ChaosPlan, run_dir: Path, postgres_url: str = POSTGRES_URL, *, keep_schema: bool = False
) -> tuple[ChaosReport, str]:
    """One whole run in a fresh PostgreSQL schema; returns the report and the processes' log tails."""
    check_postgres(postgres_url)
    with fresh_schema(postgres_url, keep=keep_schema) as database_url:
        run = ChaosRun(plan, run_dir, database_url)
        report = run.run()
        return report, run.tails()


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(description="Kill workers, fault NetSuite, then check NetSuite.")
    parser.add_argument("--short", action="store_true", help="the plan `make test` runs, as a start")
    parser.add_argument("--orders", type=int, help="store orders to seed")
    parser.add_argument("--workers", type=int, help="worker processes")
    parser.add_argument("--chaos-seconds", type=float, help="seconds of kills and faults")
    parser.add_argument("--fault-rate", type=float, help="share of NetSuite requests faulted, e.g. 0.1")
    parser.add_argument("--drain-deadline", type=float, help="seconds the drain may take")
    parser.add_argument(
        "--live-orders-per-second", type=float, help="new WooCommerce orders during the chaos"
    )
    parser.add_argument(
        "--dir", type=Path, default=None, help="run directory (default: a new one under /tmp)"
    )
    parser.add_argument(
        "--keep-schema", action="store_true", help="leave the PostgreSQL schema (see <dir>/ledgerlink.yaml)"
    )
    args = parser.parse_args(argv)
    names = ("orders", "workers", "chaos_seconds", "fault_rate", "drain_deadline", "live_orders_per_second")
    chosen = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    plan = (ChaosPlan.short() if args.short else ChaosPlan.long()).replace(**chosen)
    if args.dir is None:
        run_dir = Path(tempfile.mkdtemp(prefix=f"ledgerlink-chaos-{time.strftime('%Y%m%d-%H%M%S')}-"))
    else:
        run_dir = args.dir
        run_dir.mkdir(parents=True, exist_ok=False)
    try:
        report, tails = run_chaos(plan, run_dir, keep_schema=args.keep_schema)
    except PostgresUnavailable as unavailable:
        out(f"chaos run not started: {unavailable}")
        return 2
    out(report.render())
    if not report.ok:
        out("\nLast lines of each process's log:\n" + tails)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
