"""The canonical order: what a storefront sold, with every amount in the order's currency.

Amounts are the store's own figures. ``Order.total`` is what the buyer paid; the flow proves the
NetSuite sales order adds up to the same figure, to the cent.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field, model_validator

from ledgerlink.records.customer import Address, Customer
from ledgerlink.records.money import Money


class OrderLine(BaseModel):
    source_line_id: str
    sku: str | None  # a product without a SKU cannot be matched to a NetSuite item
    name: str
    quantity: Decimal
    unit_price: Money  # before discounts
    subtotal: Money  # unit_price x quantity, before discounts
    discount: Money  # discount applied to this line
    tax: Money


class ShippingLine(BaseModel):
    method_id: str
    title: str
    amount: Money  # before tax
    tax: Money


class FeeLine(BaseModel):
    name: str
    amount: Money
    tax: Money


class Discount(BaseModel):
    code: str
    amount: Money


class Payment(BaseModel):
    method: str
    title: str = ""
    transaction_id: str = ""
    paid_at: datetime | None = None


class Order(BaseModel):
    """One store order. ``source`` names the connection; ``source_id`` is the store's own id."""

    source: str
    source_id: str
    store: str | None = None  # the platform's own store / store view / channel, where it has several
    number: str
    status: str
    currency: str
    created_at: datetime
    modified_at: datetime
    customer: Customer
    billing: Address | None = None
    shipping_address: Address | None = None
    lines: list[OrderLine]
    shipping: list[ShippingLine] = Field(default_factory=list)
    fees: list[FeeLine] = Field(default_factory=list)
    discounts: list[Discount] = Field(default_factory=list)
    discount_total: Money
    tax_total: Money
    total: Money
    payment: Payment | None = None
    note: str = ""
    prices_include_tax: bool = False

    @model_validator(mode="after")
    def _one_currency(self) -> Order:
        amounts = [self.total, self.tax_total, self.discount_total]
        for line in self.lines:
            amounts += [line.unit_price, line.subtotal, line.discount, line.tax]
        for ship in self.shipping:
            amounts += [ship.amount, ship.tax]
        for fee in self.fees:
            amounts += [fee.amount, fee.tax]
        wrong = {m.currency for m in amounts if m.currency != self.currency}
        if wrong:
            raise ValueError(f"order {self.source_id} mixes {sorted(wrong)} into a {self.currency} order")
        return self

    @property
    def skus(self) -> list[str]:
        return sorted({line.sku for line in self.lines if line.sku})

    def computed_total(self) -> Money:
        """Lines less discounts, plus shipping, fees and tax: must equal ``total``."""
        total = Money.zero(self.currency)
        for line in self.lines:
            total = total + line.subtotal - line.discount
        for ship in self.shipping:
            total = total + ship.amount
        for fee in self.fees:
            total = total + fee.amount
        return (total + self.tax_total).rounded()

    def total_discrepancy(self) -> Money:
        """``total`` less what the lines, shipping, fees and tax add up to: zero for consistent orders."""
        return Money.of(self.total.amount - self.computed_total().amount, self.currency).rounded()
