"""An emulated commercetools project: the auth service and the project API on one port, state in SQLite."""
