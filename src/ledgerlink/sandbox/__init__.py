"""Built-in emulators of NetSuite and the storefronts, speaking the vendors' real HTTP contracts."""
