"""The chaos tests: real processes killed on purpose (select them with ``-m chaos``)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "chaos: the whole deployment under kills and NetSuite faults (tests/chaos/harness.py)"
    )
