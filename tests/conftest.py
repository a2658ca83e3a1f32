"""Shared fixtures: a migrated database on SQLite, and on PostgreSQL where one is reachable."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from ledgerlink.store.db import open_database

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
POSTGRES_URL = os.environ.get(
    "LEDGERLINK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_admin() -> Engine | None:
    try:
        engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return engine
    except Exception:
        return None


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A freshly migrated database; the PostgreSQL variant runs in a schema of its own."""
    if request.param == "sqlite":
        engine = open_database(f"sqlite:///{tmp_path / 'ledgerlink.db'}")
        yield engine
        engine.dispose()
        return
    admin = _postgres_admin()
    if admin is None:
        pytest.skip(
            f"PostgreSQL not reachable at {POSTGRES_URL}; start it (.ci/run does) or set "
            "LEDGERLINK_TEST_POSTGRES_URL to run the engine tests on PostgreSQL too"
        )
    schema = f"ll_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = POSTGRES_URL + ("&" if "?" in POSTGRES_URL else "?") + f"options=-csearch_path%3D{schema}"
    engine = open_database(url)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Engine]:
    engine = open_database(f"sqlite:///{tmp_path / 'ledgerlink.db'}")
    yield engine
    engine.dispose()


def require_shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the shared specifications folder is absent ({SHARED}); contract checks need it")
    return SHARED
