"""An emulated Magento 2 store: the admin REST API Ledgerlink uses, over one SQLite state file."""
