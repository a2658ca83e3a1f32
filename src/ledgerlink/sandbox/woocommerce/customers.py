"""Customers: WordPress users with the `customer` role, as /wc/v3/customers exposes them.

The e-mail address is the identity: a second account with the same address is refused with
`registration-error-email-exists`, exactly the error a connector has to handle when it tries to
create a customer that already registered at checkout.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from ledgerlink.sandbox.woocommerce.common import (
    BILLING_FIELDS,
    EMAIL,
    SHIPPING_FIELDS,
    ResourceEvent,
    address,
    meta_data,
    text,
)
from ledgerlink.sandbox.woocommerce.errors import WooApiError, invalid_param, missing_param
from ledgerlink.sandbox.woocommerce.formats import wire_date
from ledgerlink.sandbox.woocommerce.state import Condition, Transaction

KIND = "customer"


def invalid_customer_id(status: int) -> WooApiError:
    return WooApiError("woocommerce_rest_invalid_id", "Invalid resource ID.", status)


def get(tx: Transaction, customer_id: int) -> dict[str, Any] | None:
    row = tx.get(KIND, customer_id)
    return row.data if row else None


def find_by_email(tx: Transaction, email: str) -> dict[str, Any] | None:
    rows = tx.select(KIND, [Condition("email", "=", email.lower())], limit=1)
    return rows[0].data if rows else None


def _save(tx: Transaction, doc: dict[str, Any]) -> None:
    tx.put(
        KIND,
        doc["id"],
        doc,
        email=doc["email"].lower(),
        status=doc["role"],
        created=doc["date_created_gmt"],
        modified=doc["date_modified_gmt"],
        sort_name=(doc["first_name"] + " " + doc["last_name"]).strip().lower() or doc["username"].lower(),
    )


def _username_taken(tx: Transaction, username: str, own_id: int) -> bool:
    return any(row.data["username"] == username and row.id != own_id for row in tx.select(KIND, []))


def _unique_username(tx: Transaction, email: str) -> str:
    base = re.sub(r"[^a-z0-9._-]", "", email.split("@", 1)[0].lower()) or "customer"
    candidate, suffix = base, 1
    while _username_taken(tx, candidate, 0):
        suffix += 1
        candidate = f"{base}{suffix}"
    return candidate


def create(
    tx: Transaction, payload: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], list[ResourceEvent]]:
    if payload.get("id"):
        raise WooApiError("woocommerce_rest_customer_exists", "Cannot create existing resource.", 400)
    if not payload.get("email"):
        raise missing_param("email")
    email = text(payload, "email").strip()
    if not EMAIL.match(email):
        raise WooApiError("registration-error-invalid-email", "Please provide a valid email address.", 400)
    if find_by_email(tx, email) is not None:
        raise WooApiError(
            "registration-error-email-exists",
            'An account is already registered with your email address. <a href="#" class="showlogin">'
            "Please log in.</a>",
            400,
        )
    username = text(payload, "username").strip()
    if username and _username_taken(tx, username, 0):
        raise WooApiError(
            "registration-error-username-exists",
            "An account is already registered with that username. Please choose another.",
            400,
        )
    stamp = wire_date(now)
    customer_id = tx.next_id("user")
    digest = hashlib.md5(email.lower().encode(), usedforsecurity=False).hexdigest()
    doc: dict[str, Any] = {
        "id": customer_id,
        "date_created": stamp,
        "date_created_gmt": stamp,
        "date_modified": stamp,
        "date_modified_gmt": stamp,
        "email": email,
        "first_name": text(payload, "first_name"),
        "last_name": text(payload, "last_name"),
        "role": "customer",
        "username": username or _unique_username(tx, email),
        "billing": address(None, payload.get("billing"), BILLING_FIELDS, "billing"),
        "shipping": address(None, payload.get("shipping"), SHIPPING_FIELDS, "shipping"),
        "is_paying_customer": False,
        "avatar_url": f"https://secure.gravatar.com/avatar/{digest}?s=96&d=mm&r=g",
        "meta_data": meta_data([], payload.get("meta_data"), lambda: tx.next_id("meta")),
    }
    _save(tx, doc)
    return doc, [ResourceEvent("customer", "created", customer_id)]


def update(
    tx: Transaction, customer_id: int, payload: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], list[ResourceEvent]]:
    doc = get(tx, customer_id)
    if doc is None:
        raise invalid_customer_id(400)
    if "email" in payload:
        email = text(payload, "email").strip()
        if not EMAIL.match(email):
            raise invalid_param("email", "email is not a valid email address.", "rest_invalid_email")
        other = find_by_email(tx, email)
        if other is not None and other["id"] != customer_id:
            raise WooApiError("woocommerce_rest_customer_invalid_email", "Email address is invalid.", 400)
        doc["email"] = email
    if "username" in payload and text(payload, "username") != doc["username"]:
        raise WooApiError("woocommerce_rest_customer_invalid_argument", "Username isn't editable.", 400)
    for key in ("first_name", "last_name"):
        if key in payload:
            doc[key] = text(payload, key)
    doc["billing"] = address(doc["billing"], payload.get("billing"), BILLING_FIELDS, "billing")
    doc["shipping"] = address(doc["shipping"], payload.get("shipping"), SHIPPING_FIELDS, "shipping")
    doc["meta_data"] = meta_data(doc["meta_data"], payload.get("meta_data"), lambda: tx.next_id("meta"))
    doc["date_modified"] = doc["date_modified_gmt"] = wire_date(now)
    _save(tx, doc)
    return doc, [ResourceEvent("customer", "updated", customer_id)]


def mark_paying(tx: Transaction, customer_id: int) -> None:
    doc = get(tx, customer_id)
    if doc is not None and not doc["is_paying_customer"]:
        doc["is_paying_customer"] = True
        _save(tx, doc)


def delete(tx: Transaction, customer_id: int, force: bool) -> tuple[dict[str, Any], list[ResourceEvent]]:
    if not force:
        raise WooApiError("woocommerce_rest_trash_not_supported", "Customers do not support trashing.", 501)
    doc = get(tx, customer_id)
    if doc is None:
        raise invalid_customer_id(400)
    tx.delete(KIND, customer_id)
    return doc, [ResourceEvent("customer", "deleted", customer_id)]
