"""The fixed credentials of the built-in Magento sandbox. They open nothing but the local emulator.

Magento integration credentials are 32 lower-case letters and digits; the admin user is what
``bin/magento admin:user:create`` would have made.
"""

from __future__ import annotations

MAGENTO_CONSUMER_KEY = "sandboxconsumerkey00000000000001"
MAGENTO_CONSUMER_SECRET = "sandboxconsumersecret00000000001"  # noqa: S105
MAGENTO_ACCESS_TOKEN = "sandboxaccesstoken00000000000001"  # noqa: S105
MAGENTO_ACCESS_TOKEN_SECRET = "sandboxaccesstokensecret00000001"  # noqa: S105
MAGENTO_ADMIN_USERNAME = "ledgerlink-admin"
MAGENTO_ADMIN_PASSWORD = "sandbox-admin-password-0001"  # noqa: S105
MAGENTO_PORT = 8703
