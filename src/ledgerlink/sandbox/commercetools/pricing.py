"""Order money as commercetools computes it with the Platform tax mode, to the cent.

Each line's ``totalPrice`` is its discounted unit price times the quantity, gross when the tax rate is
included in the price and net otherwise; the line's ``taxedPrice`` holds both, the tax being rounded
half-even per line (commercetools' default ``taxRoundingMode``). The order's ``totalPrice`` adds up the
lines, custom lines and shipping in the same basis; its ``taxedPrice`` adds up their net and gross
amounts, with one tax portion per rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from ledgerlink.sandbox.commercetools.state import new_id


def money(cents: int, currency: str) -> dict[str, Any]:
    return {"type": "centPrecision", "currencyCode": currency, "centAmount": int(cents), "fractionDigits": 2}


@dataclass(frozen=True)
class Tax:
    rate: Decimal  # 0.19 for 19 %
    name: str
    country: str
    included: bool

    def split(self, cents: int) -> tuple[int, int]:
        """(net, tax) of an amount that is gross when the rate is included, else net."""
        if self.included:
            net = int((Decimal(cents) / (1 + self.rate)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
            return net, cents - net
        return cents, int((Decimal(cents) * self.rate).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))

    def json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "amount": float(self.rate),
            "includedInPrice": self.included,
            "country": self.country,
            "id": f"tax-{self.country.lower()}-{int(self.rate * 100)}",
            "subRates": [],
        }


@dataclass
class Totals:
    """Running sums of one order: the basis amount (``totalPrice``), net, gross and tax per rate."""

    currency: str
    price: int = 0
    net: int = 0
    gross: int = 0
    portions: dict[tuple[Decimal, str], int] = field(default_factory=dict)

    def add(self, basis: int, tax: Tax | None) -> dict[str, Any] | None:
        """Add one priced item; answer its ``taxedPrice`` (None without a tax rate)."""
        self.price += basis
        if tax is None:
            self.net += basis
            self.gross += basis
            return None
        net, amount = tax.split(basis)
        self.net += net
        self.gross += net + amount
        key = (tax.rate, tax.name)
        self.portions[key] = self.portions.get(key, 0) + amount
        return {
            "totalNet": money(net, self.currency),
            "totalGross": money(net + amount, self.currency),
            "totalTax": money(amount, self.currency),
            "taxPortions": [
                {"rate": float(tax.rate), "amount": money(amount, self.currency), "name": tax.name}
            ],
        }

    def taxed_price(self) -> dict[str, Any]:
        return {
            "totalNet": money(self.net, self.currency),
            "totalGross": money(self.gross, self.currency),
            "totalTax": money(self.gross - self.net, self.currency),
            "taxPortions": [
                {"rate": float(rate), "amount": money(amount, self.currency), "name": name}
                for (rate, name), amount in self.portions.items()
            ],
        }


def line_item(
    totals: Totals,
    *,
    product: dict[str, Any],
    quantity: int,
    unit_cents: int,
    tax: Tax | None,
    discount_cents: int = 0,
    cart_discount_id: str | None = None,
    initial_state_id: str = "initial",
) -> dict[str, Any]:
    """A line item of ``product`` (a product document), priced and added to ``totals``."""
    currency = totals.currency
    variant = product["masterData"]["current"]["masterVariant"]
    unit = unit_cents - discount_cents
    taxed = totals.add(unit * quantity, tax)
    line: dict[str, Any] = {
        "id": new_id(),
        "productId": product["id"],
        "productKey": product.get("key"),
        "name": product["masterData"]["current"]["name"],
        "productType": product["productType"],
        "productSlug": product["masterData"]["current"]["slug"],
        "variant": {"id": variant["id"], "sku": variant["sku"], "prices": [], "images": [], "attributes": []},
        "price": {"id": new_id(), "value": money(unit_cents, currency)},
        "quantity": quantity,
        "totalPrice": money(unit * quantity, currency),
        "discountedPricePerQuantity": [],
        "state": [{"quantity": quantity, "state": {"typeId": "state", "id": initial_state_id}}],
        "priceMode": "Platform",
        "lineItemMode": "Standard",
        "perMethodTaxRate": [],
        "taxedPricePortions": [],
    }
    if discount_cents:
        line["discountedPricePerQuantity"] = [
            {
                "quantity": quantity,
                "discountedPrice": {
                    "value": money(unit, currency),
                    "includedDiscounts": [
                        {
                            "discount": {"typeId": "cart-discount", "id": cart_discount_id or new_id()},
                            "discountedAmount": money(discount_cents, currency),
                        }
                    ],
                },
            }
        ]
    if tax is not None:
        line["taxRate"] = tax.json()
        line["taxedPrice"] = taxed
    return line


def custom_line_item(totals: Totals, *, name: str, slug: str, cents: int, tax: Tax | None) -> dict[str, Any]:
    """A custom line item (a surcharge, gift wrapping) of quantity one."""
    currency = totals.currency
    taxed = totals.add(cents, tax)
    item: dict[str, Any] = {
        "id": new_id(),
        "name": {"en": name},
        "money": money(cents, currency),
        "slug": slug,
        "quantity": 1,
        "totalPrice": money(cents, currency),
        "discountedPricePerQuantity": [],
        "state": [{"quantity": 1, "state": {"typeId": "state", "id": "initial"}}],
        "perMethodTaxRate": [],
        "priceMode": "Standard",
        "taxedPricePortions": [],
    }
    if tax is not None:
        item["taxRate"] = tax.json()
        item["taxedPrice"] = taxed
    return item


def shipping_info(
    totals: Totals, *, name: str, cents: int, tax: Tax | None, method_id: str
) -> dict[str, Any]:
    currency = totals.currency
    taxed = totals.add(cents, tax)
    info: dict[str, Any] = {
        "shippingMethodName": name,
        "price": money(cents, currency),
        "shippingRate": {"price": money(cents, currency), "tiers": []},
        "shippingMethod": {"typeId": "shipping-method", "id": method_id},
        "shippingMethodState": "MatchesCart",
        "deliveries": [],
    }
    if tax is not None:
        info["taxRate"] = tax.json()
        info["taxedPrice"] = taxed
    return info
