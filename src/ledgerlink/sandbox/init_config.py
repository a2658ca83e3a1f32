"""The configuration ``ledgerlink init --sandbox`` writes: every value works against the sandbox."""

from __future__ import annotations

from typing import Any

import yaml

from ledgerlink.sandbox import credentials
from ledgerlink.sandbox.commercetools.connection import sandbox_connection as commercetools_connection
from ledgerlink.sandbox.commercetools.credentials import CT_PORT
from ledgerlink.sandbox.magento.credentials import MAGENTO_PORT
from ledgerlink.sandbox.magento.init_config import magento_connection
from ledgerlink.sandbox.netsuite.seed import REFERENCE_IDS

CHANNEL_FIELD = "custbody_ledgerlink_channel"  # every sales order says which store it came from


def sandbox_config(
    *,
    database_url: str = "sqlite:///ledgerlink.db",
    netsuite_url: str = f"http://127.0.0.1:{credentials.NETSUITE_PORT}",
    woo_url: str = f"http://127.0.0.1:{credentials.WOO_PORT}",
    magento_url: str | None = f"http://127.0.0.1:{MAGENTO_PORT}",
    commercetools_url: str | None = f"http://127.0.0.1:{CT_PORT}",
    console_port: int = credentials.CONSOLE_PORT,
    schedule: str = "every 1m",
) -> dict[str, Any]:
    """Two stores into one NetSuite account: the WooCommerce shop sells in USD through the parent
    subsidiary and its main warehouse; the Magento store view sells in EUR through the European
    subsidiary and its warehouse; the commercetools project sells in USD through the parent subsidiary
    from the East Coast warehouse. A store URL of None leaves that store out."""
    ids = REFERENCE_IDS
    shared_items = {
        "ship_item": ids["ship_item"],
        "discount_item": ids["discount_item"],
        "tax_item": ids["tax_item"],
        "fee_item": ids["fee_item"],
        "channel_field": CHANNEL_FIELD,
    }
    methods = ids["payment_methods"]
    connections: dict[str, Any] = {
        "netsuite": {
            "type": "netsuite",
            "account": credentials.NETSUITE_ACCOUNT,
            "base_url": netsuite_url,
            "consumer_key": credentials.NETSUITE_CONSUMER_KEY,
            "consumer_secret": credentials.NETSUITE_CONSUMER_SECRET,
            "token_id": credentials.NETSUITE_TOKEN_ID,
            "token_secret": credentials.NETSUITE_TOKEN_SECRET,
        },
        "woo": {
            "type": "woocommerce",
            "base_url": woo_url,
            "consumer_key": credentials.WOO_CONSUMER_KEY,
            "consumer_secret": credentials.WOO_CONSUMER_SECRET,
            "webhook_secret": credentials.WOO_WEBHOOK_SECRET,
        },
    }
    flows: list[dict[str, Any]] = [
        {
            "kind": "orders",
            "from": "woo",
            "to": "netsuite",
            "schedule": schedule,
            "mapping": {
                "subsidiary": ids["subsidiary"],
                "location": ids["location"],
                **shared_items,
                "payment_methods": dict(methods),
            },
        }
    ]
    if magento_url:
        connections["magento"] = magento_connection(magento_url)
        flows.append(
            {
                "kind": "orders",
                "from": "magento",
                "to": "netsuite",
                "schedule": schedule,
                "webhooks": False,  # Magento Open Source has no webhooks: the delta read is the path
                "mapping": {
                    "subsidiary": ids["child_subsidiary"],
                    "location": ids["locations"]["EU Warehouse"],
                    **shared_items,
                    "payment_methods": {
                        "banktransfer": methods["bacs"],
                        "checkmo": methods["bacs"],
                        "cashondelivery": methods["cod"],
                    },
                    "statuses": ["processing", "completed"],
                },
            }
        )
    if commercetools_url:
        connections["ct"] = commercetools_connection(commercetools_url)
        flows.append(
            {
                "kind": "orders",
                "from": "ct",
                "to": "netsuite",
                "schedule": schedule,
                "webhooks": False,  # commercetools pushes to message queues, not to signed webhooks
                "mapping": {
                    "subsidiary": ids["subsidiary"],
                    "location": ids["locations"]["East Coast Warehouse"],
                    **shared_items,
                    "statuses": ["processing", "completed"],
                },
            }
        )
    return {
        "database_url": database_url,
        "connections": connections,
        "flows": flows,
        "console": {"host": "127.0.0.1", "port": console_port},
    }


def sandbox_config_yaml(**kwargs: Any) -> str:
    header = (
        "# Ledgerlink configuration for the built-in sandbox (no real credentials).\n"
        "# Any value may be written ${ENV_NAME} to read it from the environment.\n"
    )
    return header + yaml.safe_dump(sandbox_config(**kwargs), sort_keys=False)
