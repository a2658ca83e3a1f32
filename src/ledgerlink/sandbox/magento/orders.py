"""Order documents as Magento's ``GET /V1/orders/{id}`` returns them, with totals Magento would compute.

Totals follow Magento's default tax settings (catalogue prices without tax, tax after discount): per
item the stored ``row_total = price x qty`` (the API prints it net of discount, see ``render``), the
item discount is positive, the item tax is charged on the row less its discount; the order's
``discount_amount`` is the negative sum of item discounts, ``tax_amount`` the item taxes plus the
shipping tax, and ``grand_total = subtotal + shipping_amount + tax_amount +
discount_amount``. The website base currency equals the order currency here, so every ``base_*`` field
carries the same figure. A configurable product is a priced parent item plus an unpriced child item
pointing at it with ``parent_item_id`` (and carrying a copy of it in ``parent_item``), as Magento stores it.

What the real store sends besides the totals, shaped as Adobe's admin schema
(``shared/specs/magento/admin-schema-2.4.7.yaml``) defines it: ``applied_rule_ids`` on the order and on
discounted items (the sales rule behind each coupon), ``quote_item_id`` on items,
``product_option.extension_attributes.configurable_item_options`` on configurable lines
(``catalog-data-product-option-extension-interface``), and in ``extension_attributes``
(``sales-data-order-extension-interface``): ``taxes`` (the ``sales_order_tax`` rows,
``tax-data-order-tax-interface``), ``applied_taxes`` with ``converting_from_quote``, and
``item_applied_taxes`` (``tax-data-order-tax-details-item-interface``: one per taxed item, one for
shipping), as magento/magento2 ``Sales/Model/OrderRepository::setOrderTaxDetails`` fills them, and
``payment_additional_info`` (``payment-data-payment-additional-info-interface``: the payment's additional
information as key/value pairs, ``OrderRepository::setPaymentAdditionalInfo``). A new order has no
``*_invoiced``, ``*_refunded``, ``*_canceled`` or ``total_paid`` figures (nullable columns without default,
left out of the answer) until ``actions.py`` records an invoice, credit memo or cancellation; its
``status_histories`` holds the entry ``Order/Payment::updateOrder`` writes when the order is placed: the
customer's note as comment (``null`` without one), the new status, the buyer notified.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ledgerlink.sandbox.magento.settings import MagentoSandboxSettings
from ledgerlink.sandbox.magento.state import Transaction

CENT = Decimal("0.01")
ORDER = "order"
SALES_RULE = "salesrule"
TAX_RATE = "US-*-Rate 1"
STATE_STATUS = {
    "new": "pending",
    "pending_payment": "pending_payment",
    "processing": "processing",
    "complete": "complete",
    "closed": "closed",
    "canceled": "canceled",
    "holded": "holded",
    "payment_review": "payment_review",
}
# The columns of the sales_order table (magento/magento2 app/code/Magento/Sales/etc/db_schema.xml), plus
# the two Open Source modules add (Magento_GiftMessage: gift_message_id; Magento_Paypal:
# paypal_ipn_customer_notified): the fields an order search may filter and sort on.
ORDER_COLUMNS = frozenset(
    """
    entity_id state status coupon_code protect_code shipping_description is_virtual store_id customer_id
    base_discount_amount base_discount_canceled base_discount_invoiced base_discount_refunded
    base_grand_total base_shipping_amount base_shipping_canceled base_shipping_invoiced
    base_shipping_refunded base_shipping_tax_amount base_shipping_tax_refunded base_subtotal
    base_subtotal_canceled base_subtotal_invoiced base_subtotal_refunded base_tax_amount base_tax_canceled
    base_tax_invoiced base_tax_refunded base_to_global_rate base_to_order_rate base_total_canceled
    base_total_invoiced base_total_invoiced_cost base_total_offline_refunded base_total_online_refunded
    base_total_paid base_total_qty_ordered base_total_refunded discount_amount discount_canceled
    discount_invoiced discount_refunded grand_total shipping_amount shipping_canceled shipping_invoiced
    shipping_refunded shipping_tax_amount shipping_tax_refunded store_to_base_rate store_to_order_rate
    subtotal subtotal_canceled subtotal_invoiced subtotal_refunded tax_amount tax_canceled tax_invoiced
    tax_refunded total_canceled total_invoiced total_offline_refunded total_online_refunded total_paid
    total_qty_ordered total_refunded can_ship_partially can_ship_partially_item customer_is_guest
    customer_note_notify billing_address_id customer_group_id edit_increment email_sent send_email
    forced_shipment_with_invoice payment_auth_expiration quote_address_id quote_id shipping_address_id
    adjustment_negative adjustment_positive base_adjustment_negative base_adjustment_positive
    base_shipping_discount_amount base_subtotal_incl_tax base_total_due payment_authorization_amount
    shipping_discount_amount subtotal_incl_tax total_due weight customer_dob increment_id applied_rule_ids
    base_currency_code customer_email customer_firstname customer_lastname customer_middlename
    customer_prefix customer_suffix customer_taxvat discount_description ext_customer_id ext_order_id
    global_currency_code hold_before_state hold_before_status order_currency_code original_increment_id
    relation_child_id relation_child_real_id relation_parent_id relation_parent_real_id remote_ip
    shipping_method store_currency_code store_name x_forwarded_for customer_note created_at updated_at
    total_item_count customer_gender discount_tax_compensation_amount
    base_discount_tax_compensation_amount shipping_discount_tax_compensation_amount
    base_shipping_discount_tax_compensation_amnt discount_tax_compensation_invoiced
    base_discount_tax_compensation_invoiced discount_tax_compensation_refunded
    base_discount_tax_compensation_refunded shipping_incl_tax base_shipping_incl_tax coupon_rule_name
    gift_message_id paypal_ipn_customer_notified
    """.split()
)
STATUS_LABELS = {
    "pending": "Pending",
    "pending_payment": "Pending Payment",
    "processing": "Processing",
    "complete": "Complete",
    "closed": "Closed",
    "canceled": "Canceled",
    "holded": "On Hold",
    "payment_review": "Payment Review",
}


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def num(value: Decimal) -> float:
    """A JSON number as Magento prints it (two places are exact in a double for these magnitudes)."""
    return float(cents(value))


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Pick:
    """One product in the cart: a simple product, or a configurable parent with its chosen child."""

    sku: str
    name: str
    price: Decimal
    qty: int
    product_id: int
    parent_sku: str | None = None  # set for a configurable product's child
    parent_name: str = ""
    parent_product_id: int = 0
    options: tuple[tuple[str, int], ...] = ()  # a configurable's (attribute id, value index) choices


@dataclass(frozen=True)
class Buyer:
    email: str
    firstname: str
    lastname: str
    address: dict[str, Any]
    customer_id: int | None = None  # None for a guest checkout
    group_id: int = 1


def order_address(buyer: Buyer, kind: str, entity_id: int, order_id: int) -> dict[str, Any]:
    return {
        **buyer.address,
        "address_type": kind,
        "email": buyer.email,
        "firstname": buyer.firstname,
        "lastname": buyer.lastname,
        "entity_id": entity_id,
        "parent_id": order_id,
        # No customer_id on order addresses, even for a registered buyer (Magento 2.4.7-p3, issue 21).
    }


def sales_rule(tx: Transaction, coupon: str) -> int:
    """The id of the cart price rule behind a coupon code: one rule per code, made on first use."""
    rule = tx.get(SALES_RULE, coupon)
    if rule is None:
        rule = {"rule_id": tx.next_id(SALES_RULE), "code": coupon}
        tx.put(SALES_RULE, coupon, rule)
    return int(rule["rule_id"])


def _item(
    tx: Transaction, order_id: int, pick: Pick, discount_rule: tuple[Decimal, str], tax: Decimal, when: str
) -> tuple[list[dict[str, Any]], Decimal, Decimal, Decimal]:
    """The order items for one pick and its (row_total, discount, tax); ``discount_rule`` is the percent
    off and the applied rule ids ("" without a rule)."""
    percent, rules = discount_rule
    row = cents(pick.price * pick.qty)
    discount = cents(row * percent / 100)
    item_tax = cents((row - discount) * tax / 100)
    qty = float(pick.qty)
    priced: dict[str, Any] = {
        "item_id": tx.next_id("order_item"),
        "quote_item_id": tx.next_id("quote_item"),
        "order_id": order_id,
        "created_at": when,
        "updated_at": when,
        "product_id": pick.parent_product_id if pick.parent_sku else pick.product_id,
        "product_type": "configurable" if pick.parent_sku else "simple",
        "sku": pick.sku,
        "name": pick.parent_name if pick.parent_sku else pick.name,
        "store_id": 1,
        "is_virtual": 0,
        "is_qty_decimal": 0,
        "no_discount": 0,
        "qty_ordered": qty,
        "qty_invoiced": 0.0,
        "qty_shipped": 0.0,
        "qty_refunded": 0.0,
        "qty_canceled": 0.0,
        "price": num(pick.price),
        "base_price": num(pick.price),
        "original_price": num(pick.price),
        "base_original_price": num(pick.price),
        "price_incl_tax": num(pick.price * (1 + tax / 100)),
        "base_price_incl_tax": num(pick.price * (1 + tax / 100)),
        "row_total": num(row),
        "base_row_total": num(row),
        "row_total_incl_tax": num(row + item_tax),
        "base_row_total_incl_tax": num(row + item_tax),
        "row_invoiced": 0.0,
        "base_row_invoiced": 0.0,
        "discount_percent": num(percent),
        "discount_amount": num(discount),
        "base_discount_amount": num(discount),
        "discount_invoiced": 0.0,
        "tax_percent": num(tax),
        "tax_amount": num(item_tax),
        "base_tax_amount": num(item_tax),
        "tax_invoiced": 0.0,
        "discount_tax_compensation_amount": 0.0,
        "amount_refunded": 0.0,
        "base_amount_refunded": 0.0,
        "weight": 1.0,
        "row_weight": qty,
        "free_shipping": 0,
    }
    if discount and rules:
        priced["applied_rule_ids"] = rules
    if pick.options:
        choices = [{"option_id": attribute, "option_value": value} for attribute, value in pick.options]
        priced["product_option"] = {"extension_attributes": {"configurable_item_options": choices}}
    items = [priced]
    if pick.parent_sku:
        own = ("applied_rule_ids", "product_option")
        child = {
            **{
                k: v
                for k, v in priced.items()
                if (not isinstance(v, float) or k.startswith("qty_")) and k not in own
            },
            "item_id": tx.next_id("order_item"),
            "quote_item_id": tx.next_id("quote_item"),
            "product_id": pick.product_id,
            "product_type": "simple",
            "name": pick.name,
            "parent_item_id": priced["item_id"],
            "price": 0.0,
            "base_price": 0.0,
            "original_price": 0.0,
            "row_total": 0.0,
            "base_row_total": 0.0,
            "tax_amount": 0.0,
            "base_tax_amount": 0.0,
            "discount_amount": 0.0,
            "base_discount_amount": 0.0,
            "parent_item": dict(priced),
        }
        items.append(child)
    return items, row, discount, item_tax


def build_order(
    tx: Transaction,
    settings: MagentoSandboxSettings,
    picks: list[Pick],
    buyer: Buyer,
    *,
    currency: str,
    coupon: tuple[str, Decimal] | None = None,
    state: str = "processing",
    payment_method: tuple[str, str] = ("checkmo", "Check / Money order"),
    when: str | None = None,
    store_code: str = "default",
) -> dict[str, Any]:
    """A new order document, saved in the state file; ``coupon`` is (code, percent off)."""
    when = when or now_text()
    order_id = tx.next_id("order")
    percent = coupon[1] if coupon else Decimal("0")
    rules = str(sales_rule(tx, coupon[0])) if coupon else ""
    tax = settings.tax_percent
    items: list[dict[str, Any]] = []
    subtotal = discount = item_tax = Decimal("0")
    item_taxes: list[tuple[int, Decimal]] = []
    for pick in picks:
        made, row, off, charged = _item(tx, order_id, pick, (percent, rules), tax, when)
        items += made
        item_taxes.append((int(made[0]["item_id"]), charged))
        subtotal, discount, item_tax = subtotal + row, discount + off, item_tax + charged
    qty = sum(p.qty for p in picks)
    shipping = cents(settings.flat_rate_per_item * qty)
    shipping_tax = cents(shipping * tax / 100) if settings.tax_shipping else Decimal("0")
    tax_total = item_tax + shipping_tax
    grand = subtotal + shipping + tax_total - discount
    billing = order_address(buyer, "billing", tx.next_id("order_address"), order_id)
    shipping_address = order_address(buyer, "shipping", tx.next_id("order_address"), order_id)
    guest = buyer.customer_id is None
    increment = f"{tx.next_id('increment'):09d}"
    order: dict[str, Any] = {
        "entity_id": order_id,
        "increment_id": increment,
        "state": state,
        "status": STATE_STATUS[state],
        "store_id": 1,
        "store_name": f"Main Website\nMain Website Store\n{store_code.title()} Store View",
        "created_at": when,
        "updated_at": when,
        "customer_email": buyer.email,
        "customer_firstname": buyer.firstname,
        "customer_lastname": buyer.lastname,
        "customer_is_guest": int(guest),
        "customer_group_id": 0 if guest else buyer.group_id,
        "customer_note_notify": 1,
        "order_currency_code": currency,
        "base_currency_code": currency,
        "global_currency_code": currency,
        "store_currency_code": currency,
        "base_to_global_rate": 1.0,
        "base_to_order_rate": 1.0,
        "store_to_base_rate": 0.0,
        "store_to_order_rate": 0.0,
        "subtotal": num(subtotal),
        "base_subtotal": num(subtotal),
        "subtotal_incl_tax": num(subtotal + item_tax),
        "base_subtotal_incl_tax": num(subtotal + item_tax),
        "discount_amount": num(-discount),
        "base_discount_amount": num(-discount),
        "shipping_amount": num(shipping),
        "base_shipping_amount": num(shipping),
        "shipping_tax_amount": num(shipping_tax),
        "base_shipping_tax_amount": num(shipping_tax),
        "shipping_incl_tax": num(shipping + shipping_tax),
        "base_shipping_incl_tax": num(shipping + shipping_tax),
        "shipping_discount_amount": 0.0,
        "base_shipping_discount_amount": 0.0,
        "shipping_description": "Flat Rate - Fixed",
        "tax_amount": num(tax_total),
        "base_tax_amount": num(tax_total),
        "discount_tax_compensation_amount": 0.0,
        "base_discount_tax_compensation_amount": 0.0,
        "grand_total": num(grand),
        "base_grand_total": num(grand),
        "total_due": num(grand),
        "base_total_due": num(grand),
        "total_qty_ordered": float(qty),
        "total_item_count": len(picks),
        "weight": float(qty),
        "is_virtual": 0,
        "email_sent": 1,
        "quote_id": order_id + 1000,
        "protect_code": f"{order_id:06x}protect",
        "remote_ip": "127.0.0.1",
        "items": items,
        "billing_address": billing,
        "billing_address_id": billing["entity_id"],
        "payment": {
            "entity_id": order_id,
            "parent_id": order_id,
            "method": payment_method[0],
            "account_status": None,
            "additional_information": [payment_method[1]],
            "cc_last4": None,
            "amount_ordered": num(grand),
            "base_amount_ordered": num(grand),
            "shipping_amount": num(shipping),
            "base_shipping_amount": num(shipping),
        },
        "status_histories": [
            {
                "entity_id": tx.next_id("history"),
                "parent_id": order_id,
                "comment": None,
                "created_at": when,
                "entity_name": "order",
                "is_customer_notified": 1,
                "is_visible_on_front": 0,
                "status": STATE_STATUS[state],
            }
        ],
        "extension_attributes": {
            "shipping_assignments": [
                {
                    "shipping": {
                        "address": shipping_address,
                        "method": "flatrate_flatrate",
                        "total": {
                            "shipping_amount": num(shipping),
                            "base_shipping_amount": num(shipping),
                            "shipping_tax_amount": num(shipping_tax),
                            "base_shipping_tax_amount": num(shipping_tax),
                            "shipping_incl_tax": num(shipping + shipping_tax),
                            "base_shipping_incl_tax": num(shipping + shipping_tax),
                            "shipping_discount_amount": 0.0,
                        },
                    },
                    "items": items,
                }
            ],
            **_tax_details(tx, order_id, tax, item_taxes, shipping_tax),
            "payment_additional_info": [{"key": "method_title", "value": payment_method[1]}],
        },
    }
    if coupon:
        order |= {"coupon_code": coupon[0], "discount_description": coupon[0], "applied_rule_ids": rules}
    if not guest:
        order["customer_id"] = buyer.customer_id
    save_order(tx, order)
    return order


def _applied(percent: Decimal, amount: Decimal) -> dict[str, Any]:
    return {
        "code": TAX_RATE,
        "title": TAX_RATE,
        "percent": num(percent),
        "amount": num(amount),
        "base_amount": num(amount),
    }


def _tax_details(
    tx: Transaction, order_id: int, percent: Decimal, item_taxes: list[tuple[int, Decimal]], shipping: Decimal
) -> dict[str, Any]:
    """The order's tax extension attributes: its ``sales_order_tax`` row, the rate applied to the order,
    and what each item and the shipping were charged (items without tax are not listed)."""
    total = sum((amount for _, amount in item_taxes), Decimal(0)) + shipping
    charged = [
        {"type": "product", "item_id": item_id, "applied_taxes": [_applied(percent, amount)]}
        for item_id, amount in item_taxes
        if amount
    ]
    if shipping:
        charged.append({"type": "shipping", "applied_taxes": [_applied(percent, shipping)]})
    row = {
        "tax_id": tx.next_id("order_tax"),
        "order_id": order_id,
        **_applied(percent, total),
        "base_real_amount": num(total),
        "priority": 0,
        "position": 0,
        "process": 0,
    }
    return {
        "taxes": [row] if total else [],
        "applied_taxes": [_applied(percent, total)] if total else [],
        **({"converting_from_quote": True} if total else {}),
        "item_applied_taxes": charged,
    }


def save_order(tx: Transaction, order: dict[str, Any]) -> None:
    """Store the order, keeping the shipping assignment's copy of the items in step with ``items``."""
    for assignment in order.get("extension_attributes", {}).get("shipping_assignments", []):
        assignment["items"] = order["items"]
    tx.put(ORDER, order["entity_id"], order)


