"""Customers, customer groups, websites and store views of the emulated store.

One website (``base``) with one store view per configured store code, plus the ``admin`` ones Magento
always lists. Customer e-mail addresses are unique per website, as with Magento's default account sharing.
"""

from __future__ import annotations

from typing import Any

from ledgerlink.sandbox.magento.errors import MagentoError, required
from ledgerlink.sandbox.magento.orders import now_text
from ledgerlink.sandbox.magento.state import Transaction

CUSTOMER = "customer"
GROUPS = [
    {"id": 0, "code": "NOT LOGGED IN", "tax_class_id": 3, "tax_class_name": "Retail Customer"},
    {"id": 1, "code": "General", "tax_class_id": 3, "tax_class_name": "Retail Customer"},
    {"id": 2, "code": "Wholesale", "tax_class_id": 3, "tax_class_name": "Retail Customer"},
    {"id": 3, "code": "Retailer", "tax_class_id": 3, "tax_class_name": "Retail Customer"},
]
WEBSITES = [
    {"id": 0, "code": "admin", "name": "Admin", "default_group_id": 0},
    {"id": 1, "code": "base", "name": "Main Website", "default_group_id": 1},
]
DUPLICATE_EMAIL = "A customer with the same email address already exists in an associated website."


def store_views(codes: list[str]) -> list[dict[str, Any]]:
    views = [
        {"id": 0, "code": "admin", "name": "Admin", "website_id": 0, "store_group_id": 0, "is_active": 1}
    ]
    for index, code in enumerate(codes, start=1):
        name = "Default Store View" if code == "default" else f"{code.title()} Store View"
        views.append(
            {"id": index, "code": code, "name": name, "website_id": 1, "store_group_id": 1, "is_active": 1}
        )
    return views


def _address(address: dict[str, Any], address_id: int, customer_id: int) -> dict[str, Any]:
    """A customer address as Magento keeps it: the region as an object, unlike order addresses."""
    region = address.get("region")
    if not isinstance(region, dict):
        region = {
            "region_code": str(address.get("region_code") or ""),
            "region": str(region or ""),
            "region_id": int(address.get("region_id") or 0),
        }
    flat = {k: v for k, v in address.items() if k not in ("region_code", "region")}
    return {**flat, "region": region, "id": address_id, "customer_id": customer_id}


def create_customer(tx: Transaction, body: Any) -> dict[str, Any]:
    data = body.get("customer") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise required("customer")
    for field in ("email", "firstname", "lastname"):
        if not data.get(field):
            raise required(field)
    email = str(data["email"]).strip()
    if any(c["email"].lower() == email.lower() for c in tx.all(CUSTOMER)):
        raise MagentoError(400, DUPLICATE_EMAIL)
    customer_id = tx.next_id("customer")
    when = now_text()
    addresses = [
        _address(address, tx.next_id("customer_address"), customer_id)
        for address in data.get("addresses") or []
        if isinstance(address, dict)
    ]
    customer: dict[str, Any] = {
        "id": customer_id,
        "group_id": int(data.get("group_id", 1)),
        "created_at": when,
        "updated_at": when,
        "created_in": "Default Store View",
        "email": email,
        "firstname": data["firstname"],
        "lastname": data["lastname"],
        "store_id": int(data.get("store_id", 1)),
        "website_id": int(data.get("website_id", 1)),
        "addresses": addresses,
        "disable_auto_group_change": 0,
        "extension_attributes": {"is_subscribed": False},
    }
    billing = next((a for a in addresses if a.get("default_billing")), addresses[0] if addresses else None)
    shipping = next((a for a in addresses if a.get("default_shipping")), billing)
    if billing:
        customer["default_billing"] = str(billing["id"])
    if shipping:
        customer["default_shipping"] = str(shipping["id"])
    tx.put(CUSTOMER, customer_id, customer)
    return customer
