"""Magento 2 / Adobe Commerce storefront connector (REST API, polled)."""
