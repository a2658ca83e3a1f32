"""Canonical, platform-neutral records. Connectors translate to and from these; flows move them."""
