"""The configuration entry that points a Ledgerlink connection at the commercetools emulator.

The emulator serves the auth service and the project API on one address, so ``auth_url`` and
``api_url`` are the same. The entry is what ``ledgerlink sandbox init`` writes under ``connections``.
"""

from __future__ import annotations

from typing import Any

from ledgerlink.sandbox.commercetools.credentials import (
    CT_CLIENT_ID,
    CT_CLIENT_SECRET,
    CT_PORT,
    CT_PROJECT_KEY,
)


def sandbox_connection(
    url: str = f"http://127.0.0.1:{CT_PORT}", *, store_key: str | None = None
) -> dict[str, Any]:
    """A ``type: commercetools`` connection for the emulator at ``url`` (optionally one store's orders)."""
    entry: dict[str, Any] = {
        "type": "commercetools",
        "project_key": CT_PROJECT_KEY,
        "api_url": url,
        "auth_url": url,
        "client_id": CT_CLIENT_ID,
        "client_secret": CT_CLIENT_SECRET,
        "scopes": [f"manage_project:{CT_PROJECT_KEY}"],
    }
    if store_key:
        entry["store_key"] = store_key
    return entry
