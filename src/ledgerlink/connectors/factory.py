"""From a store connection in the configuration to the connector that speaks its platform's API.

This is the one place that knows which platforms exist; flows receive a :class:`StoreConnector` and
never ask which one it is.
"""

from __future__ import annotations

from typing import assert_never

import httpx

from ledgerlink.config import (
    CommercetoolsConnection,
    MagentoConnection,
    StoreConnection,
    WooCommerceConnection,
)
from ledgerlink.connectors.gate import Gate
from ledgerlink.connectors.store import StoreConnector


def build_store(
    name: str,
    connection: StoreConnection,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    gate: Gate | None = None,
) -> StoreConnector:
    """The connector for ``connection``; imports only the platform in use. ``gate`` pauses its requests
    while the connection has an open incident."""
    if isinstance(connection, WooCommerceConnection):
        from ledgerlink.connectors.woocommerce.store import WooCommerceStore

        return WooCommerceStore(name, connection, transport=transport, gate=gate)
    if isinstance(connection, MagentoConnection):
        from ledgerlink.connectors.magento.store import MagentoStore

        return MagentoStore(name, connection, transport=transport, gate=gate)
    if isinstance(connection, CommercetoolsConnection):
        from ledgerlink.connectors.commercetools.store import CommercetoolsStore

        return CommercetoolsStore(name, connection, transport=transport, gate=gate)
    assert_never(connection)
