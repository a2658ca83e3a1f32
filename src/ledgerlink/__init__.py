"""Ledgerlink: keeps storefronts in sync with Oracle NetSuite, exactly once."""

__version__ = "0.1.0"
