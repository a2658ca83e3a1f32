"""The connection entry ``ledgerlink init --sandbox`` would write for the Magento emulator."""

from __future__ import annotations

from typing import Any

from ledgerlink.sandbox.magento import credentials


def magento_connection(base_url: str = f"http://127.0.0.1:{credentials.MAGENTO_PORT}") -> dict[str, Any]:
    """A ``type: magento`` connection that signs with the sandbox integration's four credentials."""
    return {
        "type": "magento",
        "base_url": base_url,
        "store_code": "default",
        "auth": "oauth1",
        "consumer_key": credentials.MAGENTO_CONSUMER_KEY,
        "consumer_secret": credentials.MAGENTO_CONSUMER_SECRET,
        "access_token": credentials.MAGENTO_ACCESS_TOKEN,
        "access_token_secret": credentials.MAGENTO_ACCESS_TOKEN_SECRET,
    }
