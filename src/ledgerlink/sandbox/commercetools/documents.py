"""New resource documents from commercetools drafts, shaped as the API returns them.

Only the fields a draft can carry here are filled in, with the defaults commercetools applies (for
example a new product is unpublished unless the draft says ``publish``, and a customer's addresses get
ids). The caller stamps ``createdAt``/``lastModifiedAt`` and version 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledgerlink.sandbox.commercetools.errors import CtApiError
from ledgerlink.sandbox.commercetools.pricing import money
from ledgerlink.sandbox.commercetools.state import Transaction, new_id


def required_field(field: str) -> CtApiError:
    return CtApiError(400, "RequiredField", f"Missing required value for field '{field}'.", field=field)


def _need(draft: dict[str, Any], field: str) -> Any:
    if draft.get(field) is None:
        raise required_field(field)
    return draft[field]


def typed_money(value: Any, field: str) -> dict[str, Any]:
    """A draft ``Money`` as ``centPrecision`` typed money; rejects what commercetools rejects."""
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("centAmount"), int)
        or isinstance(value.get("centAmount"), bool)
    ):
        raise CtApiError(400, "InvalidInput", f"Invalid money in field '{field}'.")
    currency = value.get("currencyCode")
    if not isinstance(currency, str) or len(currency) != 3:
        raise CtApiError(400, "InvalidInput", f"Invalid currency code in field '{field}'.")
    return money(value["centAmount"], currency.upper())


def reference(value: Any, type_id: str, tx: Transaction, kind: str) -> dict[str, Any]:
    """A ResourceIdentifier (id or key) resolved to a Reference; 400 ReferencedResourceNotFound otherwise."""
    if not isinstance(value, dict):
        raise CtApiError(400, "InvalidInput", f"Invalid reference to a {type_id}.")
    found = tx.get(kind, str(value["id"])) if value.get("id") else None
    if found is None and value.get("key"):
        found = tx.by_key(kind, str(value["key"]))
    if found is None:
        raise CtApiError(
            400,
            "ReferencedResourceNotFound",
            f"The referenced object of type '{type_id}' was not found.",
            typeId=type_id,
            **{k: value[k] for k in ("id", "key") if value.get(k)},
        )
    return {"typeId": type_id, "id": found["id"]}


def _variant(draft: dict[str, Any], number: int) -> dict[str, Any]:
    prices = [
        {"id": new_id(), "value": typed_money(p.get("value"), "prices.value")}
        for p in draft.get("prices") or []
    ]
    return {
        "id": number,
        "sku": draft.get("sku"),
        "key": draft.get("key"),
        "prices": prices,
        "images": [],
        "attributes": draft.get("attributes") or [],
        "assets": [],
    }


def product(draft: dict[str, Any], tx: Transaction) -> dict[str, Any]:
    product_type = draft.get("productType") or {"typeId": "product-type", "id": "default-product-type"}
    data = {
        "name": _need(draft, "name"),
        "slug": _need(draft, "slug"),
        "categories": [],
        "categoryOrderHints": {},
        "masterVariant": _variant(draft.get("masterVariant") or {}, 1),
        "variants": [_variant(v, n) for n, v in enumerate(draft.get("variants") or [], start=2)],
        "searchKeywords": {},
        "attributes": [],
    }
    published = bool(draft.get("publish"))
    return {
        "id": new_id(),
        "key": draft.get("key"),
        "productType": {
            "typeId": "product-type",
            "id": str(product_type.get("id") or product_type.get("key")),
        },
        "masterData": {"current": data, "staged": data, "published": published, "hasStagedChanges": False},
    }


def inventory_entry(draft: dict[str, Any], tx: Transaction) -> dict[str, Any]:
    quantity = int(_need(draft, "quantityOnStock"))
    entry: dict[str, Any] = {
        "id": new_id(),
        "sku": str(_need(draft, "sku")),
        "quantityOnStock": quantity,
        "availableQuantity": quantity,
    }
    if draft.get("key"):
        entry["key"] = draft["key"]
    if draft.get("supplyChannel"):
        entry["supplyChannel"] = reference(draft["supplyChannel"], "channel", tx, "channels")
    if draft.get("restockableInDays") is not None:
        entry["restockableInDays"] = draft["restockableInDays"]
    return entry


def transaction(draft: dict[str, Any], stamp: str) -> dict[str, Any]:
    kind = _need(draft, "type")
    if kind not in ("Authorization", "CancelAuthorization", "Charge", "Refund", "Chargeback"):
        raise CtApiError(400, "InvalidInput", f"Invalid transaction type '{kind}'.")
    state = draft.get("state") or "Initial"
    if state not in ("Initial", "Pending", "Success", "Failure"):
        raise CtApiError(400, "InvalidInput", f"Invalid transaction state '{state}'.")
    found = {
        "id": new_id(),
        "timestamp": draft.get("timestamp") or stamp,
        "type": kind,
        "amount": typed_money(draft.get("amount"), "transaction.amount"),
        "state": state,
    }
    if draft.get("interactionId"):
        found["interactionId"] = draft["interactionId"]
    return found


def payment(draft: dict[str, Any], tx: Transaction, stamp: str) -> dict[str, Any]:
    return {
        "id": new_id(),
        "key": draft.get("key"),
        "amountPlanned": typed_money(_need(draft, "amountPlanned"), "amountPlanned"),
        "paymentMethodInfo": draft.get("paymentMethodInfo") or {},
        "paymentStatus": draft.get("paymentStatus") or {},
        "transactions": [transaction(t, stamp) for t in draft.get("transactions") or []],
        "interfaceInteractions": [],
        **({"interfaceId": draft["interfaceId"]} if draft.get("interfaceId") else {}),
    }


def channel(draft: dict[str, Any], tx: Transaction) -> dict[str, Any]:
    return {
        "id": new_id(),
        "key": str(_need(draft, "key")),
        "roles": draft.get("roles") or ["InventorySupply"],
        **({"name": draft["name"]} if draft.get("name") else {}),
    }


def store(draft: dict[str, Any], tx: Transaction) -> dict[str, Any]:
    return {
        "id": new_id(),
        "key": str(_need(draft, "key")),
        "name": draft.get("name") or {},
        "languages": draft.get("languages") or [],
        "countries": draft.get("countries") or [],
        "distributionChannels": [
            reference(c, "channel", tx, "channels") for c in draft.get("distributionChannels") or []
        ],
        "supplyChannels": [
            reference(c, "channel", tx, "channels") for c in draft.get("supplyChannels") or []
        ],
        "productSelections": [],
    }


def customer(draft: dict[str, Any], tx: Transaction) -> dict[str, Any]:
    email = str(_need(draft, "email"))
    for existing in tx.all("customers"):
        if str(existing.get("email", "")).lower() == email.lower():
            raise CtApiError(
                400,
                "DuplicateField",
                "There is already an existing customer with the provided email.",
                field="email",
                duplicateValue=email,
            )
    addresses = [{**a, "id": a.get("id") or new_id()[:8]} for a in draft.get("addresses") or []]
    document = {
        "id": new_id(),
        "key": draft.get("key"),
        "customerNumber": draft.get("customerNumber"),
        "email": email,
        "firstName": draft.get("firstName"),
        "lastName": draft.get("lastName"),
        "companyName": draft.get("companyName"),
        "addresses": addresses,
        "shippingAddressIds": [],
        "billingAddressIds": [],
        "isEmailVerified": bool(draft.get("isEmailVerified")),
        "customerGroupAssignments": [],
        "stores": [{"typeId": "store", "key": s.get("key")} for s in draft.get("stores") or []],
        "authenticationMode": draft.get("authenticationMode") or "Password",
    }
    for index_field, ids_field in (
        ("defaultShippingAddress", "defaultShippingAddressId"),
        ("defaultBillingAddress", "defaultBillingAddressId"),
    ):
        index = draft.get(index_field)
        if isinstance(index, int) and 0 <= index < len(addresses):
            document[ids_field] = addresses[index]["id"]
    return {k: v for k, v in document.items() if v is not None}


BUILDERS: dict[str, Callable[[dict[str, Any], Transaction], dict[str, Any]]] = {
    "products": product,
    "inventory": inventory_entry,
    "channels": channel,
    "stores": store,
    "customers": customer,
}
