"""The canonical customer and address."""

from __future__ import annotations

from pydantic import BaseModel


class Address(BaseModel):
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str = ""  # ISO 3166-1 alpha-2
    phone: str = ""

    @property
    def addressee(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.company

    def is_empty(self) -> bool:
        return not (self.line1 or self.city or self.postcode)


class Customer(BaseModel):
    """A buyer as the storefront knows it. ``source_id`` is None for guest checkouts."""

    source_id: str | None
    email: str
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    phone: str = ""
    billing: Address | None = None
    shipping: Address | None = None

    @property
    def is_guest(self) -> bool:
        return self.source_id is None

    @property
    def is_company(self) -> bool:
        return bool(self.company) and not (self.first_name or self.last_name)
