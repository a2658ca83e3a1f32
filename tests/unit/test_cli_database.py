"""A database that cannot be opened is one line naming ``database_url`` and exit code 2, never a traceback,
and the line never shows the password."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
import yaml
from typer.testing import CliRunner

from ledgerlink.cli import app
from ledgerlink.sandbox.init_config import sandbox_config


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """The CLI points logging at the stderr CliRunner captures, closed after the command: put the
    configuration back, or the next test's log lines would go to a closed file."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


def closed_port() -> int:
    """A loopback port nothing listens on (bound once to find it free, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_with(tmp_path: Path, database_url: str, *command: str) -> tuple[int, str, str]:
    config = tmp_path / "ledgerlink.yaml"
    config.write_text(yaml.safe_dump({**sandbox_config(), "database_url": database_url}))
    result = CliRunner().invoke(app, ["-c", str(config), *command])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", [["jobs"], ["errors", "list"], ["sync", "orders"], ["run"]])
def test_an_unreachable_postgres_is_one_line_with_the_password_masked(
    tmp_path: Path, command: list[str]
) -> None:
    port = closed_port()
    code, out, err = run_with(
        tmp_path, f"postgresql+psycopg://ledger:hunter2pw@127.0.0.1:{port}/ll", *command
    )
    assert code == 2
    assert err.splitlines() == [
        f"database_url: cannot connect to postgresql+psycopg://ledger:***@127.0.0.1:{port}/ll "
        "(connection refused)"
    ]
    assert "hunter2pw" not in out + err and "Traceback" not in out + err
    assert "running" not in out  # `run` refuses before it starts


def test_a_sqlite_file_in_a_missing_directory_names_the_directory(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir"
    code, _, err = run_with(tmp_path, f"sqlite:///{missing / 'ledgerlink.db'}", "jobs")
    assert code == 2
    assert err.splitlines() == [
        f"database_url: cannot connect to sqlite:///{missing / 'ledgerlink.db'} "
        f"(the directory {missing} does not exist)"
    ]
    assert not missing.exists()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("mysqlx://ledger:hunter2pw@127.0.0.1/ll", "unknown scheme or driver 'mysqlx'"),
        ("postgresql+nodriver://ledger:hunter2pw@127.0.0.1/ll", "unknown scheme or driver"),
        ("oracle+cx_oracle://ledger:hunter2pw@127.0.0.1/ll", "driver cx_Oracle is not installed"),
        ("not a url at all", "not a database URL"),
        ("ledger:hunter2pw@127.0.0.1/ll", "not a database URL"),
    ],
)
def test_a_wrong_scheme_or_driver_is_named(tmp_path: Path, url: str, reason: str) -> None:
    code, out, err = run_with(tmp_path, url, "jobs")
    assert code == 2
    [line] = err.splitlines()
    assert line.startswith("database_url: cannot connect to ")
    assert reason in line
    assert "hunter2pw" not in out + err and "Traceback" not in out + err


def test_passwords_in_the_query_and_with_an_unencoded_at_are_masked(tmp_path: Path) -> None:
    port = closed_port()
    url = f"postgresql+psycopg://ledger:pa@ss-word@127.0.0.1:{port}/ll?sslmode=disable&password=q7x9z2"
    code, _, err = run_with(tmp_path, url, "jobs")
    assert code == 2
    assert err.startswith(
        f"database_url: cannot connect to postgresql+psycopg://ledger:***@127.0.0.1:{port}/ll"
        "?sslmode=disable&password=*** ("
    )
    assert "pa@ss-word" not in err and "ss-word" not in err and "q7x9z2" not in err


def test_a_good_database_still_opens(tmp_path: Path) -> None:
    code, out, err = run_with(tmp_path, f"sqlite:///{tmp_path / 'ledgerlink.db'}", "errors", "list")
    assert (code, err) == (0, "")
    assert "The error queue is empty." in out
