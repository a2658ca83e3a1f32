"""The emulator served by uvicorn on a real loopback port: auth and project API on the same address."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from pydantic import SecretStr

from ledgerlink.config import CommercetoolsConnection
from ledgerlink.connectors.commercetools.store import CommercetoolsStore
from ledgerlink.sandbox.commercetools.app import create_app
from ledgerlink.sandbox.commercetools.credentials import CT_CLIENT_ID, CT_CLIENT_SECRET, CT_PROJECT_KEY
from ledgerlink.sandbox.commercetools.seed import seed_store


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    state = tmp_path / "served.sqlite"
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(state), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", state
    finally:
        server.should_exit = True
        thread.join(timeout=10)


async def test_store_reads_a_served_project(served: tuple[str, Path]) -> None:
    url, state = served
    seed = seed_store(state, orders=9, products=5)
    connection = CommercetoolsConnection(
        type="commercetools",
        project_key=CT_PROJECT_KEY,
        api_url=url,
        auth_url=url,
        client_id=SecretStr(CT_CLIENT_ID),
        client_secret=SecretStr(CT_CLIENT_SECRET),
        scopes=[f"manage_project:{CT_PROJECT_KEY}"],
    )
    store = CommercetoolsStore("ct", connection, page_size=4)
    try:
        start, end = datetime.now(UTC) - timedelta(days=10), datetime.now(UTC) + timedelta(minutes=1)
        orders = [o async for page in store.order_pages(start, end) for o in page]
    finally:
        await store.aclose()
    assert sorted(o.source_id for o in orders) == sorted(map(str, seed.order_ids))
    assert all(o.computed_total() == o.total for o in orders)
