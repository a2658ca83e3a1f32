"""Order arithmetic: discounts, taxes and totals computed the way WooCommerce's calculate_totals does.

Everything is Decimal and rounded half up to the cent per line, so the invariants a connector
relies on hold exactly: line subtotal = price x quantity, line total = subtotal - its share of the
coupons, discount_total = sum (subtotal - total), cart_tax = sum  line and fee taxes, total_tax =
cart_tax + shipping_tax, total = sum  line totals + sum  fee totals + shipping_total + total_tax.

Coupons are fixed-cart discounts: the amount is spread over the lines in proportion to their
current totals, cent remainders going to the first lines that can still take them, as
WC_Discounts::apply_coupon_fixed_cart does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from ledgerlink.records.money import CENT
from ledgerlink.sandbox.woocommerce.formats import cents
from ledgerlink.sandbox.woocommerce.settings import TaxRate

ZERO = Decimal("0.00")


@dataclass
class LineCalc:
    subtotal: Decimal
    taxable: bool = True
    manual_discount: Decimal = ZERO  # subtotal - total the client posted for the line itself
    total: Decimal = ZERO
    subtotal_taxes: dict[int, Decimal] = field(default_factory=dict)
    total_taxes: dict[int, Decimal] = field(default_factory=dict)

    @property
    def subtotal_tax(self) -> Decimal:
        return sum(self.subtotal_taxes.values(), ZERO)

    @property
    def total_tax(self) -> Decimal:
        return sum(self.total_taxes.values(), ZERO)


@dataclass
class ChargeCalc:
    """A fee or shipping line: a total and the taxes on it."""

    total: Decimal
    taxable: bool = True
    taxes: dict[int, Decimal] = field(default_factory=dict)

    @property
    def total_tax(self) -> Decimal:
        return sum(self.taxes.values(), ZERO)


@dataclass
class CouponCalc:
    code: str
    amount: Decimal
    discount: Decimal = ZERO
    discount_tax: Decimal = ZERO


@dataclass
class TaxLineCalc:
    rate: TaxRate
    tax_total: Decimal = ZERO
    shipping_tax_total: Decimal = ZERO


@dataclass
class OrderCalc:
    lines: list[LineCalc]
    fees: list[ChargeCalc]
    shipping: list[ChargeCalc]
    coupons: list[CouponCalc]
    tax_lines: list[TaxLineCalc] = field(default_factory=list)
    discount_total: Decimal = ZERO
    discount_tax: Decimal = ZERO
    shipping_total: Decimal = ZERO
    shipping_tax: Decimal = ZERO
    cart_tax: Decimal = ZERO
    total_tax: Decimal = ZERO
    total: Decimal = ZERO


def matching_rates(rates: list[TaxRate], country: str, state: str) -> list[TaxRate]:
    """The rates that apply to a taxable address (country/state blank in a rate matches all)."""
    country, state = country.upper(), state.upper()
    if not country:
        return []
    return [
        rate for rate in rates if rate.country.upper() in ("", country) and rate.state.upper() in ("", state)
    ]


def _tax(base: Decimal, rate: TaxRate) -> Decimal:
    return cents(base * rate.rate / Decimal(100))


def _allocate(amount: Decimal, lines: list[LineCalc]) -> list[Decimal]:
    """Split a fixed discount over lines in proportion to their totals, whole cents only."""
    capacity = [line.total for line in lines]
    basis = sum(capacity, ZERO)
    amount = min(cents(amount), basis)
    if amount <= 0 or basis <= 0:
        return [ZERO for _ in lines]
    shares = [(amount * cap / basis).quantize(CENT, rounding=ROUND_DOWN) for cap in capacity]
    remainder = amount - sum(shares, ZERO)
    index = 0
    while remainder > 0 and index < len(lines) * 100:
        position = index % len(lines)
        if capacity[position] - shares[position] >= CENT:
            shares[position] += CENT
            remainder -= CENT
        index += 1
    return shares


def calculate(order: OrderCalc, rates: list[TaxRate]) -> OrderCalc:
    """Fill every computed amount of `order` in place (and return it)."""
    for line in order.lines:
        line.subtotal = cents(line.subtotal)
        line.total = line.subtotal - min(max(cents(line.manual_discount), ZERO), line.subtotal)
    for coupon in order.coupons:
        before = [line.total for line in order.lines]
        shares = _allocate(coupon.amount, order.lines)
        for line, share in zip(order.lines, shares, strict=True):
            line.total -= share
        coupon.discount = sum(shares, ZERO)
        coupon.discount_tax = ZERO
        for line, was in zip(order.lines, before, strict=True):
            if line.taxable and was != line.total:
                coupon.discount_tax += sum((_tax(was, r) - _tax(line.total, r) for r in rates), ZERO)

    tax_lines = {rate.id: TaxLineCalc(rate) for rate in rates}
    for line in order.lines:
        line.subtotal_taxes = {r.id: _tax(line.subtotal, r) for r in rates} if line.taxable else {}
        line.total_taxes = {r.id: _tax(line.total, r) for r in rates} if line.taxable else {}
        for rate_id, amount in line.total_taxes.items():
            tax_lines[rate_id].tax_total += amount
    for fee in order.fees:
        fee.total = cents(fee.total)
        fee.taxes = {r.id: _tax(fee.total, r) for r in rates} if fee.taxable and fee.total > 0 else {}
        for rate_id, amount in fee.taxes.items():
            tax_lines[rate_id].tax_total += amount
    for ship in order.shipping:
        ship.total = cents(ship.total)
        ship.taxes = {r.id: _tax(ship.total, r) for r in rates if r.shipping} if ship.taxable else {}
        for rate_id, amount in ship.taxes.items():
            tax_lines[rate_id].shipping_tax_total += amount

    order.tax_lines = [t for t in tax_lines.values() if t.tax_total or t.shipping_tax_total]
    order.discount_total = sum((line.subtotal - line.total for line in order.lines), ZERO)
    order.discount_tax = sum((line.subtotal_tax - line.total_tax for line in order.lines), ZERO)
    order.shipping_total = sum((ship.total for ship in order.shipping), ZERO)
    order.shipping_tax = sum((ship.total_tax for ship in order.shipping), ZERO)
    order.cart_tax = sum((line.total_tax for line in order.lines), ZERO) + sum(
        (fee.total_tax for fee in order.fees), ZERO
    )
    order.total_tax = order.cart_tax + order.shipping_tax
    grand = (
        sum((line.total for line in order.lines), ZERO)
        + sum((fee.total for fee in order.fees), ZERO)
        + order.shipping_total
        + order.total_tax
    )
    order.total = max(grand, ZERO)
    return order