def set_state(order: dict[str, Any], state: str, when: str | None = None) -> None:
    order["state"] = state
    order["status"] = STATE_STATUS[state]
    touch(order, when)


def touch(order: dict[str, Any], when: str | None = None) -> None:
    """Every change to an order moves ``updated_at``, which is what delta syncs filter on."""
    order["updated_at"] = when or now_text()


def _net_row(item: dict[str, Any]) -> dict[str, Any]:
    """One item as the REST output prints it: ``row_total``/``base_row_total`` net of the item's discount
    and ``row_total_incl_tax``/``base_row_total_incl_tax`` that net row plus its tax, each clamped at zero.

    Magento stores the row before discount but its web API output rewrites these four fields
    (magento/magento2 ``app/code/Magento/Sales/Model/Order/Webapi/ChangeOutputArray.php`` with
    ``Block/Adminhtml/Items/Column/DefaultColumn::getTotalAmount`` = row_total - discount_amount, wired
    for REST in ``module-sales/etc/webapi_rest/di.xml``); observed on Magento 2.4.7-p3, issue 21.
    """
    out = dict(item)
    for prefix in ("", "base_"):
        row = Decimal(str(item.get(f"{prefix}row_total") or 0))
        net = row - Decimal(str(item.get(f"{prefix}discount_amount") or 0))
        taxed = (
            net
            + Decimal(str(item.get(f"{prefix}tax_amount") or 0))
            + Decimal(str(item.get(f"{prefix}discount_tax_compensation_amount") or 0))
        )
        out[f"{prefix}row_total"] = num(max(net, Decimal(0)))
        out[f"{prefix}row_total_incl_tax"] = num(max(taxed, Decimal(0)))
    if isinstance(item.get("parent_item"), dict):
        out["parent_item"] = _net_row(item["parent_item"])
    return out


def _json_numbers(value: Any) -> Any:
    """Whole numbers as JSON integers (``45``, not ``45.0``), as PHP's json_encode prints the store's
    decimals; observed on Magento 2.4.7-p3, issue 21."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _json_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_numbers(item) for item in value]
    return value


def render(order: dict[str, Any]) -> dict[str, Any]:
    """The document as the API prints it: null fields left out, as Magento's serializer does; items'
    rows net of discount (see ``_net_row``); a child item's ``parent_item`` as its parent is now (its
    quantities invoiced, shipped, refunded); whole numbers as integers."""
    out = {key: value for key, value in order.items() if value is not None}
    stored = order.get("items", [])
    by_id = {item["item_id"]: item for item in stored}
    current = [
        {**item, "parent_item": by_id[item["parent_item_id"]]}
        if item.get("parent_item_id") in by_id
        else item
        for item in stored
    ]
    items = [_net_row(item) for item in current]
    out["items"] = items
    extension = out.get("extension_attributes")
    if isinstance(extension, dict) and extension.get("shipping_assignments"):
        assignments = [{**a, "items": items} for a in extension["shipping_assignments"]]
        out["extension_attributes"] = {**extension, "shipping_assignments": assignments}
    return dict(_json_numbers(out))
