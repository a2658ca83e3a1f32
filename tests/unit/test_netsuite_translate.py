"""Store orders become NetSuite payloads whose total is the buyer's total, to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.order_factory import make_order

from ledgerlink.config import OrderMapping
from ledgerlink.connectors.netsuite.translate import (
    customer_key,
    customer_payload,
    expected_total,
    external_id,
    sales_order_payload,
)
from ledgerlink.engine.problems import ProblemError
from ledgerlink.records.customer import Address, Customer
from ledgerlink.records.order import Order

MAPPING = OrderMapping(
    subsidiary="1",
    location="2",
    ship_item="10",
    discount_item="11",
    tax_item="12",
    fee_item="13",
    payment_methods={"stripe": "5"},
)


def payload_for(order: Order) -> dict[str, object]:
    items = {line.sku: str(100 + n) for n, line in enumerate(order.lines) if line.sku}
    return sales_order_payload(
        order,
        external="woo-order-42",
        customer_id="7",
        item_ids=items,  # type: ignore[arg-type]
        currency_id="1",
        mapping=MAPPING,
        channel="woo",
    )


cents = st.integers(min_value=0, max_value=500_00).map(lambda c: Decimal(c) / 100)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B", "C", "D"]), st.integers(1, 9), cents, cents, cents),
        min_size=1,
        max_size=6,
        unique_by=lambda t: t[0],
    ),
    cents,
    cents,
)
def test_payload_total_equals_the_store_total(lines: list, shipping: Decimal, fee: Decimal) -> None:  # type: ignore[type-arg]
    order = make_order(lines, shipping, fee)
    assert order.computed_total().amount == order.total.amount
    assert expected_total(payload_for(order)) == order.total.amount


def test_payload_shape() -> None:
    order = make_order(
        [("A", 2, Decimal("10.50"), Decimal("1.00"), Decimal("1.60"))], Decimal("5"), Decimal("0")
    )
    payload = payload_for(order)
    assert payload["externalId"] == "woo-order-42"
    assert payload["entity"] == {"id": "7"}
    assert payload["shipMethod"] == {"id": "10"} and payload["shippingCost"] == Decimal("5.00")
    lines = payload["item"]["items"]  # type: ignore[index]
    assert lines[0] == {
        "item": {"id": "100"},
        "quantity": Decimal("2"),
        "rate": Decimal("10.50"),
        "amount": Decimal("21.00"),
        "description": "Product A",
        "location": {"id": "2"},
    }
    assert lines[1]["item"] == {"id": "11"} and lines[1]["amount"] == Decimal("-1.00")
    assert lines[2]["item"] == {"id": "12"} and lines[2]["amount"] == Decimal("1.60")
    assert payload["tranDate"] == "2026-11-20"


def test_a_missing_discount_item_is_a_mapping_problem() -> None:
    order = make_order([("A", 1, Decimal("10"), Decimal("2"), Decimal("0"))], Decimal("0"), Decimal("0"))
    with pytest.raises(ProblemError) as caught:
        sales_order_payload(
            order,
            external="x",
            customer_id="7",
            item_ids={"A": "1"},
            currency_id="1",
            mapping=OrderMapping(),
            channel="woo",
        )
    assert caught.value.problem.code == "MAPPING_MISSING"
    assert "discount_item" in caught.value.problem.fix


def test_external_ids_use_only_characters_netsuite_allows() -> None:
    assert external_id("eu store", "order", "100:23") == "eu_store-order-100_23"


def test_guests_get_a_stable_key_from_their_email() -> None:
    a = Customer(source_id=None, email="Jane@Example.com ")
    b = Customer(source_id=None, email="jane@example.com")
    assert customer_key(a) == customer_key(b) and customer_key(a).startswith("guest_")
    assert customer_key(Customer(source_id="9", email="x@y.z")) == "9"


def test_customer_payload_for_a_person_and_a_company() -> None:
    person = Customer(
        source_id="9",
        email="jane@example.com",
        first_name="Jane",
        last_name="Doe",
        billing=Address(line1="1 Main St", city="Springfield", country="us", postcode="12345"),
    )
    body = customer_payload(person, external="woo-customer-9", mapping=MAPPING, currency_id="1")
    assert body["isPerson"] is True and body["firstName"] == "Jane"
    assert body["addressBook"]["items"][0]["addressBookAddress"]["country"] == {"id": "US"}  # type: ignore[index]
    company = Customer(source_id="10", email="ap@acme.test", company="Acme")
    assert customer_payload(company, external="c", mapping=MAPPING, currency_id="1")["companyName"] == "Acme"
    with pytest.raises(ProblemError, match="CUSTOMER_INCOMPLETE"):
        customer_payload(Customer(source_id="11", email=""), external="c", mapping=MAPPING, currency_id="1")


def test_the_payment_goes_in_payment_option_the_field_the_sales_order_has() -> None:
    from ledgerlink.records.order import Payment

    order = make_order([("A", 1, Decimal("10"), Decimal("0"), Decimal("0"))], Decimal("0"), Decimal("0"))
    payload = payload_for(order.model_copy(update={"payment": Payment(method="stripe")}))
    assert payload["paymentOption"] == {"id": "5"}
    assert "paymentMethod" not in payload
