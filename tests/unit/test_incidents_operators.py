"""What an operator sees of a connection incident: `errors list`, `jobs`, and the Prometheus gauge."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import structlog
import yaml
from typer.testing import CliRunner

from ledgerlink.cli import app
from ledgerlink.config import parse_config
from ledgerlink.console.app import create_console_app
from ledgerlink.engine.incidents import ConnectionDown
from ledgerlink.engine.problems import Code, Team, permanent
from ledgerlink.engine.queue import JobSpec
from ledgerlink.runtime import Runtime
from ledgerlink.sandbox.init_config import sandbox_config
from ledgerlink.sandbox.server import free_port


@pytest.fixture(autouse=True)
def _logging_back_to_defaults() -> Iterator[None]:
    """The CLI points logging at the stderr the runner lends it and closes afterwards."""
    yield
    structlog.reset_defaults()


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "ledgerlink.yaml"
    data = sandbox_config(database_url=f"sqlite:///{tmp_path / 'ledgerlink.db'}")
    path.write_text(yaml.safe_dump(data))
    return path


def open_incident_with_paused_jobs(config_file: Path, jobs: int) -> Runtime:
    runtime = Runtime(parse_config(yaml.safe_load(config_file.read_text())))
    refused = permanent(
        Code.AUTH_FAILED,
        "NetSuite did not accept the connection's credentials",
        "NetSuite answered: Invalid login attempt.",
        "Check the connection's token_id and token_secret.",
        team=Team.INTEGRATION,
    )
    down = runtime.incidents.gate("netsuite").screen(refused)
    assert isinstance(down, ConnectionDown)
    for n in range(jobs):
        key = f"c{n}"
        runtime.queue.enqueue(JobSpec(kind="customers.sync", flow="f", record_key=key, dedupe_key=key))
    for job in runtime.queue.claim("w", jobs):
        runtime.incidents.park(runtime.queue, job, down)
    return runtime


def test_errors_list_shows_open_incidents_first(config_file: Path) -> None:
    runtime = open_incident_with_paused_jobs(config_file, 3)
    runtime.engine.dispose()
    result = CliRunner().invoke(app, ["-c", str(config_file), "errors", "list"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Connection incidents (1 open)" in text
    for shown in ("netsuite", "AUTH_FAILED", "NetSuite did not accept the connection's credentials",
                  "Invalid login attempt.", "token_secret", " s (0 failed)"):  # fmt: skip
        assert shown in text
    row = next(line for line in result.output.splitlines() if "AUTH_FAILED" in line)
    assert "│ 3 " in row, "the paused jobs are counted"
    assert text.index("Connection incidents") < text.index("The error queue is empty.")


def test_the_jobs_view_counts_paused_jobs(config_file: Path) -> None:
    open_incident_with_paused_jobs(config_file, 2).engine.dispose()
    result = CliRunner().invoke(app, ["-c", str(config_file), "jobs"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "Paused on connection netsuite: 2 waiting job(s), open incident AUTH_FAILED" in result.output


def test_errors_list_without_incidents_shows_only_the_error_queue(config_file: Path) -> None:
    result = CliRunner().invoke(app, ["-c", str(config_file), "errors", "list"], env={"COLUMNS": "250"})
    assert result.exit_code == 0 and "Connection incidents" not in result.output


async def test_metrics_have_one_incident_gauge_per_connection(config_file: Path) -> None:
    runtime = open_incident_with_paused_jobs(config_file, 1)
    try:
        transport = httpx.ASGITransport(app=create_console_app(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as client:
            metrics = (await client.get("/metrics")).text
    finally:
        await runtime.aclose()
    assert 'ledgerlink_connection_incidents{connection="netsuite"} 1.0' in metrics
    assert 'ledgerlink_connection_incidents{connection="woo"} 0.0' in metrics


def test_sync_names_the_connection_its_jobs_wait_on(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # the store's host is down
    data = sandbox_config(
        database_url=f"sqlite:///{tmp_path / 'ledgerlink.db'}", woo_url=closed, magento_url=None,
        commercetools_url=None,
    )  # fmt: skip
    data["engine"] = {"incident_probe_seconds": 600}  # no probe within the run
    path = tmp_path / "ledgerlink.yaml"
    path.write_text(yaml.safe_dump(data))
    result = CliRunner().invoke(app, ["-c", str(path), "sync", "orders"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Error queue: 0" in text
    assert "Paused: 1 job(s) wait on connection woo (REMOTE_UNAVAILABLE: the store is unavailable)" in text
