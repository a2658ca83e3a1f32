"""End-to-end: the real `ledgerlink` command, real processes, real loopback ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from ledgerlink.sandbox.init_config import sandbox_config

LEDGERLINK = [sys.executable, "-m", "ledgerlink"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


@dataclass
class Deployment:
    root: Path
    config: Path
    state_dir: Path
    netsuite_port: int
    woo_port: int
    console_port: int
    magento_port: int
    commercetools_port: int

    @property
    def netsuite_url(self) -> str:
        return f"http://127.0.0.1:{self.netsuite_port}"

    @property
    def woo_url(self) -> str:
        return f"http://127.0.0.1:{self.woo_port}"

    @property
    def magento_url(self) -> str:
        return f"http://127.0.0.1:{self.magento_port}"

    @property
    def commercetools_url(self) -> str:
        return f"http://127.0.0.1:{self.commercetools_port}"

    def cli(self, *args: str, check: bool = True, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*LEDGERLINK, "-c", str(self.config), *args], cwd=self.root, capture_output=True, text=True,
            timeout=timeout, env={**os.environ, "COLUMNS": "200"}, check=False,
        )  # fmt: skip
        if check and result.returncode != 0:
            raise AssertionError(f"ledgerlink {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [*LEDGERLINK, "-c", str(self.config), *args],
            cwd=self.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen[bytes], timeout: float = 40) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    d = Deployment(tmp_path, tmp_path / "ledgerlink.yaml", tmp_path / "sandbox", free_port(), free_port(),
                   free_port(), free_port(), free_port())  # fmt: skip
    data = sandbox_config(database_url=f"sqlite:///{tmp_path / 'ledgerlink.db'}", netsuite_url=d.netsuite_url,
                          woo_url=d.woo_url, magento_url=d.magento_url,
                          commercetools_url=d.commercetools_url, console_port=d.console_port,
                          schedule="every 2s")  # fmt: skip
    d.config.write_text(yaml.safe_dump(data))
    sandbox = d.start("sandbox", "serve", "--state-dir", str(d.state_dir), "--netsuite-port",
                      str(d.netsuite_port), "--woo-port", str(d.woo_port), "--magento-port",
                      str(d.magento_port), "--commercetools-port", str(d.commercetools_port))  # fmt: skip
    try:
        wait_for_port(d.netsuite_port, sandbox)
        wait_for_port(d.woo_port, sandbox)
        wait_for_port(d.magento_port, sandbox)
        wait_for_port(d.commercetools_port, sandbox)
        yield d
    finally:
        stop(sandbox)
