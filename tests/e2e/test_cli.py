"""A new user's path through the command line, against the sandbox served by the CLI itself."""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from netsuite import Config, TokenAuth
from netsuite.rest_api import NetSuiteRestApi
from tests.e2e.conftest import LEDGERLINK, Deployment, stop, wait_for_port
from woocommerce import API

from ledgerlink.sandbox import credentials

pytestmark = pytest.mark.e2e


def netsuite_sales_orders(d: Deployment) -> dict[str, Decimal]:
    """Read back with the PyPI `netsuite` client, which knows nothing of Ledgerlink."""
    api = NetSuiteRestApi(Config(account=credentials.NETSUITE_ACCOUNT, auth=TokenAuth(
        consumer_key=credentials.NETSUITE_CONSUMER_KEY, consumer_secret=credentials.NETSUITE_CONSUMER_SECRET,
        token_id=credentials.NETSUITE_TOKEN_ID, token_secret=credentials.NETSUITE_TOKEN_SECRET)))  # fmt: skip

    async def read() -> dict[str, Decimal]:
        rows: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = await api.suiteql(
                "SELECT externalid, foreigntotal FROM transaction WHERE type = 'SalesOrd' ORDER BY id",
                limit=100, offset=offset, url=f"{d.netsuite_url}/services/rest/query/v1/suiteql")  # fmt: skip
            rows += page["items"]
            if not page["hasMore"]:
                break
            offset += 100
        externals = [r["externalid"] for r in rows]
        assert len(externals) == len(set(externals)), "duplicate sales orders in NetSuite"
        return {r["externalid"]: Decimal(str(r["foreigntotal"])) for r in rows}

    return asyncio.run(read())


def woo_api(d: Deployment) -> API:
    """The PyPI `woocommerce` client: one-legged OAuth 1.0a over plain HTTP, as real stores require."""
    return API(url=d.woo_url, consumer_key=credentials.WOO_CONSUMER_KEY,
               consumer_secret=credentials.WOO_CONSUMER_SECRET, version="wc/v3", timeout=30)  # fmt: skip


def create_orders(api: API, count: int) -> list[dict[str, Any]]:
    products = api.get("products", params={"per_page": 20}).json()
    assert products, "seed products first"
    created = []
    for n in range(count):
        chosen = products[n % len(products)], products[(n + 3) % len(products)]
        response = api.post("orders", {
            "status": "processing", "set_paid": True, "payment_method": "stripe",
            "billing": {"first_name": "Grace", "last_name": f"Hopper{n}", "email": f"grace{n}@example.com",
                        "address_1": "1 Navy Way", "city": "Arlington", "state": "VA", "postcode": "22201",
                        "country": "US"},
            "line_items": [{"product_id": chosen[0]["id"], "quantity": 1 + n % 3},
                           {"product_id": chosen[1]["id"], "quantity": 1}],
            "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "7.50"}],
            "coupon_lines": [{"code": "TENOFF", "discount": "1.00"}] if n % 2 else [],
        })  # fmt: skip
        assert response.status_code == 201, response.text
        created.append(response.json())
    return created


def external(order: dict[str, Any]) -> str:
    return f"woo-order-{order['id']}"


def test_init_writes_a_config_that_loads(tmp_path: Path) -> None:
    import subprocess

    result = subprocess.run([*LEDGERLINK, "-c", str(tmp_path / "l.yaml"), "init", "--sandbox"], cwd=tmp_path,
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "l.yaml").read_text()
    assert "consumer_secret" in text and "type: netsuite" in text
    again = subprocess.run([*LEDGERLINK, "-c", str(tmp_path / "l.yaml"), "init", "--sandbox"], cwd=tmp_path,
                           capture_output=True, text=True, check=False)  # fmt: skip
    assert again.returncode == 1 and "exists" in again.stdout


