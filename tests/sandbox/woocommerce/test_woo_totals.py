"""Order totals under random carts: the invariants hold for any lines, coupons, fees and shipping."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledgerlink.sandbox.woocommerce import catalog, orders
from ledgerlink.sandbox.woocommerce.formats import utcnow
from ledgerlink.sandbox.woocommerce.settings import WooSandboxSettings
from ledgerlink.sandbox.woocommerce.state import StateStore

prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2)
carts = st.fixed_dictionaries(
    {
        "lines": st.lists(st.tuples(prices, st.integers(1, 7), st.booleans()), min_size=1, max_size=5),
        "coupons": st.lists(
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2), max_size=2
        ),
        "shipping": st.one_of(
            st.none(), st.decimals(min_value=Decimal("0"), max_value=Decimal("50"), places=2)
        ),
        "fee": st.one_of(st.none(), st.decimals(min_value=Decimal("-20"), max_value=Decimal("20"), places=2)),
        "country": st.sampled_from(["US", "GB", ""]),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cart=carts)
def test_random_carts_keep_totals_consistent(
    tmp_path: Path, cart: dict[str, Any], check_order_consistency: Callable[[dict[str, Any]], None]
) -> None:
    store = StateStore(tmp_path / "totals.sqlite")
    config = WooSandboxSettings()
    with store.transaction() as tx:
        line_items = []
        for price, quantity, taxable in cart["lines"]:
            product, _ = catalog.create(
                tx,
                {"name": "p", "regular_price": str(price), "tax_status": "taxable" if taxable else "none"},
                config,
                utcnow(),
            )
            line_items.append({"product_id": product["id"], "quantity": quantity})
        payload: dict[str, Any] = {
            "line_items": line_items,
            "billing": {"country": cart["country"], "state": "TX"},
            "coupon_lines": [{"code": f"c{i}", "discount": str(a)} for i, a in enumerate(cart["coupons"])],
        }
        if cart["shipping"] is not None:
            payload["shipping_lines"] = [{"method_id": "flat_rate", "total": str(cart["shipping"])}]
        if cart["fee"] is not None:
            payload["fee_lines"] = [{"name": "fee", "total": str(cart["fee"])}]
        order, _ = orders.create(tx, payload, config, utcnow())

    check_order_consistency(order)
    for (price, quantity, _), line in zip(cart["lines"], order["line_items"], strict=True):
        assert Decimal(line["subtotal"]) == price * quantity
        assert Decimal(0) <= Decimal(line["total"]) <= Decimal(line["subtotal"])
    cart_value = sum((price * quantity for price, quantity, _ in cart["lines"]), Decimal(0))
    assert Decimal(order["discount_total"]) == min(cart_value, sum(cart["coupons"], Decimal(0)))
    if cart["country"] != "US":
        assert order["total_tax"] == "0.00" and order["tax_lines"] == []
