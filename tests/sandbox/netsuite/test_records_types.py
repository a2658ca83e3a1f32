"""Record types beyond orders: customers with pricing and terms, kits, matrix items, journals, deposits,
pricing matrix lookups, header discounts and tax."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from ledgerlink.sandbox.netsuite import storage
from ledgerlink.sandbox.netsuite.seed import (
    REFERENCE_IDS,
    CatalogSummary,
    SeedSummary,
    seed_catalog,
    seed_netsuite,
)

from .conftest import RECORD, new_id, order_body, suiteql


def detail(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    return dict(response.json()["o:errorDetails"][0])


async def get(client: httpx.AsyncClient, kind: str, record_id: str) -> dict[str, Any]:
    response = await client.get(f"{RECORD}/{kind}/{record_id}", params={"expandSubResources": "true"})
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture
def catalog(state_path: Path, seeded: SeedSummary) -> CatalogSummary:
    return seed_catalog(state_path)


async def test_company_customer_with_price_level_terms_and_tax_flag(client: httpx.AsyncClient) -> None:
    body = {
        "isPerson": False,
        "companyName": "Globex",
        "priceLevel": {"id": REFERENCE_IDS["price_levels"]["Wholesale"]},
        "terms": {"id": REFERENCE_IDS["terms"]["Net 30"]},
        "taxable": True,
    }
    customer_id = new_id(await client.post(f"{RECORD}/customer", json=body))
    record = await get(client, "customer", customer_id)
    assert record["priceLevel"]["refName"] == "Wholesale" and record["terms"]["refName"] == "Net 30"
    rows = (
        await suiteql(client, f"SELECT pricelevel, terms, taxable FROM customer WHERE id = {customer_id}")
    ).json()
    assert rows["items"][0] == {"links": [], "pricelevel": "3", "terms": "1", "taxable": "T"}
    bad_level = await client.post(f"{RECORD}/customer", json={**body, "priceLevel": {"id": "99"}})
    assert (detail(bad_level)["o:errorCode"], detail(bad_level)["o:errorPath"]) == (
        "INVALID_KEY_OR_REF",
        "priceLevel",
    )
    bad_flag = await client.post(f"{RECORD}/customer", json={**body, "taxable": "yes"})
    assert detail(bad_flag)["o:errorCode"] == "INVALID_CONTENT"


async def test_lines_priced_from_the_matrix(
    client: httpx.AsyncClient, seeded: SeedSummary, catalog: CatalogSummary
) -> None:
    sku = seeded.item_ids["SKU-0001"]
    matrix = (
        await suiteql(
            client, f"SELECT pricelevel, currency, quantity, unitprice FROM pricing WHERE item = {sku}"
        )
    ).json()["items"]
    price = {(r["pricelevel"], r["currency"], r["quantity"]): float(r["unitprice"]) for r in matrix}
    base = price[("1", "1", "0")]
    assert {("3", "1", "10"), ("3", "1", "50"), ("2", "2", "0")} <= set(price)

    wholesale = catalog.customers["ACME-WHOLESALE"]
    lines = [
        {"item": {"id": sku}, "quantity": 12},  # customer's level (Wholesale), break at 10
        {"item": {"id": sku}, "quantity": 1, "price": {"id": "2"}},  # the line names Online Price
        {"item": {"id": sku}, "quantity": 1, "price": {"id": "1"}, "rate": 3.0},  # an explicit rate wins
    ]
    order_id = new_id(
        await client.post(
            f"{RECORD}/salesOrder", json={"entity": {"id": wholesale}, "item": {"items": lines}}
        )
    )
    order = await get(client, "salesOrder", order_id)
    rates = [line["rate"] for line in order["item"]["items"]]
    assert rates == [price[("3", "1", "10")], price[("2", "1", "0")], 3.0]
    assert order["terms"]["refName"] == "Net 30"  # from the customer
    levels = [line["price"]["refName"] for line in order["item"]["items"]]
    assert levels == ["Wholesale", "Online Price", "Base Price"]
    typed = await get(
        client, "salesOrder", new_id(await client.post(f"{RECORD}/salesOrder", json=order_body(seeded)))
    )
    assert typed["item"]["items"][0]["price"] == {"id": "-1", "refName": "Custom"}

    uk = catalog.customers["UK-CUSTOMER"]
    gbp = new_id(
        await client.post(
            f"{RECORD}/salesOrder", json={"entity": {"id": uk}, "item": {"items": [{"item": {"id": sku}}]}}
        )
    )
    record = await get(client, "salesOrder", gbp)
    assert record["currency"]["id"] == REFERENCE_IDS["currencies"]["GBP"]
    assert record["item"]["items"][0]["rate"] == price[("1", "3", "0")] != base


async def test_header_discount_tax_and_read_only_totals(
    client: httpx.AsyncClient, seeded: SeedSummary, catalog: CatalogSummary
) -> None:
    lines = [
        {"item": {"id": seeded.item_ids["SKU-0001"]}, "quantity": 2, "rate": 10.0, "isTaxable": True},
        {"item": {"id": seeded.item_ids["SKU-0002"]}, "quantity": 1, "rate": 5.5},
        {"item": {"id": REFERENCE_IDS["discount_item"]}, "rate": "10%"},  # 10% of the line above
    ]
    body = order_body(
        seeded,
        item={"items": lines},
        discountItem={"id": REFERENCE_IDS["discount_item"]},
        discountRate="-5%",
        taxItem={"id": catalog.tax_items["CA-STATE"]},
        shippingCost=4.99,
        subtotal=1,
        total=2,
        taxTotal=3,
    )
    order = await get(client, "salesOrder", new_id(await client.post(f"{RECORD}/salesOrder", json=body)))
    assert order["item"]["items"][2]["amount"] == -0.55
    assert order["subtotal"] == 24.95  # 20 + 5.50 - 0.55
    assert order["discountTotal"] == -1.25  # 5% of the subtotal, half-up
    assert order["taxRate"] == 8.25 and order["taxTotal"] == 1.65  # 8.25% of the taxable 20.00
    assert order["total"] == 30.34  # 24.95 - 1.25 + 4.99 + 1.65


async def test_kit_and_assembly_members(
    client: httpx.AsyncClient, seeded: SeedSummary, catalog: CatalogSummary
) -> None:
    kit = await get(client, "kitItem", catalog.kits["GIFT-BOX"])
    members = kit["member"]["items"]
    assert [(m["item"]["refName"], m["quantity"]) for m in members] == [("SKU-0001", 2.0), ("SKU-0002", 1.0)]
    assert kit["itemType"]["id"] == "Kit"
    empty = await client.post(f"{RECORD}/kitItem", json={"itemId": "EMPTY-KIT"})
    assert (detail(empty)["o:errorCode"], detail(empty)["o:errorPath"]) == ("USER_ERROR", "member")
    bad = await client.post(
        f"{RECORD}/kitItem", json={"itemId": "BAD-KIT", "member": {"items": [{"item": {"id": "99999"}}]}}
    )
    assert detail(bad)["o:errorCode"] == "INVALID_KEY_OR_REF"
    assert detail(bad)["o:errorPath"] == "member.items[0].item"
    rows = (
        await suiteql(client, "SELECT itemtype, COUNT(*) AS n FROM item GROUP BY itemtype ORDER BY itemtype")
    ).json()
    counts = {r["itemtype"]: int(r["n"]) for r in rows["items"]}
    assert (
        counts["Kit"] == 1 and counts["Assembly"] == 1 and counts["TaxItem"] == 1 and counts["GiftCert"] == 1
    )
    # a kit sells like any item and is fulfilled as one line
    order = order_body(seeded, item={"items": [{"item": {"id": catalog.kits["GIFT-BOX"]}, "quantity": 1}]})
    order_id = new_id(await client.post(f"{RECORD}/salesOrder", json=order))
    assert (await get(client, "salesOrder", order_id))["item"]["items"][0]["rate"] == 49.0


async def test_matrix_parent_and_children(
    client: httpx.AsyncClient, seeded: SeedSummary, catalog: CatalogSummary
) -> None:
    parent = catalog.matrix_parents["CLASSIC-TEE"]
    rows = (
        await suiteql(client, f"SELECT itemid, matrixtype FROM item WHERE parent = {parent} ORDER BY itemid")
    ).json()["items"]
    assert [(r["itemid"], r["matrixtype"]) for r in rows] == [
        ("CLASSIC-TEE-L", "CHILD"),
        ("CLASSIC-TEE-M", "CHILD"),
        ("CLASSIC-TEE-S", "CHILD"),
    ]
    orphan = await client.post(
        f"{RECORD}/inventoryItem", json={"itemId": "X-1", "matrixType": {"id": "CHILD"}}
    )
    assert (detail(orphan)["o:errorCode"], detail(orphan)["o:errorPath"]) == ("USER_ERROR", "parent")
    not_parent = await client.post(
        f"{RECORD}/inventoryItem",
        json={"itemId": "X-2", "matrixType": "CHILD", "parent": {"id": seeded.item_ids["SKU-0001"]}},
    )
    assert detail(not_parent)["o:errorCode"] == "USER_ERROR"
    wrong_kind = await client.post(f"{RECORD}/inventoryItem", json={"itemId": "X-3", "matrixType": "BOTH"})
    assert detail(wrong_kind)["o:errorCode"] == "INVALID_CONTENT"
    sell_parent = await client.post(
        f"{RECORD}/salesOrder",
        json=order_body(seeded, item={"items": [{"item": {"id": parent}, "quantity": 1}]}),
    )
    assert detail(sell_parent)["o:errorPath"] == "item.items[0].item"


async def test_journal_entries_must_balance(client: httpx.AsyncClient) -> None:
    accounts = REFERENCE_IDS["accounts"]
    lines = [
        {"account": {"id": accounts["Checking"]}, "debit": 100.0, "memo": "cash in"},
        {"account": {"id": accounts["Sales"]}, "credit": 100.0},
    ]
    body = {"subsidiary": {"id": REFERENCE_IDS["subsidiary"]}, "line": {"items": lines}}
    journal_id = new_id(await client.post(f"{RECORD}/journalEntry", json=body))
    journal = await get(client, "journalEntry", journal_id)
    assert journal["tranId"].startswith("JE") and journal["currency"]["id"] == "1"
    assert journal["status"] == {"id": "B", "refName": "Approved for Posting"}
    assert journal["line"]["items"][0]["account"]["refName"] == "1000 Checking"
    rows = (
        await suiteql(
            client,
            "SELECT t.type, SUM(tl.debitforeignamount) AS dr, SUM(tl.creditforeignamount) AS cr "
            "FROM transaction t JOIN transactionline tl ON tl.transaction = t.id "
            f"WHERE t.id = {journal_id} GROUP BY t.type",
        )
    ).json()["items"]
    assert rows == [{"links": [], "type": "Journal", "dr": "100", "cr": "100"}]

    unbalanced = {**body, "line": {"items": [lines[0], {**lines[1], "credit": 99.99}]}}
    error = detail(await client.post(f"{RECORD}/journalEntry", json=unbalanced))
    assert (error["o:errorCode"], error["o:errorPath"]) == ("USER_ERROR", "line")
    both = {**body, "line": {"items": [{**lines[0], "credit": 1.0}, lines[1]]}}
    assert detail(await client.post(f"{RECORD}/journalEntry", json=both))["o:errorCode"] == "USER_ERROR"
    no_account = {**body, "line": {"items": [{"debit": 1.0}, lines[1]]}}
    assert "Account" in detail(await client.post(f"{RECORD}/journalEntry", json=no_account))["detail"]
    bad_account = {**body, "line": {"items": [{**lines[0], "account": {"id": "77"}}, lines[1]]}}
    assert (
        detail(await client.post(f"{RECORD}/journalEntry", json=bad_account))["o:errorCode"]
        == "INVALID_KEY_OR_REF"
    )


async def test_customer_deposit_for_an_order(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    order_id = new_id(await client.post(f"{RECORD}/salesOrder", json=order_body(seeded)))
    customer = next(iter(seeded.customer_ids.values()))
    body = {"customer": {"id": customer}, "salesOrder": {"id": order_id}, "payment": 10.005}
    deposit = await get(
        client, "customerDeposit", new_id(await client.post(f"{RECORD}/customerDeposit", json=body))
    )
    assert deposit["payment"] == 10.01 and deposit["status"]["id"] == "A"
    assert deposit["salesOrder"]["refName"].startswith("Sales Order #SO")
    no_payment = detail(await client.post(f"{RECORD}/customerDeposit", json={"customer": {"id": customer}}))
    assert no_payment["detail"].endswith("Please enter value(s) for: Payment Amount")
    other = list(seeded.customer_ids.values())[1]
    wrong = await client.post(f"{RECORD}/customerDeposit", json={**body, "customer": {"id": other}})
    assert (detail(wrong)["o:errorCode"], detail(wrong)["o:errorPath"]) == ("USER_ERROR", "salesOrder")
    rows = (await suiteql(client, "SELECT type, foreigntotal FROM transaction WHERE type = 'CustDep'")).json()
    assert rows["items"][0]["foreigntotal"] == "10.01"


async def test_estimate_becomes_a_sales_order(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    estimate_id = new_id(await client.post(f"{RECORD}/estimate", json=order_body(seeded)))
    estimate = await get(client, "estimate", estimate_id)
    assert estimate["tranId"].startswith("EST") and estimate["total"] == 25.5
    order_id = new_id(await client.post(f"{RECORD}/estimate/{estimate_id}/!transform/salesOrder", json={}))
    order = await get(client, "salesOrder", order_id)
    assert order["estimate"]["id"] == estimate_id and order["total"] == 25.5 and order["status"]["id"] == "B"
    assert (await get(client, "estimate", estimate_id))["status"] == {"id": "B", "refName": "Processed"}


async def test_reference_records_and_their_tables(client: httpx.AsyncClient) -> None:
    levels = (await suiteql(client, "SELECT id, name, discountpct FROM pricelevel ORDER BY id")).json()[
        "items"
    ]
    assert [(r["name"], r.get("discountpct")) for r in levels] == [
        ("Base Price", None),
        ("Online Price", "-5"),
        ("Wholesale", "-20"),
    ]
    promo = await get(client, "promotionCode", REFERENCE_IDS["promotion_codes"]["WELCOME10"])
    assert promo["discount"]["refName"] == "Store Discount"
    missing = await client.post(f"{RECORD}/promotionCode", json={"code": "X"})
    assert detail(missing)["detail"].endswith("Please enter value(s) for: Discount")


async def test_contacts_and_customer_contact_roles(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    customer = next(iter(seeded.customer_ids.values()))
    contact = {
        "firstName": "Grace",
        "lastName": "Hopper",
        "email": "grace@example.com",
        "company": {"id": customer},
    }
    contact_id = new_id(await client.post(f"{RECORD}/contact", json=contact))
    roles = {"contactRoles": {"items": [{"contact": {"id": contact_id}, "role": {"id": "-10"}}]}}
    for _ in range(2):  # written whole: a second PATCH does not pile up lines
        assert (await client.patch(f"{RECORD}/customer/{customer}", json=roles)).status_code == 204
    record = await get(client, "customer", customer)
    assert [line["contact"]["refName"] for line in record["contactRoles"]["items"]] == ["Grace Hopper"]
    rows = (await suiteql(client, f"SELECT firstname, company FROM contact WHERE id = {contact_id}")).json()
    assert rows["items"][0]["company"] == customer
    bad = {"contactRoles": {"items": [{"contact": {"id": "424242"}}]}}
    assert (
        detail(await client.patch(f"{RECORD}/customer/{customer}", json=bad))["o:errorCode"]
        == "INVALID_KEY_OR_REF"
    )
    nameless = await client.post(f"{RECORD}/contact", json={"firstName": "Solo"})
    assert detail(nameless)["detail"].endswith("Please enter value(s) for: Last Name")


async def test_fulfilment_moves_the_orders_last_modified_date(
    client: httpx.AsyncClient, seeded: SeedSummary
) -> None:
    order_id = new_id(await client.post(f"{RECORD}/salesOrder", json=order_body(seeded)))
    before = (await get(client, "salesOrder", order_id))["lastModifiedDate"]
    await asyncio.sleep(1.1)
    new_id(await client.post(f"{RECORD}/salesOrder/{order_id}/!transform/itemFulfillment", json={}))
    after = (await get(client, "salesOrder", order_id))["lastModifiedDate"]
    assert after > before
    rows = (
        await suiteql(
            client,
            "SELECT TO_CHAR(lastmodifieddate, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS at "
            f"FROM transaction WHERE id = {order_id}",
        )
    ).json()["items"]
    assert rows[0]["at"] + "Z" == after


def test_old_state_files_get_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute('CREATE TABLE "item" ("id" INTEGER, "itemid" TEXT)')
        conn.execute("INSERT INTO item VALUES (1, 'OLD')")
    storage.Store(path)
    with sqlite3.connect(path) as conn:
        columns = {row[1] for row in conn.execute('PRAGMA table_info("item")')}
        assert {"parent", "matrixtype", "totalquantityonhand", "upccode"} <= columns
        assert conn.execute("SELECT itemid FROM item").fetchall() == [("OLD",)]


async def test_promotion_code_and_line_tax_codes(
    client: httpx.AsyncClient, seeded: SeedSummary, catalog: CatalogSummary
) -> None:
    tax_code = {"id": catalog.tax_items["CA-STATE"]}
    lines = [
        {"item": {"id": seeded.item_ids["SKU-0001"]}, "quantity": 3, "rate": 9.99, "taxCode": tax_code},
        {"item": {"id": seeded.item_ids["SKU-0002"]}, "quantity": 1, "rate": 20.0},
    ]
    promo = {"id": REFERENCE_IDS["promotion_codes"]["WELCOME10"]}
    body = order_body(seeded, item={"items": lines}, promoCode=promo)
    order = await get(client, "salesOrder", new_id(await client.post(f"{RECORD}/salesOrder", json=body)))
    first = order["item"]["items"][0]
    assert (first["taxRate1"], first["taxAmount"]) == (8.25, 2.47)  # 29.97 x 8.25% = 2.4725
    assert order["promoCode"]["refName"] == "WELCOME10"
    assert order["discountItem"]["id"] == REFERENCE_IDS["discount_item"]
    assert order["discountTotal"] == -5.0  # 10% of 49.97, half-up
    assert order["taxTotal"] == 2.47 and order["total"] == 47.44
    bad_code = order_body(
        seeded, item={"items": [{**lines[0], "taxCode": {"id": seeded.item_ids["SKU-0003"]}}]}
    )
    error = detail(await client.post(f"{RECORD}/salesOrder", json=bad_code))
    assert (error["o:errorCode"], error["o:errorPath"]) == ("INVALID_KEY_OR_REF", "item.items[0].taxCode")


def test_seeding_is_deterministic_and_idempotent(tmp_path: Path) -> None:
    def snapshot(path: Path) -> list[tuple[str, int, str]]:
        with sqlite3.connect(path) as conn:
            rows = conn.execute("SELECT type, id, data FROM ns_record ORDER BY family, id").fetchall()
        stamps = ("createdDate", "dateCreated", "lastModifiedDate", "tranDate")
        out = []
        for kind, record_id, data in rows:
            document = {k: v for k, v in json.loads(data).items() if k not in stamps}
            out.append((kind, record_id, json.dumps(document, sort_keys=True)))
        return out

    first, second = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    summary = seed_netsuite(first, items=4, customers=2, catalog=True)
    seed_netsuite(second, items=4, customers=2, catalog=True)
    assert snapshot(first) == snapshot(second)
    again = seed_netsuite(first, items=4, customers=2, catalog=True)
    assert (again.items_created, again.customers_created) == (0, 0)
    assert again.item_ids == summary.item_ids and snapshot(first) == snapshot(second)
    kinds = {kind for kind, _, _ in snapshot(first)}
    assert {"kitItem", "assemblyItem", "salesTaxItem", "giftCertificateItem", "priceLevel", "term"} <= kinds


async def test_strict_property_names_on_the_new_types(client: httpx.AsyncClient, seeded: SeedSummary) -> None:
    strict = {"X-NetSuite-PropertyNameValidation": "Error"}
    member = {"item": {"id": seeded.item_ids["SKU-0001"]}, "quantity": 1, "memberDescr": "one"}
    good = {"itemId": "STRICT-KIT", "member": {"items": [member]}, "custitem_colour": "red"}
    assert (await client.post(f"{RECORD}/kitItem", json=good, headers=strict)).status_code == 204
    bad_member = {"itemId": "STRICT-KIT-2", "member": {"items": [{**member, "colour": "red"}]}}
    error = detail(await client.post(f"{RECORD}/kitItem", json=bad_member, headers=strict))
    assert (error["o:errorCode"], error["o:errorPath"]) == ("INVALID_CONTENT", "member.items[0].colour")

    order_id = new_id(await client.post(f"{RECORD}/salesOrder", json=order_body(seeded)))
    url = f"{RECORD}/salesOrder/{order_id}/!transform/itemFulfillment"
    wrong = {"package": {"items": [{"packageTrackingNumber": "1Z", "trackingNo": "x"}]}}
    error = detail(await client.post(url, json=wrong, headers=strict))
    assert error["o:errorPath"] == "package.items[0].trackingNo"
    assert (await client.post(url, json=wrong)).status_code == 204  # Warning (the default) lets it through

    journal = {"subsidiary": {"id": "1"}, "lines": {"items": []}}
    assert (
        detail(await client.post(f"{RECORD}/journalEntry", json=journal, headers=strict))["o:errorPath"]
        == "lines"
    )


async def test_non_taxable_customers_pay_no_tax(
    client: httpx.AsyncClient, seeded: SeedSummary, catalog: CatalogSummary
) -> None:
    line = {"item": {"id": seeded.item_ids["SKU-0001"]}, "quantity": 1, "rate": 100.0, "isTaxable": True}
    body = {"item": {"items": [line]}, "taxRate": 8}
    exempt = {**body, "entity": {"id": catalog.customers["ACME-WHOLESALE"]}}
    order = await get(client, "salesOrder", new_id(await client.post(f"{RECORD}/salesOrder", json=exempt)))
    assert order["isTaxable"] is False and order["taxTotal"] == 0.0 and order["total"] == 100.0
    taxed = {**body, "entity": {"id": catalog.customers["UK-CUSTOMER"]}}
    order = await get(client, "salesOrder", new_id(await client.post(f"{RECORD}/salesOrder", json=taxed)))
    assert order["isTaxable"] is True and order["taxTotal"] == 8.0 and order["total"] == 108.0


async def test_resale_item_types_share_their_sale_counterparts_codes(client: httpx.AsyncClient) -> None:
    for kind, code in (
        ("nonInventoryResaleItem", "NonInvtPart"),
        ("serviceResaleItem", "Service"),
        ("otherChargeResaleItem", "OthCharge"),
    ):
        item_id = new_id(await client.post(f"{RECORD}/{kind}", json={"itemId": f"RESALE-{code}"}))
        record = await get(client, kind, item_id)
        assert record["itemType"]["id"] == code
        assert (await client.get(f"{RECORD}/inventoryItem/{item_id}")).status_code == 404
        rows = (await suiteql(client, f"SELECT itemtype FROM item WHERE id = {item_id}")).json()["items"]
        assert rows[0]["itemtype"] == code
