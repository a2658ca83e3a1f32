"""What the flows ask of NetSuite, in NetSuite's own terms: lookups by SuiteQL, writes by upsert.

Writes always go through ``PUT /{type}/eid:{externalId}`` so that a retry after a crash, a lost
response or a replayed webhook updates the record it created instead of creating a second one.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledgerlink.connectors.netsuite.client import NetSuiteClient, suiteql_literal
from ledgerlink.engine.problems import Code, permanent

ITEM_CACHE_SECONDS = 300.0


class NetSuiteErp:
    def __init__(self, client: NetSuiteClient) -> None:
        self.client = client
        self._currencies: dict[str, str] | None = None
        self._items: dict[tuple[str, str], tuple[str, float]] = {}

    async def aclose(self) -> None:
        await self.client.aclose()

    async def probe(self) -> None:
        """Does the account answer with these credentials? (See :meth:`NetSuiteClient.probe`.)"""
        await self.client.probe()

    async def currency_id(self, code: str) -> str:
        if self._currencies is None or code.upper() not in self._currencies:
            rows = [row async for row in self.client.suiteql("SELECT id, symbol FROM currency ORDER BY id")]
            self._currencies = {str(row["symbol"]).upper(): str(row["id"]) for row in rows}
        found = self._currencies.get(code.upper())
        if found is None:
            raise permanent(
                Code.CURRENCY_NOT_FOUND,
                f"currency {code}",
                f"NetSuite has no currency with the symbol {code} "
                f"(it knows {', '.join(sorted(self._currencies))})",
                f"add {code} under Lists > Accounting > Currencies in NetSuite "
                "(Multiple Currencies must be on), then retry",
            )
        return found

    async def find_items(self, skus: Iterable[str], sku_field: str = "itemid") -> dict[str, str]:
        """Map SKUs to item internal ids; SKUs NetSuite does not know are simply absent from the result."""
        now = time.monotonic()
        wanted = sorted(set(skus))
        found: dict[str, str] = {}
        missing: list[str] = []
        for sku in wanted:
            cached = self._items.get((sku_field, sku))
            if cached and now - cached[1] < ITEM_CACHE_SECONDS:
                found[sku] = cached[0]
            else:
                missing.append(sku)
        for start in range(0, len(missing), 200):
            chunk = missing[start : start + 200]
            values = ", ".join(suiteql_literal(sku) for sku in chunk)
            query = (
                f"SELECT id, {sku_field} AS sku FROM item "
                f"WHERE {sku_field} IN ({values}) AND isinactive = 'F' ORDER BY id"
            )
            async for row in self.client.suiteql(query):
                sku = str(row["sku"])
                found.setdefault(sku, str(row["id"]))
                self._items[(sku_field, sku)] = (found[sku], now)
        return found

    async def find_customer(
        self, external: str, email: str | None, subsidiary: str | None = None
    ) -> str | None:
        """The customer with this external id, else (when ``email`` is given) the oldest active customer
        with that e-mail in ``subsidiary``: NetSuite refuses a sales order whose customer belongs to
        another subsidiary, so a namesake elsewhere in the account is not a match."""
        query = f"SELECT id FROM customer WHERE externalid = {suiteql_literal(external)}"
        async for row in self.client.suiteql(query):
            return str(row["id"])
        if email:
            in_subsidiary = f" AND subsidiary = {suiteql_literal(subsidiary)}" if subsidiary else ""
            query = (
                "SELECT id FROM customer "
                f"WHERE LOWER(email) = {suiteql_literal(email.strip().lower())} AND isinactive = 'F'"
                f"{in_subsidiary} ORDER BY id"
            )
            async for row in self.client.suiteql(query):
                return str(row["id"])
        return None

    async def upsert(
        self, record_type: str, external: str, body: dict[str, Any], *, replace: list[str] | None = None
    ) -> str:
        return await self.client.upsert(record_type, external, body, replace=replace)

    async def transaction_totals(self, externals: list[str]) -> dict[str, Decimal]:
        """The totals NetSuite computed for the transactions with these external ids."""
        return {external: facts.total for external, facts in (await self.transactions(externals)).items()}

    async def transactions(self, externals: list[str]) -> dict[str, TransactionFacts]:
        """What NetSuite holds for the transactions with these external ids: total, routing, count."""
        found: dict[str, TransactionFacts] = {}
        for start in range(0, len(externals), 200):
            values = ", ".join(suiteql_literal(e) for e in externals[start : start + 200])
            # The subsidiary is read from the main line, where NetSuite's analytics keep it for every
            # transaction type (intercompany transactions carry one per line).
            query = (
                "SELECT t.externalid, t.foreigntotal, tl.subsidiary, c.symbol AS currency "
                "FROM transaction t "
                "JOIN transactionline tl ON tl.transaction = t.id AND tl.mainline = 'T' "
                "JOIN currency c ON c.id = t.currency "
                f"WHERE t.externalid IN ({values}) ORDER BY t.id"
            )
            async for row in self.client.suiteql(query):
                external = str(row["externalid"])
                previous = found.get(external)
                found[external] = TransactionFacts(
                    total=Decimal(str(row["foreigntotal"])),
                    subsidiary=str(row.get("subsidiary", "")),
                    currency=str(row.get("currency", "")),
                    copies=previous.copies + 1 if previous else 1,
                )
        return found


@dataclass(frozen=True)
class TransactionFacts:
    total: Decimal
    subsidiary: str
    currency: str
    copies: int = 1  # more than one would be a duplicate: the external id is meant to prevent that
