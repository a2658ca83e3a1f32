"""``make demo``: the sandbox, two stores' orders, one sync, and a summary checked against NetSuite.

A WooCommerce shop (USD), a Magento store view (EUR) and a commercetools project (USD) feed one NetSuite
account; the mapping routes each store to its own subsidiary and warehouse and stamps the channel on
every sales order.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ledgerlink.config import Config, parse_config
from ledgerlink.engine.queue import ERROR_STATES
from ledgerlink.operations import Reconciliation, reconcile_orders, sync
from ledgerlink.runtime import Runtime
from ledgerlink.sandbox.commercetools.seed import seed_store as seed_commercetools_store
from ledgerlink.sandbox.init_config import sandbox_config
from ledgerlink.sandbox.magento.seed import seed_store as seed_magento_store
from ledgerlink.sandbox.netsuite.seed import seed_netsuite
from ledgerlink.sandbox.seeding import seed_store
from ledgerlink.sandbox.server import BackgroundSandbox, SandboxPlan, free_port

DEMO_ITEMS = 60
DEMO_NETSUITE_CUSTOMERS = 25
DEMO_UNKNOWN_SKU_ORDERS = 4
DEMO_MAGENTO_SHARE = 0.3  # of the orders asked for, these shares go to Magento and commercetools
DEMO_COMMERCETOOLS_SHARE = 0.2
DEMO_OTHER_UNKNOWN_SKU_ORDERS = 2


@dataclass
class DemoResult:
    orders_seeded: int
    orders_synced: int
    customers_created: int
    customers_matched: int
    failed_jobs: int
    reconciliation: Reconciliation
    seconds: float


def run_demo(console: Console, *, directory: Path, orders: int = 200) -> bool:
    started = time.monotonic()
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    plan = SandboxPlan(
        directory / "sandbox",
        netsuite_port=free_port(),
        woo_port=free_port(),
        magento_port=free_port(),
        commercetools_port=free_port(),
    )
    plan.state_dir.mkdir(parents=True)
    console.print("[bold]1. Sandbox[/bold]: seeding a NetSuite account and three stores")
    seed_netsuite(plan.netsuite_state, items=DEMO_ITEMS, customers=DEMO_NETSUITE_CUSTOMERS, catalog=True)
    magento_orders = int(orders * DEMO_MAGENTO_SHARE)
    ct_orders = int(orders * DEMO_COMMERCETOOLS_SHARE)
    woo_orders = orders - magento_orders - ct_orders
    seeded = seed_store(
        plan.woo_state,
        orders=woo_orders,
        products=DEMO_ITEMS,
        unknown_sku_orders=min(DEMO_UNKNOWN_SKU_ORDERS, woo_orders),
    )
    magento_seeded = seed_magento_store(
        plan.magento_state,
        orders=magento_orders,
        products=DEMO_ITEMS,
        unknown_sku_orders=min(DEMO_OTHER_UNKNOWN_SKU_ORDERS, magento_orders),
        currency="EUR",
    )
    ct_seeded = seed_commercetools_store(
        plan.commercetools_state,
        orders=ct_orders,
        products=DEMO_ITEMS,
        unknown_sku_orders=min(DEMO_OTHER_UNKNOWN_SKU_ORDERS, ct_orders),
        currency="USD",
    )
    console.print(
        f"   NetSuite: {DEMO_ITEMS} items, {DEMO_NETSUITE_CUSTOMERS} customers, two subsidiaries; "
        f"WooCommerce: {seeded.orders} USD orders ({len(seeded.orders_with_unknown_skus)} sell a SKU "
        f"NetSuite lacks); Magento: {magento_seeded.orders} EUR orders "
        f"({len(magento_seeded.orders_with_unknown_skus)} with an unknown SKU); commercetools: "
        f"{ct_seeded.orders} USD orders ({len(ct_seeded.orders_with_unknown_skus)} with an unknown SKU)"
    )
    config_path = directory / "ledgerlink.yaml"
    config = _write_config(config_path, directory, plan)
    with BackgroundSandbox(plan):
        console.print(
            f"   emulators on {plan.netsuite_url} (NetSuite), {plan.woo_url} (WooCommerce), "
            f"{plan.magento_url} (Magento) and {plan.commercetools_url} (commercetools)"
        )
        console.print("[bold]2. Sync[/bold]: reading the store's orders and writing sales orders to NetSuite")
        seeded_orders = seeded.orders + magento_seeded.orders + ct_seeded.orders
        result = asyncio.run(_sync_and_check(config, seeded_orders, console))
    result.seconds = time.monotonic() - started
    _print_summary(console, result, config_path)
    return result.reconciliation.agrees and result.orders_synced + result.failed_jobs >= 1


def _write_config(path: Path, directory: Path, plan: SandboxPlan) -> Config:
    import yaml

    data = sandbox_config(
        database_url=f"sqlite:///{directory / 'ledgerlink.db'}",
        netsuite_url=plan.netsuite_url,
        woo_url=plan.woo_url,
        magento_url=plan.magento_url,
        commercetools_url=plan.commercetools_url,
        console_port=free_port(),
    )
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return parse_config(data, source=str(path))


async def _sync_and_check(config: Config, seeded_orders: int, console: Console) -> DemoResult:
    from ledgerlink.cli import _with_progress

    runtime = Runtime(config)
    try:
        await _with_progress(runtime, lambda cb: sync(runtime, on_outcome=cb))
        customers = runtime.links.all("customer")
        failed = runtime.queue.find(states=ERROR_STATES, limit=10_000)
        console.print("[bold]3. Check[/bold]: reading the sales orders back from NetSuite with SuiteQL")
        reconciliation = await reconcile_orders(runtime)
        return DemoResult(
            orders_seeded=seeded_orders,
            orders_synced=runtime.links.count("order"),
            customers_created=sum(1 for c in customers if c.details.get("action") == "created"),
            customers_matched=sum(1 for c in customers if c.details.get("action") == "matched"),
            failed_jobs=len(failed),
            reconciliation=reconciliation,
            seconds=0.0,
        )
    finally:
        await runtime.aclose()


def _print_summary(console: Console, result: DemoResult, config_path: Path) -> None:
    rec = result.reconciliation
    table = Table(title="Ledgerlink demo", show_header=False)
    table.add_column("what")
    table.add_column("figure", justify="right")
    table.add_row("store orders seeded", str(result.orders_seeded))
    table.add_row("orders synced to NetSuite (linked)", str(result.orders_synced))
    table.add_row("NetSuite sales orders found for them (SuiteQL)", str(rec.found))
    table.add_row("...with totals equal to the store's, to the cent", str(rec.equal_totals))
    for store in rec.stores:
        routes = ", ".join(
            f"{count} in subsidiary {subsidiary} ({currency})"
            for (subsidiary, currency), count in sorted(store.routing.items())
        )
        table.add_row(f"  {store.flow}", f"{store.found} of {store.linked}: {routes or 'none'}")
    table.add_row("customers created in NetSuite", str(result.customers_created))
    table.add_row("customers matched to existing NetSuite customers", str(result.customers_matched))
    table.add_row("problems in the error queue", str(result.failed_jobs))
    table.add_row("seconds", f"{result.seconds:.1f}")
    console.print(table)
    if rec.agrees:
        console.print(
            "[green]NetSuite agrees with Ledgerlink: each linked order is there once, with its total.[/green]"
        )
    else:
        console.print(
            f"[red]NetSuite disagrees: missing {rec.missing[:5]}, mismatched {rec.mismatched[:5]}[/red]"
        )
    if result.failed_jobs:
        console.print("\n[bold]Problems and their fixes[/bold]:")
        _print_problems(console, config_path)
    console.print("\n[bold]Look further[/bold] (the demo's state stays in the folder it made):")
    for command in (
        "errors list",
        "errors show <job id>",
        "jobs",
        "sync orders --flow woo --id <store order id>",
        "errors retry --code SKU_NOT_FOUND",
    ):
        console.print(f"   .venv/bin/ledgerlink -c {config_path} {command}")
    console.print(
        f"   .venv/bin/ledgerlink sandbox serve --state-dir {config_path.parent / 'sandbox'}  "
        "# the emulators, for your own experiments"
    )


def _print_problems(console: Console, config_path: Path) -> None:
    from ledgerlink.config import load_config

    runtime = Runtime(load_config(config_path))
    try:
        for job in runtime.queue.find(states=ERROR_STATES, limit=20):
            problem = job.problem or {}
            console.print(
                f" - job {job.id} [{problem.get('code')}] {problem.get('what')}: {problem.get('why')}"
            )
            console.print(f"   fix: {problem.get('fix')}")
    finally:
        runtime.engine.dispose()
