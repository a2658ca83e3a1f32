"""``ledgerlink run``: scheduler, workers and the console in one process, or any one of them.

SIGTERM (or Ctrl-C) stops claiming new jobs; jobs in flight get a deadline to finish, after which
they are released back to the queue without spending an attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Iterator

import httpx
import structlog
import uvicorn

from ledgerlink.config import Config
from ledgerlink.console.app import create_console_app
from ledgerlink.engine.scheduler import Scheduler
from ledgerlink.runtime import Runtime

log = structlog.get_logger("ledgerlink.service")
ROLES = ("all", "worker", "scheduler", "console")


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handling: the service decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def run_service(
    config: Config,
    *,
    role: str = "all",
    stop: asyncio.Event | None = None,
    transports: dict[str, httpx.AsyncBaseTransport] | None = None,
    drain_seconds: float = 30.0,
) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    stop = stop or asyncio.Event()
    if threading.current_thread() is threading.main_thread():
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    runtime = Runtime(config, transports=transports or {})
    tasks: list[asyncio.Task[object]] = []
    server: _EmbeddedServer | None = None
    try:
        if role in ("all", "console"):
            server = _EmbeddedServer(
                uvicorn.Config(
                    create_console_app(runtime),
                    host=config.console.host,
                    port=config.console.port,
                    log_level="warning",
                    lifespan="off",
                )
            )
            tasks.append(asyncio.create_task(server.serve()))
        if role in ("all", "scheduler"):
            scheduler = Scheduler(runtime.queue, runtime.schedules())
            tasks.append(asyncio.create_task(scheduler.run(stop)))
        if role in ("all", "worker"):
            worker = runtime.worker(role=role)
            tasks.append(asyncio.create_task(worker.run(stop, drain_seconds=drain_seconds)))
        log.info("service started", role=role)
        await stop.wait()
        log.info("service stopping", role=role)
        if server is not None:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        for task in tasks:
            task.cancel()
        await runtime.aclose()
