"""The orders flow: store orders become NetSuite sales orders (or cash sales), exactly once.

Steps, in order, each a method so later flows and merchants can override one without the others:
read the order, skip what should not sync yet, resolve the customer (waiting on its own job when new),
resolve items by SKU, map, skip when unchanged, upsert by external id, link.

The flow knows the :class:`StoreConnector` protocol only, never which platform is behind it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import structlog

from ledgerlink.config import FlowConfig, OrderLimits
from ledgerlink.connectors.netsuite.erp import NetSuiteErp
from ledgerlink.connectors.netsuite.translate import (
    customer_key,
    customer_payload,
    expected_total,
    external_id,
    sales_order_payload,
)
from ledgerlink.connectors.store import StoreConnector
from ledgerlink.engine.links import Links, LinkWrite, fingerprint
from ledgerlink.engine.problems import Code, Problem, Severity, Team, permanent
from ledgerlink.engine.queue import Completion, Job, JobSpec, Queue
from ledgerlink.engine.worker import WaitFor
from ledgerlink.records.customer import Customer
from ledgerlink.records.order import Order

log = structlog.get_logger("ledgerlink.flows.orders")

SYNC_ORDER = "orders.sync"
POLL_ORDERS = "orders.poll"
SYNC_CUSTOMER = "customers.sync"
ENSURE_WEBHOOKS = "orders.webhooks"
ORDER_TOPICS = ["order.created", "order.updated"]
ORDERS_PRIORITY = 10
HELD_FOR_REVIEW = "HELD_FOR_REVIEW"  # an order beyond the mapping's sanity limits (mapping.limits)
CUSTOMERS_PRIORITY = 5  # an order waiting on its customer is an order waiting


@dataclass
class OrdersFlow:
    config: FlowConfig
    store: StoreConnector
    erp: NetSuiteErp
    queue: Queue
    links: Links
    overlap_seconds: float = 120.0
    webhook_url: str | None = None

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def source(self) -> str:
        return self.config.from_

    @property
    def target(self) -> str:
        return self.config.to

    def handlers(self) -> dict[str, Any]:
        return {
            f"{SYNC_ORDER}:{self.name}": self.sync_order,
            f"{POLL_ORDERS}:{self.name}": self.poll,
            f"{SYNC_CUSTOMER}:{self.name}": self.sync_customer,
            f"{ENSURE_WEBHOOKS}:{self.name}": self.ensure_webhooks,
        }

    # -- enqueueing ---------------------------------------------------------------------------------

    def order_job(self, order_id: str, *, reason: str) -> JobSpec:
        key = f"{self.source}:order:{order_id}->{self.target}"
        return JobSpec(
            kind=f"{SYNC_ORDER}:{self.name}",
            flow=self.name,
            record_key=order_id,
            payload={"order_id": order_id, "reason": reason},
            dedupe_key=key,
            lock_key=key,
            lane="orders",
            priority=ORDERS_PRIORITY,
        )

    def poll_job(self) -> JobSpec:
        return JobSpec(
            kind=f"{POLL_ORDERS}:{self.name}",
            flow=self.name,
            record_key="poll",
            dedupe_key=f"poll:{self.name}",
            lock_key=f"poll:{self.name}",
            lane="orders",
            priority=ORDERS_PRIORITY + 1,
            max_attempts=3,
        )

    def webhooks_job(self) -> JobSpec:
        return JobSpec(
            kind=f"{ENSURE_WEBHOOKS}:{self.name}",
            flow=self.name,
            record_key="webhooks",
            dedupe_key=f"webhooks:{self.name}",
            lock_key=f"webhooks:{self.name}",
            lane="orders",
            priority=ORDERS_PRIORITY + 2,
            max_attempts=3,
        )

    # -- the scheduled delta read -------------------------------------------------------------------

    async def poll(self, job: Job) -> Completion:
        """Enqueue every order modified since the cursor (less the overlap); advance the cursor to the
        largest modified-at seen. Orders already synced at that modified-at are not enqueued again."""
        from ledgerlink.engine.cursors import read_cursor

        cursor = read_cursor(self.queue.engine, self.name)
        started = datetime.now(UTC)
        after = datetime.fromtimestamp(cursor.window_start(self.overlap_seconds), UTC)
        seen = enqueued = 0
        newest: tuple[float, str] | None = None
        async for page in self.store.order_pages(after, started):
            for order in page:
                seen += 1
                modified = order.modified_at.timestamp()
                if newest is None or (modified, order.source_id) > newest:
                    newest = (modified, order.source_id)
                link = self.links.get("order", self.source, order.source_id, self.target)
                if link and link.source_modified_at is not None and link.source_modified_at >= modified:
                    continue
                if self.queue.enqueue(self.order_job(order.source_id, reason="poll")) is not None:
                    enqueued += 1
        completion = Completion(result={"seen": seen, "enqueued": enqueued, "after": after.isoformat()})
        if newest:
            completion.cursor = (self.name, newest[0], newest[1])
        log.info("orders polled", flow=self.name, seen=seen, enqueued=enqueued)
        return completion

    async def ensure_webhooks(self, job: Job) -> Completion:
        if not self.webhook_url:
            return Completion(result={"skipped": "no public webhook URL configured"})
        checks = await self.store.ensure_webhooks(self.webhook_url, ORDER_TOPICS)
        return Completion(
            result={
                "webhooks": [
                    {"topic": c.topic, "id": c.webhook_id, "action": c.action, "status": c.status}
                    for c in checks
                ]
            }
        )

    # -- one order ----------------------------------------------------------------------------------

    async def sync_order(self, job: Job) -> Completion:
        order = await self.store.get_order(str(job.payload["order_id"]))
        if order.status not in self.config.mapping.statuses:
            return self.skip_by_status(order)
        mapping = self.config.mapping.routed(currency=order.currency, store=order.store)
        self.check_limits(order, mapping.limits)  # before the customer: its job writes to NetSuite too
        customer_id = self.resolve_customer(order, mapping.subsidiary)
        currency_id = await self.erp.currency_id(order.currency)
        item_ids = await self.resolve_items(order)
        external = external_id(self.source, "order", order.source_id)
        payload = sales_order_payload(
            order,
            external=external,
            customer_id=customer_id,
            item_ids=item_ids,
            currency_id=currency_id,
            mapping=mapping,
            channel=self.source,
        )
        self.check_total(order, payload)
        digest = fingerprint(payload)
        link = self.links.get("order", self.source, order.source_id, self.target)
        if link and link.fingerprint == digest:
            return Completion(
                result={"skipped": "unchanged", "netsuite_id": link.target_id},
                links=[self._order_link(order, link.target_id, external, digest)],
            )
        record_type = mapping.record_type
        internal = await self.erp.upsert(record_type, external, payload, replace=["item"])
        return Completion(
            result={
                "netsuite_id": internal,
                "record_type": record_type,
                "external_id": external,
                "total": str(order.total.amount),
                "currency": order.currency,
            },
            links=[self._order_link(order, internal, external, digest)],
        )

    def skip_by_status(self, order: Order) -> Completion:
        """Nothing written for a status that is not synced (pending payment, cancelled, refunded...). An
        order synced before it was cancelled or refunded keeps its NetSuite record as written, never
        rewritten from the cancelled order: the result names that record, for whoever closes or credits it."""
        result: dict[str, Any] = {
            "skipped": f"status {order.status} is not synced",
            "synced_statuses": self.config.mapping.statuses,
        }
        link = self.links.get("order", self.source, order.source_id, self.target)
        if link:
            result["netsuite_id"] = link.target_id
            result["left_as_synced"] = (
                f"order {order.number} was synced before it became {order.status}; NetSuite record "
                f"{link.target_id} is left as it was written"
            )
        return Completion(result=result)

    def _order_link(self, order: Order, internal: str, external: str, digest: str) -> LinkWrite:
        return LinkWrite(
            kind="order",
            source=self.source,
            source_id=order.source_id,
            target=self.target,
            target_id=internal,
            external_id=external,
            fingerprint=digest,
            source_modified_at=order.modified_at.timestamp(),
            details={"number": order.number, "total": str(order.total.amount), "currency": order.currency},
        )

    def resolve_customer(self, order: Order, subsidiary: str | None) -> str:
        """The NetSuite customer of this order, or park the order until its customer job has run.

        NetSuite refuses a sales order whose customer belongs to another subsidiary, so a buyer whose
        orders a route sends to a subsidiary other than the mapping's own is a customer of that
        subsidiary too: found by e-mail there, or created there, and linked under its own key."""
        key = self.customer_link_key(order.customer, subsidiary)
        link = self.links.get("customer", self.source, key, self.target)
        if link:
            return link.target_id
        dependency = f"{self.source}:customer:{key}->{self.target}"
        provider = JobSpec(
            kind=f"{SYNC_CUSTOMER}:{self.name}",
            flow=self.name,
            record_key=f"customer:{key}",
            payload={
                "customer": order.customer.model_dump(mode="json"),
                "currency": order.currency,
                "subsidiary": subsidiary,
                "key": key,
            },
            dedupe_key=dependency,
            lock_key=self.customer_lock_key(order.customer, subsidiary) or dependency,
            provides=dependency,
            rerun_if_running=False,  # a running customer job provides what this order waits for
            lane="orders",
            priority=CUSTOMERS_PRIORITY,
        )
        raise WaitFor(
            dependency,
            Problem(
                code="WAITING_FOR_CUSTOMER",
                what=f"order {order.number}",
                why=f"customer {order.customer.source_id or 'guest'} is not in NetSuite yet",
                fix="nothing to do: the order continues by itself once its customer is synced",
                severity=Severity.TRANSIENT,
                team=Team.OPERATIONS,
            ),
            provider,
        )

    def customer_lock_key(self, customer: Customer, subsidiary: str | None) -> str | None:
        """Customer jobs of one e-mail address in one subsidiary never run at once, whichever store
        identity they are for (a guest checkout and a registered account, or two stores): run side by
        side, each would find no customer by e-mail and create one, and the buyer would be in NetSuite
        twice. One after the other, the second finds the first by e-mail."""
        email = (customer.email or "").strip().lower()
        if not email or self.config.mapping.customer_match != "external_id_then_email":
            return None
        digest = hashlib.sha256(email.encode()).hexdigest()[:32]  # keys stay short whatever the address
        return f"customer-email:{digest}->{self.target}:{subsidiary or self.config.mapping.subsidiary}"

    def customer_link_key(self, customer: Customer, subsidiary: str | None) -> str:
        """The buyer's key, suffixed with the subsidiary when a route sends the order elsewhere than the
        mapping's own subsidiary (keys and external ids stay letters, digits, ``_`` and ``-``)."""
        key = customer_key(customer)
        if subsidiary and subsidiary != self.config.mapping.subsidiary:
            return f"{key}-sub{subsidiary}"
        return key

    async def resolve_items(self, order: Order) -> dict[str, str]:
        no_sku = [line.name for line in order.lines if not line.sku]
        if no_sku:
            raise permanent(
                Code.SKU_NOT_FOUND,
                f"order {order.number}",
                f"product(s) {', '.join(repr(n) for n in no_sku)} have no SKU in the store, "
                "so they cannot be matched to NetSuite items",
                "give the product a SKU in the store that equals the NetSuite item's name/number, then retry",
                order=order.source_id,
            )
        found = await self.erp.find_items(order.skus, self.config.mapping.sku_field)
        missing = [sku for sku in order.skus if sku not in found]
        if missing:
            listed = ", ".join(missing)
            raise permanent(
                Code.SKU_NOT_FOUND,
                f"order {order.number} (store id {order.source_id})",
                f"NetSuite has no active item whose {self.config.mapping.sku_field} is {listed}",
                f"create the item(s) {listed} in NetSuite (or correct the SKU in the store), then run "
                "`ledgerlink errors retry --code SKU_NOT_FOUND`",
                skus=missing,
                order=order.source_id,
            )
        return found

    def check_limits(self, order: Order, limits: OrderLimits) -> None:
        """Hold an order whose figures no genuine order reaches, before anything of it is written."""
        beyond: list[dict[str, str]] = []

        def check(subject: str, what: str, value: Decimal, name: str) -> None:
            limit, setting = limits.limit(name, order.currency)
            if abs(value) > limit:
                beyond.append(
                    {
                        "line": subject,
                        "figure": what,
                        "value": str(value),
                        "limit": str(limit),
                        "setting": setting,
                    }
                )

        for number, line in enumerate(order.lines, start=1):
            subject = f"line {number} ({line.sku or 'no SKU'} {line.name!r})"
            check(subject, "quantity", line.quantity, "max_line_quantity")
            check(subject, f"amount in {order.currency}", line.subtotal.amount, "max_line_amount")
        for ship in order.shipping:
            check(
                f"shipping {ship.title or ship.method_id!r}", "amount", ship.amount.amount, "max_line_amount"
            )
        for fee in order.fees:
            check(f"fee {fee.name!r}", f"amount in {order.currency}", fee.amount.amount, "max_line_amount")
        check("the order", f"total in {order.currency}", order.total.amount, "max_order_total")
        if not beyond:
            return
        settings = list(dict.fromkeys(b["setting"] for b in beyond))  # in the order they were hit
        raise permanent(
            HELD_FOR_REVIEW,
            f"order {order.number} (store id {order.source_id})",
            "; ".join(
                f"{b['line']} has {b['figure']} {b['value']}, over the limit of {b['limit']}" for b in beyond
            ),
            "check the order in the store: if it is wrong, correct it there; if it is right, raise "
            f"{' and '.join(settings)} in the mapping of flow {self.name} in ledgerlink.yaml. Then run "
            f"`ledgerlink errors retry --code {HELD_FOR_REVIEW}`",
            team=Team.OPERATIONS,
            order=order.source_id,
            beyond=beyond,
        )

    def check_total(self, order: Order, payload: dict[str, Any]) -> None:
        """Refuse to write a sales order whose NetSuite total would differ from what the buyer paid."""
        computed = expected_total(payload)
        if computed != order.total.amount:
            raise permanent(
                "TOTAL_MISMATCH",
                f"order {order.number}",
                f"the store's total is {order.total} but its lines, discounts, shipping, fees and tax add up "
                f"to {computed} {order.currency}",
                "check the order in the store (a plugin may add charges outside the order lines); "
                "correct it there, then retry",
                store_total=str(order.total.amount),
                computed_total=str(computed),
            )

    # -- one customer -------------------------------------------------------------------------------

    async def sync_customer(self, job: Job) -> Completion:
        customer = Customer.model_validate(job.payload["customer"])
        key = str(job.payload.get("key") or customer_key(customer))
        external = external_id(self.source, "customer", key)
        mapping = self.config.mapping
        if "subsidiary" in job.payload:  # the routed subsidiary of the order that asked for this customer
            mapping = mapping.model_copy(update={"subsidiary": job.payload["subsidiary"]})
        match_email = mapping.customer_match == "external_id_then_email"
        internal = await self.erp.find_customer(
            external, customer.email if match_email else None, mapping.subsidiary
        )
        action = "matched"
        if internal is None:
            currency_id = await self.erp.currency_id(str(job.payload.get("currency") or "USD"))
            body = customer_payload(customer, external=external, mapping=mapping, currency_id=currency_id)
            internal = await self.erp.upsert("customer", external, body)
            action = "created"
        return Completion(
            result={"netsuite_id": internal, "action": action, "external_id": external},
            links=[
                LinkWrite(
                    kind="customer",
                    source=self.source,
                    source_id=key,
                    target=self.target,
                    target_id=internal,
                    external_id=external,
                    details={"action": action},
                )
            ],
        )