def test_a_bad_config_names_the_key(tmp_path: Path) -> None:
    import subprocess

    (tmp_path / "bad.yaml").write_text("connections:\n  ns:\n    type: netsuite\n    account: 1\n")
    result = subprocess.run([*LEDGERLINK, "-c", str(tmp_path / "bad.yaml"), "jobs"], cwd=tmp_path,
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 2
    assert "connections.ns" in result.stdout and "consumer_key" in result.stdout


def test_orders_from_the_official_client_reach_netsuite_once(deployment: Deployment) -> None:
    d = deployment
    d.cli("sandbox", "seed", "netsuite", "--items", "20", "--customers", "3", "--state-dir", str(d.state_dir))
    d.cli(
        "sandbox", "seed", "woocommerce", "--orders", "0", "--products", "20", "--state-dir", str(d.state_dir)
    )
    api = woo_api(d)
    created = create_orders(api, 12)
    first = d.cli("sync", "orders")
    assert "12" in first.stdout or "succeeded" in first.stdout
    held = netsuite_sales_orders(d)
    assert held == {external(o): Decimal(o["total"]) for o in created}

    d.cli("sync", "orders")
    refused = d.cli("sync", "orders", "--id", str(created[0]["id"]), check=False)
    assert refused.returncode == 2 and "needs one store" in refused.stdout  # three stores are configured
    d.cli("sync", "orders", "--flow", "woo", "--id", str(created[0]["id"]))
    assert netsuite_sales_orders(d) == held  # nothing new

    jobs = d.cli("jobs").stdout
    assert "orders.sync" in jobs and "done" in jobs


def test_unknown_skus_reach_the_error_queue_and_retry_brings_them_through(deployment: Deployment) -> None:
    d = deployment
    d.cli("sandbox", "seed", "netsuite", "--items", "10", "--customers", "2", "--state-dir", str(d.state_dir))
    d.cli("sandbox", "seed", "woocommerce", "--orders", "6", "--products", "10", "--unknown-skus", "2",
          "--state-dir", str(d.state_dir))  # fmt: skip
    d.cli("sync", "orders")
    listed = d.cli("errors", "list").stdout
    assert "SKU_NOT_FOUND" in listed and "NEW-000" in listed
    job_id = re.search(r"^│ (\d+)\s+│ failed", listed, re.M)
    assert job_id, listed
    shown = d.cli("errors", "show", job_id.group(1)).stdout
    assert "fix" in shown and "NEW-000" in shown

    d.cli("sandbox", "seed", "netsuite", "--items", "10", "--customers", "0", "--state-dir", str(d.state_dir))
    still = d.cli("errors", "retry", "--code", "SKU_NOT_FOUND").stdout
    assert "failed again" in still  # the items still do not exist
    assert len(netsuite_sales_orders(d)) == 4


def test_run_receives_webhooks_and_drains_on_sigterm(deployment: Deployment) -> None:
    d = deployment
    d.cli("sandbox", "seed", "netsuite", "--items", "20", "--customers", "3", "--state-dir", str(d.state_dir))
    d.cli(
        "sandbox", "seed", "woocommerce", "--orders", "0", "--products", "20", "--state-dir", str(d.state_dir)
    )
    service = d.start("run")
    try:
        wait_for_port(d.console_port, service)
        api = woo_api(d)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the service registers its webhooks on the store
            hooks = api.get("webhooks").json()
            if len(hooks) >= 2 and all(h["status"] == "active" for h in hooks):
                break
            time.sleep(0.2)
        assert {h["topic"] for h in hooks} >= {"order.created", "order.updated"}
        assert all(f":{d.console_port}/webhooks/woo" in h["delivery_url"] for h in hooks)
        created = create_orders(api, 5)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            held = netsuite_sales_orders(d)
            if len(held) >= len(created):
                break
            time.sleep(0.3)
        assert held == {external(o): Decimal(o["total"]) for o in created}
    finally:
        code = stop(service)
    output = service.stdout.read().decode() if service.stdout else ""
    assert code == 0, output


def test_faults_injected_from_the_cli_are_retried_without_duplicates(deployment: Deployment) -> None:
    d = deployment
    d.cli("sandbox", "seed", "netsuite", "--items", "20", "--customers", "3", "--state-dir", str(d.state_dir))
    d.cli(
        "sandbox", "seed", "woocommerce", "--orders", "0", "--products", "20", "--state-dir", str(d.state_dir)
    )
    created = create_orders(woo_api(d), 5)
    added = d.cli("sandbox", "fault", "add", "--status", "503", "--method", "PUT", "--path", "/salesOrder/",
                  "--times", "3", "--url", d.netsuite_url).stdout  # fmt: skip
    assert "status 503 on PUT /salesOrder/, 3 time(s)" in added
    lost = d.cli("sandbox", "fault", "add", "--kind", "lost_response", "--status", "504", "--method", "PUT",
                 "--path", "/salesOrder/", "--url", d.netsuite_url).stdout  # fmt: skip
    assert "lost_response 504" in lost
    d.cli("sync", "orders", timeout=240)
    assert netsuite_sales_orders(d) == {external(o): Decimal(o["total"]) for o in created}
    assert "no faults active" in d.cli("sandbox", "fault", "list", "--url", d.netsuite_url).stdout
    refused = d.cli("sandbox", "fault", "add", "--kind", "earthquake", "--url", d.netsuite_url, check=False)
    assert refused.returncode == 2 and "not a fault" in refused.stdout


def test_magento_and_commercetools_stores_seeded_from_the_cli_sync_into_one_account(
    deployment: Deployment,
) -> None:
    d = deployment
    state = ("--state-dir", str(d.state_dir))
    d.cli("sandbox", "seed", "netsuite", "--items", "20", "--customers", "3", *state)
    seeded = d.cli("sandbox", "seed", "magento", "--orders", "8", "--products", "20", "--unknown-skus", "1",
                   "--currency", "EUR", *state).stdout  # fmt: skip
    assert "Magento sandbox seeded: 8 orders" in seeded
    seeded = d.cli("sandbox", "seed", "commercetools", "--orders", "6", "--products", "20", *state).stdout
    assert "commercetools sandbox seeded: 6 orders" in seeded
    d.cli("sync", "orders", timeout=240)
    held = netsuite_sales_orders(d)
    magento = [e for e in held if e.startswith("magento-order-")]
    commercetools = [e for e in held if e.startswith("ct-order-")]
    assert magento and commercetools, held
    assert len(held) == len(magento) + len(commercetools)  # the WooCommerce store was left empty
    listed = d.cli("errors", "list").stdout
    assert "SKU_NOT_FOUND" in listed and "NEW-0001" in listed
    d.cli("sync", "orders")
    assert netsuite_sales_orders(d) == held  # nothing new on a second sync


def test_sandbox_serve_reads_netsuite_settings_from_a_file(tmp_path: Path) -> None:
    import httpx

    from ledgerlink.sandbox.server import free_port

    settings = tmp_path / "netsuite.yaml"
    settings.write_text("service_tier: premium\nsuitecloud_plus_licenses: 1\n")
    port = free_port()
    server = subprocess.Popen(
        [*LEDGERLINK, "sandbox", "serve", "--state-dir", str(tmp_path / "sandbox"),
         "--netsuite-port", str(port), "--woo-port", str(free_port()), "--magento-port", str(free_port()),
         "--commercetools-port", str(free_port()), "--netsuite-settings", str(settings)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for_port(port, server)
        governance = httpx.get(f"http://127.0.0.1:{port}/__sandbox/governance", timeout=10).json()
        assert governance["concurrencyLimit"] == 25  # premium 15 + 10 for one SuiteCloud Plus licence
    finally:
        stop(server)
