"""Shipments, invoices and credit memos written to Magento exactly once, even when an answer is lost.

Magento has no idempotency key. A ship, invoice or refund whose answer is lost (a timeout, a proxy's
502, a crash before the id was recorded) may well have been created; sent again it makes a second
credit memo, or is refused with "The order does not allow a shipment to be created" and reported as a
failure although the shipment exists (both seen on a real 2.4.7-p3 store, issue 21). So every document
Ledgerlink creates carries an internal comment naming the caller's ``reference`` (for instance the
NetSuite fulfilment or credit memo it mirrors), and before creating one, and again after a transient
failure, the order's existing documents (``GET /V1/shipments``, ``/V1/invoices``, ``/V1/creditmemos``
filtered by ``order_id``, which list each document's ``comments``) are read: a document with our
reference is the one we made, and its id is answered instead of making another.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ledgerlink.connectors.magento.client import MagentoClient, numeric_id
from ledgerlink.connectors.magento.search import Filter, SearchCriteria
from ledgerlink.engine.problems import ProblemError

ROUTES = {"shipment": "shipments", "invoice": "invoices", "creditmemo": "creditmemos"}


def reference_comment(reference: str, comment: str | None = None) -> str:
    """The internal comment that marks a document as ours (after the caller's own text, if any)."""
    if not reference.strip():
        raise ValueError("a write-back needs a reference to recognise its document on a retry")
    mark = f"Ledgerlink reference {reference.strip()}"
    return f"{comment}\n{mark}" if comment else mark


def _ours(document: dict[str, Any], mark: str) -> bool:
    """True when one line of one of the document's comments is exactly our mark."""
    comments = document.get("comments")
    for comment in comments if isinstance(comments, list) else []:
        if isinstance(comment, dict) and mark in str(comment.get("comment") or "").splitlines():
            return True
    return False


async def existing(client: MagentoClient, kind: str, order_id: int | str, reference: str) -> int | None:
    """The id of the order's ``kind`` document (shipment, invoice, creditmemo) carrying ``reference``."""
    mark = reference_comment(reference)
    criteria = SearchCriteria(filter_groups=((Filter("order_id", numeric_id(order_id)),),))
    async for page in client.search_pages(ROUTES[kind], criteria):
        for document in page.items:
            if _ours(document, mark) and str(document.get("entity_id", "")).isdigit():
                return int(document["entity_id"])
    return None


async def _once(
    client: MagentoClient,
    kind: str,
    order_id: int | str,
    create: Callable[[str], Awaitable[int]],
    reference: str,
    comment: str | None = None,
) -> int:
    """Our document of this kind if the order has one, else the one ``create`` makes with our comment."""
    text = reference_comment(reference, comment)
    found = await existing(client, kind, order_id, reference)
    if found is not None:
        return found
    try:
        return await create(text)
    except ProblemError as failure:
        if not failure.problem.transient:
            raise
        try:  # the answer may be what was lost, not the document
            found = await existing(client, kind, order_id, reference)
        except ProblemError:
            raise failure from None
        if found is None:
            raise
        return found


async def ship_once(
    client: MagentoClient,
    order_id: int | str,
    reference: str,
    items: list[dict[str, Any]] | None = None,
    tracks: list[dict[str, Any]] | None = None,
    *,
    notify: bool = False,
    comment: str | None = None,
) -> int:
    """The shipment for ``reference``: the one already made, else a new one."""

    def create(text: str) -> Awaitable[int]:
        return client.ship(order_id, items, tracks, notify=notify, comment=text)

    return await _once(client, "shipment", order_id, create, reference, comment)


async def invoice_once(
    client: MagentoClient,
    order_id: int | str,
    reference: str,
    items: list[dict[str, Any]] | None = None,
    *,
    capture: bool = False,
    notify: bool = False,
) -> int:
    """The invoice for ``reference``: the one already made, else a new one."""

    def create(text: str) -> Awaitable[int]:
        return client.invoice(order_id, items, capture=capture, notify=notify, comment=text)

    return await _once(client, "invoice", order_id, create, reference)


async def refund_once(
    client: MagentoClient,
    order_id: int | str,
    reference: str,
    items: list[dict[str, Any]] | None = None,
    *,
    notify: bool = False,
    arguments: dict[str, Any] | None = None,
) -> int:
    """The credit memo for ``reference``: the one already made, else a new one (never a second refund)."""

    def create(text: str) -> Awaitable[int]:
        return client.refund(order_id, items, notify=notify, arguments=arguments, comment=text)

    return await _once(client, "creditmemo", order_id, create, reference)
