"""``python -m ledgerlink`` is the ``ledgerlink`` command."""

from ledgerlink.cli import app

app()
