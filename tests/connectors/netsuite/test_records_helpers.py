"""The typed record helpers (``connectors/netsuite/records.py``) against the NetSuite emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from ledgerlink.config import NetSuiteConnection, parse_config
from ledgerlink.connectors.netsuite import records
from ledgerlink.connectors.netsuite.client import NetSuiteClient
from ledgerlink.engine.problems import ProblemError
from ledgerlink.sandbox.init_config import sandbox_config
from ledgerlink.sandbox.netsuite.app import create_app
from ledgerlink.sandbox.netsuite.seed import REFERENCE_IDS, SeedSummary, seed_catalog, seed_netsuite

URL = "http://netsuite.test"


def sandbox_connection(tmp_path: Path) -> NetSuiteConnection:
    config = parse_config(sandbox_config(database_url=f"sqlite:///{tmp_path / 'll.db'}", netsuite_url=URL))
    connection = config.connections["netsuite"]
    assert isinstance(connection, NetSuiteConnection)
    return connection


@pytest.fixture
def summary(tmp_path: Path) -> SeedSummary:
    summary = seed_netsuite(tmp_path / "ns.db", items=6, customers=2)
    seed_catalog(tmp_path / "ns.db")
    return summary


@pytest.fixture
async def ns(tmp_path: Path, summary: SeedSummary) -> AsyncIterator[NetSuiteClient]:
    app = create_app(tmp_path / "ns.db")
    async with NetSuiteClient(sandbox_connection(tmp_path), transport=httpx.ASGITransport(app=app)) as client:
        yield client


async def new_order(ns: NetSuiteClient, summary: SeedSummary, quantity: int = 3) -> str:
    body: dict[str, Any] = {
        "entity": {"id": next(iter(summary.customer_ids.values()))},
        "location": {"id": REFERENCE_IDS["location"]},
        "item": {
            "items": [
                {"item": {"id": summary.item_ids["SKU-0001"]}, "quantity": quantity, "rate": 12.5},
                {"item": {"id": summary.item_ids["SKU-0002"]}, "quantity": 1, "rate": 4},
            ]
        },
    }
    return await ns.create("salesOrder", body)


async def test_fulfil_bill_and_follow_an_order(ns: NetSuiteClient, summary: SeedSummary) -> None:
    order_id = await new_order(ns, summary)
    progress = await records.order_progress(ns, order_id)
    assert progress.status == "B" and [line.quantity for line in progress.lines] == [3, 1]

    request = records.FulfilmentRequest(
        lines=(records.FulfilmentLine(order_line=1, quantity=Decimal(2)),),
        packages=(records.Package(tracking_number="1Z999", weight=Decimal("2.5")),),
        ship_status="C",
    )
    fulfilment_id = await records.fulfil_order(ns, order_id, request)
    fulfilment = await ns.get("itemFulfillment", fulfilment_id, expand=True)
    assert fulfilment["package"]["items"][0]["packageTrackingNumber"] == "1Z999"
    progress = await records.order_progress(ns, order_id)
    assert progress.status == "E" and progress.lines[0].fulfilled == 2 and not progress.fully_fulfilled

    with pytest.raises(ProblemError) as too_much:
        await records.fulfil_order(
            ns,
            order_id,
            records.FulfilmentRequest(lines=(records.FulfilmentLine(order_line=1, quantity=Decimal(5)),)),
        )
    assert "remaining quantity" in str(too_much.value.problem)

    await records.fulfil_order(ns, order_id)  # the rest
    assert (await records.order_progress(ns, order_id)).fully_fulfilled
    shipped = await records.fulfilments_of(ns, order_id)
    assert len(shipped) == 2 and shipped[0].id == fulfilment_id
    assert shipped[0].tracking_numbers == ["1Z999"] and shipped[0].shipped and shipped[0].order_id == order_id
    assert [(line.order_line, line.quantity, line.location_id) for line in shipped[0].lines] == [(1, 2, "1")]
    assert [(line.order_line, line.quantity) for line in shipped[1].lines] == [(1, 1), (2, 1)]
    invoice_id = await records.bill_order(ns, order_id, external_id="inv-77")
    invoice = await ns.get("invoice", invoice_id)
    assert invoice["total"] == 41.5 and invoice["externalId"] == "inv-77"
    progress = await records.order_progress(ns, order_id)
    assert progress.status == "G" and [line.billed for line in progress.lines] == [3, 1]

    await records.pay_invoice(ns, invoice_id, Decimal("40"))
    assert (await ns.get("invoice", invoice_id))["amountRemaining"] == 1.5
    payment = await ns.get("customerPayment", await records.pay_invoice(ns, invoice_id))
    assert payment["payment"] == 1.5
    assert (await ns.get("invoice", invoice_id))["status"]["refName"] == "Paid In Full"


async def test_inventory_and_price_matrix(ns: NetSuiteClient, summary: SeedSummary) -> None:
    sku = summary.item_ids["SKU-0001"]
    before = await records.inventory_by_location(ns, [sku])
    assert [b.location_id for b in before] == ["1", "2", "3"]
    main = before[0]
    assert main.available == main.on_hand - main.committed
    await new_order(ns, summary, quantity=4)
    [after] = await records.inventory_by_location(ns, [sku], location_ids=[REFERENCE_IDS["location"]])
    assert after.committed == main.committed + 4

    breaks = await records.price_matrix(ns, [sku, summary.item_ids["SKU-0002"]], currency_id="1")
    assert {b.currency_id for b in breaks} == {"1"}
    base = records.unit_price(breaks, item_id=sku, price_level_id="1", currency_id="1", quantity=Decimal(1))
    wholesale_12 = records.unit_price(
        breaks, item_id=sku, price_level_id="3", currency_id="1", quantity=Decimal(12)
    )
    wholesale_60 = records.unit_price(
        breaks, item_id=sku, price_level_id="3", currency_id="1", quantity=Decimal(60)
    )
    assert base is not None and wholesale_12 is not None and wholesale_60 is not None
    assert base > wholesale_12 > wholesale_60
    assert (
        records.unit_price(breaks, item_id=sku, price_level_id="9", currency_id="1", quantity=Decimal(1))
        is None
    )
    assert await records.find_by_code(ns, "pricelevel", "name", "Wholesale") == "3"
    kit = await records.find_by_code(ns, "item", "itemid", "GIFT-BOX")
    assert kit is not None
    members = await records.kit_members(ns, [kit])
    assert [(m.item_id, m.quantity) for m in members] == [(sku, 2), (summary.item_ids["SKU-0002"], 1)]
    parent = await records.find_by_code(ns, "item", "itemid", "CLASSIC-TEE")
    assert parent is not None
    assert sorted(await records.matrix_children(ns, parent)) == [
        "CLASSIC-TEE-L",
        "CLASSIC-TEE-M",
        "CLASSIC-TEE-S",
    ]
    with pytest.raises(ValueError):
        await records.inventory_by_location(ns, ["1 OR 1=1"])


async def test_journal_deposit_and_schema(ns: NetSuiteClient, summary: SeedSummary) -> None:
    accounts = REFERENCE_IDS["accounts"]
    entry = records.JournalEntry(
        subsidiary_id=REFERENCE_IDS["subsidiary"],
        lines=(
            records.JournalLine(account_id=accounts["Checking"], debit=Decimal("12.34")),
            records.JournalLine(account_id=accounts["Sales"], credit=Decimal("12.34")),
        ),
        memo="test",
    )
    journal = await ns.get("journalEntry", await records.create_journal_entry(ns, entry))
    assert journal["total"] == 12.34
    with pytest.raises(ValidationError):
        records.JournalEntry(
            subsidiary_id="1",
            lines=(
                records.JournalLine(account_id="1", debit=Decimal(1)),
                records.JournalLine(account_id="4", credit=Decimal(2)),
            ),
        )
    with pytest.raises(ValidationError):
        records.JournalLine(account_id="1")

    order_id = await new_order(ns, summary)
    deposit = records.CustomerDeposit(
        customer_id=next(iter(summary.customer_ids.values())),
        payment=Decimal("20.00"),
        sales_order_id=order_id,
        payment_method_id=REFERENCE_IDS["payment_methods"]["stripe"],
    )
    record = await ns.get("customerDeposit", await records.create_customer_deposit(ns, deposit))
    assert record["payment"] == 20.0 and record["salesOrder"]["id"] == order_id

    cash_sale = await records.bill_order(ns, await new_order(ns, summary), target="cashSale")
    partial = await records.refund(
        ns, "cashSale", cash_sale, [records.FulfilmentLine(order_line=2)], external_id="refund-1"
    )
    refunded = await ns.get("cashRefund", partial)
    assert refunded["total"] == 4.0 and refunded["createdFrom"]["id"] == cash_sale

    rma = await records.authorize_return(ns, "cashSale", cash_sale, [records.FulfilmentLine(order_line=1)])
    await records.receive_return(ns, rma)
    credit = await ns.get("creditMemo", await records.refund(ns, "returnAuthorization", rma))
    assert credit["total"] == 37.5
    assert (await ns.get("returnAuthorization", rma))["status"]["refName"] == "Refunded"

    schema = await records.record_schema(ns, "customerDeposit")
    assert set(schema["required"]) == {"customer", "payment"}
    assert schema["properties"]["salesOrder"]["type"] == "object"
