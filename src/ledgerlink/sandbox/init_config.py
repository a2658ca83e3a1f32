"""The configuration ``ledgerlink init --sandbox`` writes: every value works against the sandbox."""

from __future__ import annotations

from typing import Any

import yaml

from ledgerlink.sandbox import credentials
from ledgerlink.sandbox.netsuite.seed import REFERENCE_IDS


def sandbox_config(
    *,
    database_url: str = "sqlite:///ledgerlink.db",
    netsuite_url: str = f"http://127.0.0.1:{credentials.NETSUITE_PORT}",
    woo_url: str = f"http://127.0.0.1:{credentials.WOO_PORT}",
    console_port: int = credentials.CONSOLE_PORT,
    schedule: str = "every 1m",
) -> dict[str, Any]:
    ids = REFERENCE_IDS
    return {
        "database_url": database_url,
        "connections": {
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
        },
        "flows": [
            {
                "kind": "orders",
                "from": "woo",
                "to": "netsuite",
                "schedule": schedule,
                "mapping": {
                    "subsidiary": ids["subsidiary"],
                    "location": ids["location"],
                    "ship_item": ids["ship_item"],
                    "discount_item": ids["discount_item"],
                    "tax_item": ids["tax_item"],
                    "fee_item": ids["fee_item"],
                    "payment_methods": dict(ids["payment_methods"]),
                },
            }
        ],
        "console": {"host": "127.0.0.1", "port": console_port},
    }


def sandbox_config_yaml(**kwargs: Any) -> str:
    header = (
        "# Ledgerlink configuration for the built-in sandbox (no real credentials).\n"
        "# Any value may be written ${ENV_NAME} to read it from the environment.\n"
    )
    return header + yaml.safe_dump(sandbox_config(**kwargs), sort_keys=False)
