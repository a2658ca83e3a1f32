"""The fixed credentials of the built-in sandbox. They open nothing but the local emulators."""

from __future__ import annotations

NETSUITE_ACCOUNT = "1234567_SB1"
NETSUITE_CONSUMER_KEY = "sandbox-consumer-key-0001"
NETSUITE_CONSUMER_SECRET = "sandbox-consumer-secret-0001"  # noqa: S105
NETSUITE_TOKEN_ID = "sandbox-token-id-0001"  # noqa: S105
NETSUITE_TOKEN_SECRET = "sandbox-token-secret-0001"  # noqa: S105
NETSUITE_PORT = 8701

WOO_CONSUMER_KEY = "ck_sandbox0000000000000000000000000000000001"
WOO_CONSUMER_SECRET = "cs_sandbox0000000000000000000000000000000001"  # noqa: S105
WOO_WEBHOOK_SECRET = "whsec-sandbox-0001"  # noqa: S105
WOO_PORT = 8702

CONSOLE_PORT = 8700
