"""The fixed credentials of the built-in commercetools sandbox. They open nothing but the local emulator."""

from __future__ import annotations

CT_PROJECT_KEY = "ledgerlink-sandbox"
CT_CLIENT_ID = "sandbox-ct-client-0001"
CT_CLIENT_SECRET = "sandbox-ct-secret-0001"  # noqa: S105
CT_STORE_KEY = "sandbox-store"
CT_PORT = 8704
