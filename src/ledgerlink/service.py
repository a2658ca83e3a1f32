"""``ledgerlink run``: scheduler, workers and the console in one process, or any one of them.

SIGTERM (or Ctrl-C) stops claiming new jobs; jobs in flight get a deadline to finish, after which
they are released back to the queue without spending an attempt.

The loops survive their own exceptions (they log, count and back off). Should one of them end all the
same, the process does not live on without it: it stops the others and :func:`run_service` raises
:class:`ServiceFailed`, so ``ledgerlink run`` exits non-zero and a supervisor restarts it.
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


class ServiceFailed(RuntimeError):
    """A loop of the service ended while the service was not stopping."""


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
    runtime = Runtime(config, transports=transports or {}, role=role)
    tasks: list[asyncio.Task[object]] = []
    server: _EmbeddedServer | None = None
    died: list[str] = []

    def supervise(task: asyncio.Task[object]) -> None:
        if stop.is_set() or task.cancelled():
            return
        error = task.exception()
        reason = f"{task.get_name()} ended: " + (f"{type(error).__name__}: {error}" if error else "returned")
        log.error("a service loop ended; stopping so that a supervisor restarts the process", reason=reason,
                  exc_info=error)  # fmt: skip
        died.append(reason)
        stop.set()

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
            tasks.append(asyncio.create_task(server.serve(), name="console"))
        if role in ("all", "scheduler"):
            scheduler = Scheduler(runtime.queue, runtime.schedules(), liveness=runtime.liveness)
            tasks.append(asyncio.create_task(scheduler.run(stop), name="scheduler"))
        if role in ("all", "worker"):
            worker = runtime.worker(role=role)
            tasks.append(asyncio.create_task(worker.run(stop, drain_seconds=drain_seconds), name="worker"))
            # Closes connection incidents when their connection answers again; their jobs then resume.
            prober = runtime.prober()
            tasks.append(asyncio.create_task(prober.run(stop), name="incident prober"))
        for task in tasks:
            task.add_done_callback(supervise)
        log.info("service started", role=role, process=runtime.process_id)
        await stop.wait()
        log.info("service stopping", role=role)
        if server is not None:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        for task in tasks:
            task.cancel()
        await runtime.aclose()
    if died:
        raise ServiceFailed("; ".join(died))
