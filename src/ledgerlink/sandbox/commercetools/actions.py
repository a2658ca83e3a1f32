"""Update actions of the resources other than orders, and the versioned update every resource shares.

An update names the version it was computed from. A different version is refused with 409
ConcurrentModification and ``currentVersion``, so the client can read again and retry. Actions apply
in order to a copy, all or nothing; when they change the document, the version goes up by one and
``lastModifiedAt`` moves on. An unknown action is 400 InvalidJsonInput, as commercetools answers.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from ledgerlink.sandbox.commercetools.documents import transaction
from ledgerlink.sandbox.commercetools.errors import CtApiError, concurrent_modification, invalid_operation
from ledgerlink.sandbox.commercetools.orders import ORDER_ACTIONS
from ledgerlink.sandbox.commercetools.state import Transaction

Action = Callable[[dict[str, Any], dict[str, Any], str, Transaction], None]


def _quantity(action: dict[str, Any]) -> int:
    value = action.get("quantity")
    if isinstance(value, bool) or not isinstance(value, int):
        raise CtApiError(400, "InvalidInput", "Field 'quantity' must be an integer.")
    return value


def _change_quantity(entry: dict[str, Any], action: dict[str, Any], stamp: str, tx: Transaction) -> None:
    quantity = _quantity(action)
    if quantity < 0:
        raise CtApiError(400, "InvalidField", "The quantity on stock cannot be negative.", field="quantity")
    reserved = entry["quantityOnStock"] - entry["availableQuantity"]
    entry["quantityOnStock"] = quantity
    entry["availableQuantity"] = quantity - reserved


def _add_quantity(entry: dict[str, Any], action: dict[str, Any], stamp: str, tx: Transaction) -> None:
    entry["quantityOnStock"] += _quantity(action)
    entry["availableQuantity"] += _quantity(action)


def _remove_quantity(entry: dict[str, Any], action: dict[str, Any], stamp: str, tx: Transaction) -> None:
    entry["quantityOnStock"] -= _quantity(action)
    entry["availableQuantity"] -= _quantity(action)


def _add_transaction(payment: dict[str, Any], action: dict[str, Any], stamp: str, tx: Transaction) -> None:
    if not isinstance(action.get("transaction"), dict):
        raise CtApiError(400, "RequiredField", "Missing required value for field 'transaction'.")
    payment["transactions"].append(transaction(action["transaction"], stamp))


def _change_transaction_state(
    payment: dict[str, Any], action: dict[str, Any], stamp: str, tx: Transaction
) -> None:
    for item in payment["transactions"]:
        if item["id"] == action.get("transactionId"):
            item["state"] = action.get("state")
            return
    raise invalid_operation(f"Transaction '{action.get('transactionId')}' does not exist.")


def _publish(product: dict[str, Any], action: dict[str, Any], stamp: str, tx: Transaction) -> None:
    data = product["masterData"]
    data["current"] = copy.deepcopy(data["staged"])
    data["published"] = True
    data["hasStagedChanges"] = False


def _unpublish(product: dict[str, Any], action: dict[str, Any], stamp: str, tx: Transaction) -> None:
    if not product["masterData"]["published"]:
        raise invalid_operation("Cannot unpublish a product that is not published.")
    product["masterData"]["published"] = False


def _change_name(product: dict[str, Any], action: dict[str, Any], stamp: str, tx: Transaction) -> None:
    data = product["masterData"]
    data["staged"] = {**copy.deepcopy(data["staged"]), "name": action.get("name")}
    if action.get("staged", True) is False:
        data["current"] = copy.deepcopy(data["staged"])
    data["hasStagedChanges"] = data["staged"] != data["current"]


def _set_field(field: str) -> Action:
    def apply(document: dict[str, Any], action: dict[str, Any], stamp: str, tx: Transaction) -> None:
        if action.get(field) is None:
            document.pop(field, None)
        else:
            document[field] = action[field]

    return apply


ACTIONS: dict[str, Mapping[str, Action]] = {
    "orders": ORDER_ACTIONS,
    "inventory": {
        "changeQuantity": _change_quantity,
        "addQuantity": _add_quantity,
        "removeQuantity": _remove_quantity,
        "setRestockableInDays": _set_field("restockableInDays"),
    },
    "payments": {"addTransaction": _add_transaction, "changeTransactionState": _change_transaction_state},
    "products": {"publish": _publish, "unpublish": _unpublish, "changeName": _change_name},
    "customers": {
        "setFirstName": _set_field("firstName"),
        "setLastName": _set_field("lastName"),
        "setCompanyName": _set_field("companyName"),
    },
    "channels": {"setKey": _set_field("key")},
    "stores": {"setName": _set_field("name")},
}


def apply_update(kind: str, document: dict[str, Any], body: Any, tx: Transaction) -> dict[str, Any]:
    """The document after ``{"version", "actions"}``; unchanged (same version) when nothing changed."""
    if not isinstance(body, dict) or not isinstance(body.get("actions"), list):
        raise CtApiError(
            400, "InvalidJsonInput", "Request body does not contain valid JSON: actions missing."
        )
    version = body.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise CtApiError(
            400, "InvalidJsonInput", "Request body does not contain valid JSON: version missing."
        )
    if version != document["version"]:
        raise concurrent_modification(document["id"], document["version"], version)
    known = ACTIONS.get(kind, {})
    updated = copy.deepcopy(document)
    stamp = tx.stamp()
    for action in body["actions"]:
        name = action.get("action") if isinstance(action, dict) else None
        handler = known.get(str(name))
        if handler is None:
            raise CtApiError(
                400,
                "InvalidJsonInput",
                f"Request body does not contain valid JSON. actions -> action: Unknown action '{name}'.",
            )
        handler(updated, action, stamp, tx)
    if updated == document:
        return document
    updated["version"] = document["version"] + 1
    updated["lastModifiedAt"] = stamp
    return tx.put(kind, updated)
